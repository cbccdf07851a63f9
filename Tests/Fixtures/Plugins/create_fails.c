/*
 * create_fails.c — hostile fixture: create() refuses every config with
 * CAP_INVALID_ARGUMENT and the message "config key 'api_key' is required".
 * The host must load the descriptor, then report the activation as failed with
 * that status and message, and never call invoke, health or destroy.
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
        .provider = "create-fails",
        .methods = plugin_methods,
    },
};

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host;
    (void)config;
    (void)instance;
    static const char message[] = "config key 'api_key' is required";
    host_api->set_error(call, CAP_INVALID_ARGUMENT, (cap_str){message, sizeof message - 1});
    return CAP_INVALID_ARGUMENT;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "create-fails",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture create_fails.c",
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
