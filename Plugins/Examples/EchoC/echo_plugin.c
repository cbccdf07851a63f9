/*
 * echo_plugin.c — an example caphost plugin in plain C, for third parties.
 *
 * It provides one capability, adapter:echo:c, with two methods, and a health
 * check that always reports OK:
 *   echo     returns a copy of the payload;
 *   reverse  returns the payload's bytes in reverse order (a byte demo).
 * The host must load it, list adapter:echo:c at priority 10, answer `echo`
 * with the payload unchanged, and turn an empty payload into
 * CAP_INVALID_ARGUMENT carrying this plugin's message.
 *
 * Build from the repository root (needs nothing but the ABI header):
 *   cc -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -I PluginABI/include \
 *      -o libecho_c.so Plugins/Examples/EchoC/echo_plugin.c
 */
#include <stdlib.h>
#include <string.h>

/* Have the compiler check our cap_plugin_entry_v1 against the ABI's prototype. */
#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

/* Indexes into the method table below: the host names methods by index. */
enum { METHOD_ECHO, METHOD_REVERSE };

static const cap_method echo_methods[] = {
    [METHOD_ECHO] = {
        .name = "echo",
        .description = "Returns the payload unchanged.",
        .input_schema = "{\"type\":\"object\","
                        "\"description\":\"Any JSON object; it comes back byte for byte.\"}",
    },
    [METHOD_REVERSE] = {
        .name = "reverse",
        .description = "Returns the payload's bytes in reverse order (ASCII only).",
        .input_schema = "{\"type\":\"string\","
                        "\"description\":\"ASCII text without escapes, e.g. \\\"hello\\\"; "
                        "a byte-wise reversal keeps such a JSON string valid.\"}",
    },
};

static const cap_capability echo_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof echo_methods / sizeof echo_methods[0],
        .domain = "adapter",
        .category = "echo",
        .provider = "c",
        .priority = 10,
        .stack_level = 0,
        .methods = echo_methods,
        .description = "Echoes and reverses payloads; an example plugin written in C.",
    },
};

/*
 * One instance per create(). The host promises host_api and host stay valid
 * until destroy() returns, so keeping the pointers is all we need to report
 * errors and log later.
 */
typedef struct echo_instance {
    const cap_host_api *host_api;
    cap_host *host;
} echo_instance;

/* The host takes text as a borrowed {ptr,len}, not a NUL-terminated string. */
static cap_str text(const char *message) {
    return (cap_str){.ptr = message, .len = strlen(message)};
}

/* Attaches `message` to the call (the host copies it) and returns `code`, as the ABI asks. */
static cap_status fail(const echo_instance *instance, cap_call *call, cap_status code, const char *message) {
    instance->host_api->set_error(call, code, text(message));
    return code;
}

/* The host calls this exactly once per buffer we hand it; release_ctx is the allocation. */
static void release_malloced(cap_buffer *buffer) {
    free(buffer->release_ctx);
}

/*
 * Fills *out with a malloc'd buffer of `len` bytes and returns where to write
 * them, or NULL when out of memory. The payload is only borrowed, so whatever
 * we return must be our own copy.
 */
static uint8_t *allocate_response(cap_buffer *out, size_t len) {
    uint8_t *bytes = malloc(len);
    if (bytes == NULL) return NULL;
    out->data = bytes;
    out->len = len;
    out->release = release_malloced;
    out->release_ctx = bytes;
    return bytes;
}

static cap_status echo_payload(const echo_instance *instance, cap_str payload, cap_call *call, cap_buffer *out) {
    if (payload.len == 0)
        return fail(instance, call, CAP_INVALID_ARGUMENT, "echo needs a non-empty payload (a JSON object)");
    uint8_t *copy = allocate_response(out, payload.len);
    if (copy == NULL) return fail(instance, call, CAP_INTERNAL, "echo: out of memory copying the payload");
    memcpy(copy, payload.ptr, payload.len);
    return CAP_OK;
}

static cap_status reverse_payload(const echo_instance *instance, cap_str payload, cap_call *call, cap_buffer *out) {
    if (payload.len == 0)
        return fail(instance, call, CAP_INVALID_ARGUMENT, "reverse needs a non-empty payload (a JSON string)");
    /* Reversing the bytes of a multi-byte UTF-8 sequence would hand the host
     * invalid UTF-8, which the ABI forbids; refusing non-ASCII keeps the demo honest. */
    for (size_t i = 0; i < payload.len; i++) {
        if ((unsigned char)payload.ptr[i] >= 0x80)
            return fail(instance, call, CAP_INVALID_ARGUMENT, "reverse only handles ASCII payloads");
    }
    uint8_t *reversed = allocate_response(out, payload.len);
    if (reversed == NULL) return fail(instance, call, CAP_INTERNAL, "reverse: out of memory");
    for (size_t i = 0; i < payload.len; i++) reversed[i] = (uint8_t)payload.ptr[payload.len - 1 - i];
    return CAP_OK;
}

static cap_status echo_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                              void **instance) {
    /* A real plugin would parse config here (e.g. {"greeting":"hi"}); echo
     * needs no settings, so it accepts any config without reading it. */
    (void)config;
    echo_instance *created = calloc(1, sizeof *created);
    if (created == NULL) {
        host_api->set_error(call, CAP_INTERNAL, text("echo-c: out of memory creating an instance"));
        return CAP_INTERNAL;
    }
    created->host_api = host_api;
    created->host = host;
    host_api->log(host, CAP_LOG_INFO, text("echo-c instance created"));
    *instance = created;
    return CAP_OK;
}

static cap_status echo_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                              uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    /* Echoing is instant, so there is no long work that could outlive the deadline. */
    (void)deadline_ns;
    const echo_instance *echo = instance;
    if (capability != 0) return fail(echo, call, CAP_UNIMPLEMENTED, "echo-c has only capability 0");
    switch (method) {
    case METHOD_ECHO: return echo_payload(echo, payload, call, out);
    case METHOD_REVERSE: return reverse_payload(echo, payload, call, out);
    default: return fail(echo, call, CAP_UNIMPLEMENTED, "echo-c: unknown method index");
    }
}

static cap_status echo_health(void *instance, cap_call *call) {
    /* Nothing outside this process can break an echo, so it is always healthy. */
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void echo_quiesce(void *instance) {
    /* Echo runs no background work, so there is nothing to stop; say so in the log. */
    const echo_instance *echo = instance;
    echo->host_api->log(echo->host, CAP_LOG_DEBUG, text("echo-c quiesced: no background work to stop"));
}

static void echo_destroy(void *instance) {
    free(instance);
}

static const cap_plugin echo_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "echo-c",
    .version = "1.0.0",
    .vendor = "caphost examples",
    /* A fixed string keeps the build reproducible; real plugins put their git sha here. */
    .build_id = "caphost examples echo_plugin.c",
    /* Every call is independent and nothing here is global, so calls may run
     * concurrently; and with no threads or TLS destructors the library may be unloaded. */
    .flags = CAP_PLUGIN_THREAD_SAFE | CAP_PLUGIN_UNLOADABLE | CAP_PLUGIN_PARALLEL_CREATE,
    .capabilities = echo_capabilities,
    .capability_count = sizeof echo_capabilities / sizeof echo_capabilities[0],
    .create = echo_create,
    .invoke = echo_invoke,
    .health = echo_health,
    .quiesce = echo_quiesce,
    .destroy = echo_destroy,
};

/* The one exported symbol. Marked visible so it survives -fvisibility=hidden builds. */
__attribute__((visibility("default"))) const cap_plugin *cap_plugin_entry_v1(void) {
    return &echo_descriptor;
}
