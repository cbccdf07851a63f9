/*
 * noop.c — test fixture: the cheapest well-behaved plugin, and the
 * benchmark's hot path.
 *
 * One capability CAP_DOMAIN:CAP_CATEGORY:CAP_PROVIDER with methods
 *   noop     CAP_OK, empty response (keep it minimal: it is what the benchmark times);
 *   echo     a malloc'd copy of the payload;
 *   version  {"plugin":"<name>","version":"<version>","provider":"<provider>"}, static;
 *   sleep    payload is decimal milliseconds (e.g. 25); sleeps that long, then CAP_OK.
 *            It ignores deadline_ns on purpose, so tests see the host enforce deadlines.
 * health is always CAP_OK. The host must load it, route calls to it and return
 * exactly these responses.
 *
 * Configure with -D (string values quoted, e.g. -DCAP_PROVIDER='"alpha"'):
 *   PLUGIN_NAME "noop", PLUGIN_VERSION "1.0.0", CAP_DOMAIN "adapter",
 *   CAP_CATEGORY "bench", CAP_PROVIDER "noop", CAP_PRIORITY 0,
 *   CAP_STACK_LEVEL 0, PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE,
 *   ECHO_SCHEMA NULL (the echo method's input schema: a C string of JSON Schema text,
 *   e.g. -DECHO_SCHEMA='"{\"type\":\"object\"}"'; NULL declares none).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "noop"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef CAP_DOMAIN
#define CAP_DOMAIN "adapter"
#endif
#ifndef CAP_CATEGORY
#define CAP_CATEGORY "bench"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "noop"
#endif
#ifndef CAP_PRIORITY
#define CAP_PRIORITY 0
#endif
#ifndef CAP_STACK_LEVEL
#define CAP_STACK_LEVEL 0
#endif
#ifndef PLUGIN_FLAGS
#define PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE
#endif
#ifndef ECHO_SCHEMA
#define ECHO_SCHEMA NULL
#endif

/* Longest accepted sleep (10 minutes): ample for deadline tests, yet a typo cannot wedge a run forever. */
#define MAX_SLEEP_MS 600000u

enum { METHOD_NOOP, METHOD_ECHO, METHOD_VERSION, METHOD_SLEEP };

static const cap_method noop_methods[] = {
    [METHOD_NOOP] = {"noop", "Does nothing and returns an empty body.", NULL},
    [METHOD_ECHO] = {"echo", "Returns the payload unchanged.", ECHO_SCHEMA},
    [METHOD_VERSION] = {"version", "Returns the plugin name, version and provider.", NULL},
    [METHOD_SLEEP] = {"sleep", "Sleeps for the given number of milliseconds.",
                      "{\"type\":\"integer\",\"minimum\":0,\"maximum\":600000}"},
};

static const cap_capability noop_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = sizeof noop_methods / sizeof noop_methods[0],
    .domain = CAP_DOMAIN,
    .category = CAP_CATEGORY,
    .provider = CAP_PROVIDER,
    .priority = CAP_PRIORITY,
    .stack_level = CAP_STACK_LEVEL,
    .methods = noop_methods,
    .description = "Benchmark and routing fixture.",
}};

static const char version_json[] =
    "{\"plugin\":\"" PLUGIN_NAME "\",\"version\":\"" PLUGIN_VERSION "\",\"provider\":\"" CAP_PROVIDER "\"}";

/* Kept so failures can carry a message through set_error. */
typedef struct noop_instance {
    const cap_host_api *host_api;
} noop_instance;

static cap_status fail(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
    return code;
}

static void release_malloced(cap_buffer *buffer) {
    free(buffer->release_ctx);
}

static cap_status echo_payload(const cap_host_api *host_api, cap_str payload, cap_call *call, cap_buffer *out) {
    if (payload.len == 0) return CAP_OK;
    uint8_t *copy = malloc(payload.len);
    if (copy == NULL) return fail(host_api, call, CAP_INTERNAL, "echo: out of memory");
    memcpy(copy, payload.ptr, payload.len);
    *out = (cap_buffer){.data = copy, .len = payload.len, .release = release_malloced, .release_ctx = copy};
    return CAP_OK;
}

static cap_status sleep_for_payload(const cap_host_api *host_api, cap_str payload, cap_call *call) {
    if (payload.len == 0)
        return fail(host_api, call, CAP_INVALID_ARGUMENT, "sleep: payload must be milliseconds, e.g. 25");
    unsigned long milliseconds = 0;
    for (size_t i = 0; i < payload.len; i++) {
        char digit = payload.ptr[i];
        if (digit < '0' || digit > '9')
            return fail(host_api, call, CAP_INVALID_ARGUMENT, "sleep: payload must be decimal digits only, e.g. 25");
        milliseconds = milliseconds * 10 + (unsigned long)(digit - '0');
        if (milliseconds > MAX_SLEEP_MS)
            return fail(host_api, call, CAP_INVALID_ARGUMENT, "sleep: at most 600000 milliseconds");
    }
    struct timespec remaining = {.tv_sec = (time_t)(milliseconds / 1000),
                                 .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
    /* A signal may cut the sleep short; finish the rest so the call really takes that long. */
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {}
    return CAP_OK;
}

static cap_status noop_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                              uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability; /* There is only one capability. */
    (void)deadline_ns;
    const noop_instance *noop = instance;
    switch (method) {
    case METHOD_NOOP: return CAP_OK;
    case METHOD_ECHO: return echo_payload(noop->host_api, payload, call, out);
    case METHOD_VERSION:
        *out = (cap_buffer){.data = (const uint8_t *)version_json, .len = sizeof version_json - 1};
        return CAP_OK;
    case METHOD_SLEEP: return sleep_for_payload(noop->host_api, payload, call);
    default: return fail(noop->host_api, call, CAP_UNIMPLEMENTED, "noop: unknown method index");
    }
}

static cap_status noop_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                              void **instance) {
    (void)host;
    (void)config;
    noop_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return fail(host_api, call, CAP_INTERNAL, "noop: out of memory");
    created->host_api = host_api;
    *instance = created;
    return CAP_OK;
}

static cap_status noop_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void noop_destroy(void *instance) {
    free(instance);
}

static const cap_plugin noop_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture noop.c",
    .flags = PLUGIN_FLAGS,
    .capabilities = noop_capabilities,
    .capability_count = 1,
    .create = noop_create,
    .invoke = noop_invoke,
    .health = noop_health,
    .destroy = noop_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &noop_descriptor;
}
