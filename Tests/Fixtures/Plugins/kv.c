/*
 * kv.c — test fixture: drives the host's durable key-value services
 * (kv_get / kv_put / kv_delete) so a test sees them end to end, from C.
 *
 * Methods (payloads are plain bytes, not JSON, to keep the fixture small):
 *   put     payload "KEY=VALUE" (split at the first '='; VALUE may be empty)
 *           → kv_put(KEY, VALUE); answers the host's status, body empty;
 *   get     payload "KEY" → the stored value as the body, or the host's status
 *           (CAP_NOT_FOUND when absent) with a message naming the key;
 *   delete  payload "KEY" → kv_delete(KEY).
 * A host without a state store answers CAP_UNAVAILABLE, which is passed on.
 * health is always CAP_OK.
 *
 * Configure with -D (string values quoted): PLUGIN_NAME "kv", PLUGIN_VERSION
 * "1.0.0", CAP_DOMAIN "adapter", CAP_CATEGORY "kv", CAP_PROVIDER "kv",
 * CAP_PRIORITY 0, CAP_STACK_LEVEL 0, PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "kv"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef CAP_DOMAIN
#define CAP_DOMAIN "adapter"
#endif
#ifndef CAP_CATEGORY
#define CAP_CATEGORY "kv"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "kv"
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

enum { METHOD_PUT, METHOD_GET, METHOD_DELETE };

static const cap_method kv_methods[] = {
    [METHOD_PUT] = {"put", "Stores VALUE under KEY (payload KEY=VALUE).", NULL},
    [METHOD_GET] = {"get", "Returns the value stored under KEY (payload KEY).", NULL},
    [METHOD_DELETE] = {"delete", "Deletes KEY (payload KEY).", NULL},
};

static const cap_capability kv_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = sizeof kv_methods / sizeof kv_methods[0],
    .domain = CAP_DOMAIN,
    .category = CAP_CATEGORY,
    .provider = CAP_PROVIDER,
    .priority = CAP_PRIORITY,
    .stack_level = CAP_STACK_LEVEL,
    .methods = kv_methods,
    .description = "Fixture for the host's key-value services.",
}};

typedef struct kv_instance {
    const cap_host_api *host_api;
    cap_host *host;
} kv_instance;

static cap_status fail(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
    return code;
}

/* Passes a failing host status on with a message that names the service and the key. */
static cap_status relay(const kv_instance *kv, cap_call *call, cap_status status, const char *service, cap_str key) {
    if (status == CAP_OK) return CAP_OK;
    char message[160];
    snprintf(message, sizeof message, "%s '%.*s' returned status %d", service, (int)(key.len > 64 ? 64 : key.len),
             key.ptr == NULL ? "" : key.ptr, (int)status);
    return fail(kv->host_api, call, status, message);
}

static cap_status kv_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                            uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability;
    (void)deadline_ns;
    const kv_instance *kv = instance;
    switch (method) {
    case METHOD_PUT: {
        const char *equals = payload.len > 0 ? memchr(payload.ptr, '=', payload.len) : NULL;
        if (equals == NULL) return fail(kv->host_api, call, CAP_INVALID_ARGUMENT, "put: payload must be KEY=VALUE");
        cap_str key = {payload.ptr, (size_t)(equals - payload.ptr)};
        cap_str value = {equals + 1, payload.len - key.len - 1};
        return relay(kv, call, kv->host_api->kv_put(kv->host, key, value), "kv_put", key);
    }
    case METHOD_GET:
        /* On CAP_OK the host filled *out; the host releases it with its own release function. */
        return relay(kv, call, kv->host_api->kv_get(kv->host, payload, out), "kv_get", payload);
    case METHOD_DELETE:
        return relay(kv, call, kv->host_api->kv_delete(kv->host, payload), "kv_delete", payload);
    default:
        return fail(kv->host_api, call, CAP_UNIMPLEMENTED, "kv: unknown method index");
    }
}

static cap_status kv_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                            void **instance) {
    (void)config;
    kv_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return fail(host_api, call, CAP_INTERNAL, "kv: out of memory");
    created->host_api = host_api;
    created->host = host;
    *instance = created;
    return CAP_OK;
}

static cap_status kv_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void kv_destroy(void *instance) {
    free(instance);
}

static const cap_plugin kv_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture kv.c",
    .flags = PLUGIN_FLAGS,
    .capabilities = kv_capabilities,
    .capability_count = 1,
    .create = kv_create,
    .invoke = kv_invoke,
    .health = kv_health,
    .destroy = kv_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &kv_descriptor;
}
