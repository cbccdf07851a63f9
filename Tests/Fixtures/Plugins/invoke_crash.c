/*
 * invoke_crash.c — hostile fixture: method `crash` writes through a NULL pointer
 * and dies of SIGSEGV; method `ok` returns CAP_OK.
 * A host running it in-process dies with it, so the host must run such plugins
 * isolated (or in a test's child process) and report the crash as SIGSEGV.
 */

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#include "fixture_stubs.h"

enum { METHOD_CRASH, METHOD_OK };

static const cap_method plugin_methods[] = {
    [METHOD_CRASH] = {"crash", "Dies of SIGSEGV.", NULL},
    [METHOD_OK] = {"ok", "Returns CAP_OK with an empty body.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "invoke-crash",
        .methods = plugin_methods,
    },
};

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)payload;
    (void)deadline_ns;
    (void)call;
    (void)out;
    if (method == METHOD_CRASH) {
        /* Volatile twice over: the compiler may neither prove the pointer NULL (and
         * emit a trap, SIGILL) nor drop the store; the crash must be a real SIGSEGV. */
        volatile int *volatile null_pointer = NULL;
        *null_pointer = 1;
    }
    return CAP_OK;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "invoke-crash",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture invoke_crash.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = plugin_capabilities,
    .capability_count = sizeof plugin_capabilities / sizeof plugin_capabilities[0],
    .create = create_instance,
    .invoke = invoke_method,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &plugin_descriptor;
}
