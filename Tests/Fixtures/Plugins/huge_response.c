/*
 * huge_response.c — hostile fixture: method `huge` returns a 32 MiB response
 * (a JSON string of 'x's); method `stats` returns {"released":N}, the number of
 * huge responses whose release function has run.
 * The host must refuse the oversized response (32 MiB is over its response-size
 * limit) yet still release it exactly once: `stats` then reports one more.
 */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#include "fixture_stubs.h"

enum { METHOD_HUGE, METHOD_STATS };

static const cap_method plugin_methods[] = {
    [METHOD_HUGE] = {"huge", "Returns a 32 MiB response.", NULL},
    [METHOD_STATS] = {"stats", "Returns how many huge responses the host has released.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "huge-response",
        .methods = plugin_methods,
    },
};

#define HUGE_RESPONSE_BYTES ((size_t)32 << 20)
/* {"released":N} with N up to 20 digits, plus the NUL snprintf writes. */
#define STATS_JSON_CAPACITY 40

/* Counts releases of huge responses across all instances: what `stats` reports. */
static atomic_ulong huge_responses_released;

static void release_huge_response(cap_buffer *buffer) {
    free(buffer->release_ctx);
    atomic_fetch_add(&huge_responses_released, 1);
}

static void release_stats(cap_buffer *buffer) {
    free(buffer->release_ctx);
}

static cap_status return_huge_response(cap_buffer *out) {
    char *bytes = malloc(HUGE_RESPONSE_BYTES);
    if (bytes == NULL) return CAP_INTERNAL;
    /* memset touches every page, so the memory is really committed. */
    memset(bytes, 'x', HUGE_RESPONSE_BYTES);
    bytes[0] = bytes[HUGE_RESPONSE_BYTES - 1] = '"';
    *out = (cap_buffer){.data = (const uint8_t *)bytes, .len = HUGE_RESPONSE_BYTES,
                        .release = release_huge_response, .release_ctx = bytes};
    return CAP_OK;
}

static cap_status return_stats(cap_buffer *out) {
    char *json = malloc(STATS_JSON_CAPACITY);
    if (json == NULL) return CAP_INTERNAL;
    int length = snprintf(json, STATS_JSON_CAPACITY, "{\"released\":%lu}", atomic_load(&huge_responses_released));
    *out = (cap_buffer){.data = (const uint8_t *)json, .len = (size_t)length, .release = release_stats,
                        .release_ctx = json};
    return CAP_OK;
}

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)payload;
    (void)deadline_ns;
    (void)call;
    return method == METHOD_HUGE ? return_huge_response(out) : return_stats(out);
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "huge-response",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture huge_response.c",
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
