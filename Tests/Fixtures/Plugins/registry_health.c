/*
 * registry_health.c — test fixture: method "report" passes its payload to the
 * host's report_health service (ABI 1.3) and answers with the status it got,
 * as the text "status=N", so a test can drive every case from C.
 * Payload (plain text): "<state> <candidate> <reason...>", e.g.
 * "2 adapter:bench:high registry says it is down". health is always CAP_OK.
 *
 * Configure with -D (string values quoted): PLUGIN_NAME "reporter".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "reporter"
#endif

static const cap_method reporter_methods[] = {
    {"report", "Calls report_health with \"<state> <candidate> <reason>\"; answers status=N.", NULL},
};

static const cap_capability reporter_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = "adapter",
    .category = "reporter",
    .provider = PLUGIN_NAME,
    .methods = reporter_methods,
    .description = "Fixture for the host's report_health service.",
}};

typedef struct reporter_instance {
    const cap_host_api *host_api;
    cap_host *host;
} reporter_instance;

static void release_text(cap_buffer *buffer) {
    free((void *)buffer->data);
}

static cap_status reporter_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                  uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability;
    (void)method;
    (void)deadline_ns;
    (void)call;
    const reporter_instance *reporter = instance;
    if (!CAP_HOST_HAS(reporter->host_api, report_health) || reporter->host_api->report_health == NULL) return CAP_UNAVAILABLE;
    /* "<state> <candidate> <reason>" */
    const char *text = payload.ptr;
    size_t length = payload.len, at = 0;
    int32_t state = 0;
    while (at < length && text[at] >= '0' && text[at] <= '9') state = state * 10 + (text[at++] - '0');
    if (at < length && text[at] == '-') { state = -1; while (at < length && text[at] != ' ') at++; }
    if (at < length) at++;
    size_t candidate_start = at;
    while (at < length && text[at] != ' ') at++;
    cap_str candidate = {text + candidate_start, at - candidate_start};
    if (at < length) at++;
    cap_str reason = {text + at, length - at};
    cap_status status = reporter->host_api->report_health(reporter->host, candidate, state, reason);
    char *answer = malloc(32);
    if (answer == NULL) return CAP_INTERNAL;
    int written = snprintf(answer, 32, "status=%d", status);
    *out = (cap_buffer){.data = (const uint8_t *)answer, .len = (size_t)written, .release = release_text};
    return CAP_OK;
}

static cap_status reporter_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)config;
    (void)call;
    reporter_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return CAP_INTERNAL;
    created->host_api = host_api;
    created->host = host;
    *instance = created;
    return CAP_OK;
}

static cap_status reporter_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void reporter_destroy(void *instance) {
    free(instance);
}

static const cap_plugin reporter_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture registry_health.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = reporter_capabilities,
    .capability_count = 1,
    .create = reporter_create,
    .invoke = reporter_invoke,
    .health = reporter_health,
    .destroy = reporter_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &reporter_descriptor;
}
