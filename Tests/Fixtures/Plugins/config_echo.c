/*
 * config_echo.c — test fixture: keeps the config create() received and
 * answers its one method, `config`, with those bytes verbatim, so a test can
 * tell that the config reached the plugin (and how).
 *
 * When the config contains "hold":"/abs/path" (the path without escapes),
 * health() writes its process id and a newline to "/abs/path.reached", then
 * waits until /abs/path exists (polling every 10 ms, giving up after 60 s): a
 * test looks at the running process — /proc/PID/cmdline and environ of the
 * probe child — while it waits, then creates /abs/path to let it finish.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

static const cap_method config_echo_methods[] = {
    {"config", "Returns the config create() received, byte for byte.", NULL},
};

static const cap_capability config_echo_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = "adapter",
    .category = "config",
    .provider = "echo",
    .methods = config_echo_methods,
}};

typedef struct config_echo_instance {
    size_t length;
    char hold[PATH_MAX];
    char config[];
} config_echo_instance;

/* Copies the string value of "hold" (no escapes) into `hold`; empty when absent. */
static void find_hold(const char *config, size_t length, char hold[PATH_MAX]) {
    static const char key[] = "\"hold\":\"";
    hold[0] = '\0';
    for (size_t i = 0; i + sizeof key - 1 <= length; i++) {
        if (memcmp(config + i, key, sizeof key - 1) != 0) continue;
        size_t start = i + sizeof key - 1, end = start;
        while (end < length && config[end] != '"') end++;
        if (end == length || end - start >= PATH_MAX - 16) return;
        memcpy(hold, config + start, end - start);
        hold[end - start] = '\0';
        return;
    }
}

static cap_status config_echo_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                     void **instance) {
    (void)host;
    config_echo_instance *created = calloc(1, sizeof *created + config.len);
    if (created == NULL) {
        static const char message[] = "config_echo: out of memory";
        host_api->set_error(call, CAP_INTERNAL, (cap_str){message, sizeof message - 1});
        return CAP_INTERNAL;
    }
    created->length = config.len;
    memcpy(created->config, config.ptr, config.len);
    find_hold(created->config, created->length, created->hold);
    *instance = created;
    return CAP_OK;
}

static cap_status config_echo_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                     uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability; (void)method; (void)payload; (void)deadline_ns; (void)call;
    const config_echo_instance *echo = instance;
    *out = (cap_buffer){.data = (const uint8_t *)echo->config, .len = echo->length};
    return CAP_OK;
}

static cap_status config_echo_health(void *instance, cap_call *call) {
    (void)call;
    const config_echo_instance *echo = instance;
    if (echo->hold[0] == '\0') return CAP_OK;
    char reached[PATH_MAX + 16];
    snprintf(reached, sizeof reached, "%s.reached", echo->hold);
    FILE *marker = fopen(reached, "w");
    if (marker != NULL) {
        fprintf(marker, "%ld\n", (long)getpid());
        fclose(marker);
    }
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 10000000L};
    for (int i = 0; i < 6000 && access(echo->hold, F_OK) != 0; i++) nanosleep(&tick, NULL);
    return CAP_OK;
}

static void config_echo_destroy(void *instance) {
    free(instance);
}

static const cap_plugin config_echo_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "config-echo",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture config_echo.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = config_echo_capabilities,
    .capability_count = 1,
    .create = config_echo_create,
    .invoke = config_echo_invoke,
    .health = config_echo_health,
    .destroy = config_echo_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &config_echo_descriptor;
}
