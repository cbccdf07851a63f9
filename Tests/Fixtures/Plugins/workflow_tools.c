/*
 * workflow_tools.c — test fixture: the Mahavishnu tools seed 001's example
 * workflows call, so they run unchanged.
 *
 *   service:coordination:fixture  method coord_backup_repositories
 *   service:workers:fixture       method worker_execute_flow
 *
 * Each method answers {"tool":"<method>","accepted":<the payload>}: the call
 * shows what the workflow handed it. An empty payload is refused
 * (CAP_INVALID_ARGUMENT), so a test can tell a rendered call from an empty one.
 */
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#include "fixture_stubs.h"

static const cap_method coordination_methods[] = {
    {"coord_backup_repositories", "Backs up repositories to a storage adapter (answers what it was asked).", NULL},
};
static const cap_method worker_methods[] = {
    {"worker_execute_flow", "Executes a flow on an orchestration adapter (answers what it was asked).", NULL},
};

static const cap_capability tool_capabilities[] = {
    {.struct_size = sizeof(cap_capability), .method_count = 1, .domain = "service", .category = "coordination",
     .provider = "fixture", .methods = coordination_methods, .description = "Seed 001's coordination tools."},
    {.struct_size = sizeof(cap_capability), .method_count = 1, .domain = "service", .category = "workers",
     .provider = "fixture", .methods = worker_methods, .description = "Seed 001's worker tools."},
};

static void release_malloced(cap_buffer *buffer) {
    free(buffer->release_ctx);
}

static cap_status invoke_tool(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                              uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)method;
    (void)deadline_ns;
    (void)call;
    if (payload.len == 0) return CAP_INVALID_ARGUMENT;
    const char *name = capability == 0 ? coordination_methods[0].name : worker_methods[0].name;
    static const char head[] = "{\"tool\":\"", middle[] = "\",\"accepted\":", tail[] = "}";
    size_t size = strlen(head) + strlen(name) + strlen(middle) + payload.len + strlen(tail);
    char *text = malloc(size);
    if (text == NULL) return CAP_INTERNAL;
    char *at = text;
    memcpy(at, head, strlen(head)); at += strlen(head);
    memcpy(at, name, strlen(name)); at += strlen(name);
    memcpy(at, middle, strlen(middle)); at += strlen(middle);
    memcpy(at, payload.ptr, payload.len); at += payload.len;
    memcpy(at, tail, strlen(tail));
    *out = (cap_buffer){.data = (const uint8_t *)text, .len = size, .release = release_malloced, .release_ctx = text};
    return CAP_OK;
}

static const cap_plugin tools_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "workflow-tools",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture workflow_tools.c",
    .flags = CAP_PLUGIN_THREAD_SAFE | CAP_PLUGIN_PARALLEL_CREATE,
    .capabilities = tool_capabilities,
    .capability_count = 2,
    .create = create_instance,
    .invoke = invoke_tool,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &tools_descriptor;
}
