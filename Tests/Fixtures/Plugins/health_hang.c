/*
 * health_hang.c — hostile fixture: a plugin whose health check starts to hang
 * once it is armed. Methods:
 *   `arm`      from now on every health check sleeps forever;
 *   `entered`  answers {"health_calls":N}: how many health checks have started.
 * Loads normally (its first health check passes). Thread-safe, so `entered`
 * answers while health checks hang.
 * The host must not start a new health check while one is still running: a
 * check that hangs keeps its thread, and a check per round would take every
 * lifecycle thread until nothing can load.
 */

#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_OWN_HEALTH
#include "fixture_stubs.h"

enum { METHOD_ARM, METHOD_ENTERED };

static const cap_method plugin_methods[] = {
    [METHOD_ARM] = {"arm", "Makes every later health check hang.", NULL},
    [METHOD_ENTERED] = {"entered", "How many health checks have started.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "health-hang",
        .methods = plugin_methods,
    },
};

static atomic_bool armed;
static atomic_long health_calls;

static void release_text(cap_buffer *buffer) {
    free((void *)buffer->data);
}

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)payload;
    (void)deadline_ns;
    (void)call;
    if (method == METHOD_ARM) {
        atomic_store(&armed, true);
        return CAP_OK;
    }
    char *text = malloc(64);
    if (text == NULL) return CAP_INTERNAL;
    int length = snprintf(text, 64, "{\"health_calls\":%ld}", atomic_load(&health_calls));
    out->data = (uint8_t *)text;
    out->len = (size_t)length;
    out->release = release_text;
    return CAP_OK;
}

static cap_status check_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    atomic_fetch_add(&health_calls, 1);
    if (atomic_load(&armed)) {
        for (;;) sleep(1);
    }
    return CAP_OK;
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "health-hang",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture health_hang.c",
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
