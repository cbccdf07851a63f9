/*
 * invoke_hang.c — hostile fixture: method `hang` never returns (it sleeps in a
 * loop); method `ok` returns CAP_OK. Thread-safe, so `ok` may run while `hang`
 * is stuck.
 * The host must answer the `hang` caller with CAP_TIMEOUT at its deadline, keep
 * serving `ok` meanwhile, and never call destroy while the hung call is still in
 * flight (the ABI forbids it): the instance is leaked, not freed under the call.
 */

#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#include "fixture_stubs.h"

enum { METHOD_HANG, METHOD_OK };

static const cap_method plugin_methods[] = {
    [METHOD_HANG] = {"hang", "Never returns.", NULL},
    [METHOD_OK] = {"ok", "Returns CAP_OK with an empty body.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "invoke-hang",
        .methods = plugin_methods,
    },
};

_Noreturn static void sleep_forever(void) {
    for (;;) sleep(1);
}

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)payload;
    (void)deadline_ns; /* Ignored on purpose: this plugin misbehaves. */
    (void)call;
    (void)out;
    if (method == METHOD_HANG) sleep_forever();
    return CAP_OK;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "invoke-hang",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture invoke_hang.c",
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
