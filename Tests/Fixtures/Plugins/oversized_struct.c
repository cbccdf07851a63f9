/*
 * oversized_struct.c — hostile fixture: cap_plugin.struct_size is
 * sizeof(cap_plugin) + 64, as if built for a newer ABI; everything else is valid.
 * The host must refuse the plugin at load, naming both sizes, and must not call
 * any of its functions.
 */

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_NOOP_INVOKE
#include "fixture_stubs.h"

static const cap_method plugin_methods[] = {
    {"ok", "Returns CAP_OK with an empty body.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "oversized-struct",
        .methods = plugin_methods,
    },
};

/*
 * A cap_plugin followed by 64 zeroed bytes that stand in for fields a newer ABI
 * might add. The object really is struct_size bytes long, so a host that reads
 * that many bytes before refusing stays in bounds.
 */
static const struct {
    cap_plugin plugin;
    uint64_t future_fields[8];
} oversized_descriptor = {
    .plugin = {
        .magic = CAP_PLUGIN_MAGIC,
        /* The one fault: larger than any ABI 1.0 host knows. */
        .struct_size = sizeof(cap_plugin) + 64,
        .abi_major = CAP_ABI_MAJOR,
        .abi_minor = CAP_ABI_MINOR,
        .name = "oversized-struct",
        .version = "1.0.0",
        .vendor = "caphost tests",
        .build_id = "fixture oversized_struct.c",
        .flags = CAP_PLUGIN_THREAD_SAFE,
        .capabilities = plugin_capabilities,
        .capability_count = sizeof plugin_capabilities / sizeof plugin_capabilities[0],
        .create = create_instance,
        .invoke = invoke_nothing,
        .health = check_health,
        .destroy = destroy_instance,
    },
    .future_fields = {0},
};

_Static_assert(sizeof oversized_descriptor == sizeof(cap_plugin) + 64, "the object must be as large as it claims");

const cap_plugin *cap_plugin_entry_v1(void) {
    return &oversized_descriptor.plugin;
}
