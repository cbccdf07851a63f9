/*
 * health_fails.c — hostile fixture: create and invoke succeed, but health()
 * always returns CAP_UNAVAILABLE with the message "upstream unreachable".
 * The host's health check after create must fail with that status and message,
 * and the host must keep the instance out of resolution as its policy says.
 */

#include <stdlib.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_OWN_CREATE
#define FIXTURE_OWN_HEALTH
#define FIXTURE_OWN_DESTROY
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
        .provider = "health-fails",
        .methods = plugin_methods,
    },
};

/* Kept so health can attach its message with set_error. */
typedef struct plugin_instance {
    const cap_host_api *host_api;
} plugin_instance;

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host;
    (void)config;
    plugin_instance *created = calloc(1, sizeof *created);
    if (created == NULL) {
        static const char message[] = "out of memory";
        host_api->set_error(call, CAP_INTERNAL, (cap_str){message, sizeof message - 1});
        return CAP_INTERNAL;
    }
    created->host_api = host_api;
    *instance = created;
    return CAP_OK;
}

static cap_status check_health(void *instance, cap_call *call) {
    const plugin_instance *plugin = instance;
    static const char message[] = "upstream unreachable";
    plugin->host_api->set_error(call, CAP_UNAVAILABLE, (cap_str){message, sizeof message - 1});
    return CAP_UNAVAILABLE;
}

static void destroy_instance(void *instance) {
    free(instance);
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "health-fails",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture health_fails.c",
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
