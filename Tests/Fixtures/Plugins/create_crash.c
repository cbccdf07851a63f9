/*
 * create_crash.c — hostile fixture: create() writes through a NULL pointer and
 * dies of SIGSEGV.
 * The host must survive it (activation is probed in a child process) and report
 * the activation as failed because the plugin died of SIGSEGV.
 */

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_OWN_CREATE
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
        .provider = "create-crash",
        .methods = plugin_methods,
    },
};

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host_api;
    (void)host;
    (void)config;
    (void)call;
    (void)instance;
    /* Volatile twice over: the compiler may neither prove the pointer NULL (and
     * emit a trap, SIGILL) nor drop the store; the crash must be a real SIGSEGV. */
    volatile int *volatile null_pointer = NULL;
    *null_pointer = 1;
    return CAP_INTERNAL;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "create-crash",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture create_crash.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = plugin_capabilities,
    .capability_count = sizeof plugin_capabilities / sizeof plugin_capabilities[0],
    .create = create_instance,
    .invoke = invoke_nothing,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &plugin_descriptor;
}
