/*
 * garbage_status.c — hostile fixture: method `bad` returns 4242, a status the ABI
 * does not define; method `ok` returns CAP_OK.
 * The host must report `bad` as CAP_INTERNAL, mentioning the value 4242, and keep
 * serving `ok` afterwards.
 */

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#include "fixture_stubs.h"

enum { METHOD_BAD, METHOD_OK };

static const cap_method plugin_methods[] = {
    [METHOD_BAD] = {"bad", "Returns the undefined status 4242.", NULL},
    [METHOD_OK] = {"ok", "Returns CAP_OK with an empty body.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "garbage-status",
        .methods = plugin_methods,
    },
};

/* Far above CAP_STATUS_MAX: a status no version of the ABI defines. */
#define GARBAGE_STATUS 4242

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)payload;
    (void)deadline_ns;
    (void)call;
    (void)out;
    return method == METHOD_BAD ? GARBAGE_STATUS : CAP_OK;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "garbage-status",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture garbage_status.c",
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
