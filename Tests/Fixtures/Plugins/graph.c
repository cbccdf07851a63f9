/*
 * graph.c — test fixture: answers method "describe" with the host's
 * describe_capabilities document (ABI 1.2), so a test can read, from C, what a
 * plugin sees of the capability graph. A host older than 1.2 (or one that is
 * not serving yet) gets CAP_UNAVAILABLE with a message saying so.
 * health is always CAP_OK.
 *
 * Configure with -D (string values quoted): PLUGIN_NAME "graph", CAP_PROVIDER
 * "graph" (domain "adapter", category "graph").
 */
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "graph"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "graph"
#endif

static const cap_method graph_methods[] = {
    {"describe", "Returns the host's describe_capabilities document.", NULL},
};

static const cap_capability graph_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = "adapter",
    .category = "graph",
    .provider = CAP_PROVIDER,
    .methods = graph_methods,
    .description = "Fixture for the host's describe_capabilities service.",
}};

typedef struct graph_instance {
    const cap_host_api *host_api;
    cap_host *host;
} graph_instance;

static cap_status fail(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
    return code;
}

static cap_status graph_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                               uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability;
    (void)method;
    (void)payload;
    (void)deadline_ns;
    const graph_instance *graph = instance;
    if (!CAP_HOST_HAS(graph->host_api, describe_capabilities) || graph->host_api->describe_capabilities == NULL)
        return fail(graph->host_api, call, CAP_UNAVAILABLE, "the host does not offer describe_capabilities (ABI 1.2)");
    /* On CAP_OK the host filled *out with its own buffer; the host releases the response too. */
    cap_status status = graph->host_api->describe_capabilities(graph->host, out);
    if (status != CAP_OK) return fail(graph->host_api, call, status, "describe_capabilities failed");
    return CAP_OK;
}

static cap_status graph_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                               void **instance) {
    (void)config;
    graph_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return fail(host_api, call, CAP_INTERNAL, "graph: out of memory");
    created->host_api = host_api;
    created->host = host;
    *instance = created;
    return CAP_OK;
}

static cap_status graph_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void graph_destroy(void *instance) {
    free(instance);
}

static const cap_plugin graph_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture graph.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = graph_capabilities,
    .capability_count = 1,
    .create = graph_create,
    .invoke = graph_invoke,
    .health = graph_health,
    .destroy = graph_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &graph_descriptor;
}
