import Foundation

/// The files of a new plugin: a C one built by `cc` against the header alone,
/// or a Swift package using PluginKit.
struct PluginScaffold {
    let name: String
    let category: String
    let caphostRoot: String

    /// `hello-world` → `hello_world` (C identifiers, library file name).
    var symbolName: String { name.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() }
    /// `hello-world` → `HelloWorld` (Swift type and product name).
    var typeName: String {
        let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isLetter == true ? joined : "Plugin" + joined
    }

    func cFiles() throws -> [String: String] {
        let header = try String(contentsOfFile: caphostRoot + "/PluginABI/include/caphost_plugin.h", encoding: .utf8)
        return [
            "include/caphost_plugin.h": header,
            "Makefile": """
            # Builds lib\(symbolName).so against the caphost header alone.
            CFLAGS ?= -std=c11 -O2 -Wall -Wextra
            lib\(symbolName).so: \(symbolName).c include/caphost_plugin.h
            \tcc $(CFLAGS) -shared -fPIC -Iinclude -o $@ \(symbolName).c
            clean:
            \trm -f lib\(symbolName).so
            .PHONY: clean

            """,
            "\(symbolName).c": cSource,
            "README.md": """
            # \(name)

            A caphost capability plugin (`adapter:\(category):\(name)`), written in C.

            ```sh
            make                                   # builds lib\(symbolName).so
            caphost check ./lib\(symbolName).so    # conformance report
            caphost check ./lib\(symbolName).so --invoke hello --payload '{"name":"Ada"}'
            cp lib\(symbolName).so /path/to/plugins.d/   # it serves within a blink
            ```

            `include/caphost_plugin.h` is the whole contract: read its rules of ownership first.

            """,
        ]
    }

    private var cSource: String {
        """
        /* \(name): a caphost plugin providing adapter:\(category):\(name). */
        #include <stdlib.h>
        #include <string.h>

        #include "caphost_plugin.h"

        /* One instance per create(); keeps the host services for errors and logs. */
        typedef struct instance {
            const cap_host_api *api;
            cap_host *host;
        } instance;

        static cap_str text(const char *s) { cap_str v = { s, strlen(s) }; return v; }

        static void release_malloced(cap_buffer *buf) { free((void *)buf->data); }

        static cap_status plugin_create(const cap_host_api *api, cap_host *host, cap_str config,
                                        cap_call *call, void **out) {
            (void)config; (void)call;
            instance *self = calloc(1, sizeof *self);
            if (self == NULL) return CAP_INTERNAL;
            self->api = api;
            self->host = host;
            api->log(host, CAP_LOG_INFO, text("\(name) created"));
            *out = self;
            return CAP_OK;
        }

        /* hello: answers {"greeting":"hello"} whatever the payload. */
        static cap_status plugin_invoke(void *opaque, uint32_t capability, uint32_t method, cap_str payload,
                                        uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
            instance *self = opaque;
            (void)payload; (void)deadline_ns;
            if (capability != 0 || method != 0) {
                self->api->set_error(call, CAP_UNIMPLEMENTED, text("unknown method"));
                return CAP_UNIMPLEMENTED;
            }
            static const char reply[] = "{\\"greeting\\":\\"hello\\"}";
            char *body = malloc(sizeof reply - 1);
            if (body == NULL) return CAP_INTERNAL;
            memcpy(body, reply, sizeof reply - 1);
            out->data = (const uint8_t *)body;
            out->len = sizeof reply - 1;
            out->release = release_malloced;
            return CAP_OK;
        }

        static cap_status plugin_health(void *opaque, cap_call *call) { (void)opaque; (void)call; return CAP_OK; }

        static void plugin_destroy(void *opaque) { free(opaque); }

        static const cap_method methods[] = {
            { "hello", "Answers with a greeting", "{\\"type\\":\\"object\\"}" },
        };

        static const cap_capability capabilities[] = {
            { sizeof(cap_capability), 1, "adapter", "\(category)", "\(name)", 0, 0, methods, "\(name) capability" },
        };

        static const cap_plugin descriptor = {
            .magic = CAP_PLUGIN_MAGIC,
            .struct_size = sizeof(cap_plugin),
            .abi_major = CAP_ABI_MAJOR,
            .abi_minor = CAP_ABI_MINOR,
            .name = "\(name)",
            .version = "0.1.0",
            .vendor = "you",
            .build_id = "scaffold",
            .flags = CAP_PLUGIN_THREAD_SAFE | CAP_PLUGIN_UNLOADABLE,
            .capabilities = capabilities,
            .capability_count = 1,
            .create = plugin_create,
            .invoke = plugin_invoke,
            .health = plugin_health,
            .destroy = plugin_destroy,
        };

        __attribute__((visibility("default"))) const cap_plugin *cap_plugin_entry_v1(void) { return &descriptor; }

        """
    }

    func swiftFiles() throws -> [String: String] {
        [
            "Package.swift": """
            // swift-tools-version:6.1
            import PackageDescription

            let package = Package(
                name: "\(typeName)",
                products: [.library(name: "\(typeName)", type: .dynamic, targets: ["\(typeName)"])],
                dependencies: [.package(name: "caphost", path: "\(caphostRoot)")],
                targets: [
                    .target(
                        name: "\(typeName)",
                        dependencies: [.product(name: "PluginKit", package: "caphost")],
                        // Swift plugins are never dlclosed; bind to their own copies of what they embed.
                        linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete", "-Xlinker", "-Bsymbolic"])]
                    ),
                ]
            )

            """,
            "Sources/\(typeName)/\(typeName).swift": """
            import PluginKit

            /// adapter:\(category):\(name) — answers `hello` with a greeting.
            final class \(typeName): CapabilityPlugin {
                static let manifest = PluginManifest(
                    name: "\(name)", version: "0.1.0", vendor: "you",
                    flags: [.threadSafe],
                    capabilities: [
                        Capability(domain: "adapter", category: "\(category)", provider: "\(name)",
                                   description: "\(name) capability",
                                   methods: [CapabilityMethod(name: "hello", description: "Answers with a greeting",
                                                              inputSchema: #"{"type":"object"}"#)])
                    ])

                init(context: PluginContext) throws {}

                func invoke(_ request: PluginRequest) async throws -> PluginResponse {
                    .text(#"{"greeting":"hello"}"#)
                }
            }

            @_cdecl("cap_plugin_entry_v1")
            public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: \(typeName).self) }

            """,
            "README.md": """
            # \(name)

            A caphost capability plugin (`adapter:\(category):\(name)`) in Swift, via PluginKit.

            ```sh
            swift build                                        # .build/debug/lib\(typeName).so
            caphost check .build/debug/lib\(typeName).so
            ```

            Build with the same Swift toolchain as the host (the plugin needs its libswiftCore.so).

            """,
        ]
    }
}
