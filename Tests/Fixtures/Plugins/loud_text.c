/*
 * loud_text.c — test fixture: a plugin that hands the host text it must bound.
 *
 * One capability adapter:loud:text with methods
 *   fail       fails CAP_INTERNAL with the payload's bytes, verbatim, as its error message
 *              (any size, any bytes: control characters, invalid UTF-8);
 *   fail_huge  fails CAP_INTERNAL with a 1 MiB message: "huge:" then 'x' up to 1 MiB;
 *   log        logs the payload's bytes, verbatim, at warning level, then CAP_OK.
 * The host must keep at most 4096 bytes of each text, valid UTF-8 with controls escaped,
 * and say how much it cut.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#define HUGE_MESSAGE_BYTES (1u << 20)

enum { METHOD_FAIL, METHOD_FAIL_HUGE, METHOD_LOG };

static const cap_method loud_methods[] = {
    [METHOD_FAIL] = {"fail", "Fails with the payload as its error message, verbatim.", NULL},
    [METHOD_FAIL_HUGE] = {"fail_huge", "Fails with a 1 MiB error message.", NULL},
    [METHOD_LOG] = {"log", "Logs the payload, verbatim, at warning level.", NULL},
};

static const cap_capability loud_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = sizeof loud_methods / sizeof loud_methods[0],
    .domain = "adapter",
    .category = "loud",
    .provider = "text",
    .methods = loud_methods,
    .description = "Fixture that hands the host unbounded, hostile text.",
}};

typedef struct loud_instance {
    const cap_host_api *host_api;
    cap_host *host;
} loud_instance;

static cap_status loud_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                              uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability;
    (void)deadline_ns;
    (void)out;
    const loud_instance *loud = instance;
    switch (method) {
    case METHOD_FAIL:
        loud->host_api->set_error(call, CAP_INTERNAL, payload);
        return CAP_INTERNAL;
    case METHOD_FAIL_HUGE: {
        char *message = malloc(HUGE_MESSAGE_BYTES);
        if (message == NULL) return CAP_INTERNAL;
        memset(message, 'x', HUGE_MESSAGE_BYTES);
        memcpy(message, "huge:", 5);
        loud->host_api->set_error(call, CAP_INTERNAL, (cap_str){message, HUGE_MESSAGE_BYTES});
        free(message); /* the host copied it */
        return CAP_INTERNAL;
    }
    case METHOD_LOG:
        loud->host_api->log(loud->host, CAP_LOG_WARNING, payload);
        return CAP_OK;
    default:
        return CAP_UNIMPLEMENTED;
    }
}

static cap_status loud_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                              void **instance) {
    (void)config;
    (void)call;
    loud_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return CAP_INTERNAL;
    created->host_api = host_api;
    created->host = host;
    *instance = created;
    return CAP_OK;
}

static cap_status loud_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void loud_destroy(void *instance) {
    free(instance);
}

static const cap_plugin loud_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "loud-text",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture loud_text.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = loud_capabilities,
    .capability_count = 1,
    .create = loud_create,
    .invoke = loud_invoke,
    .health = loud_health,
    .destroy = loud_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &loud_descriptor;
}
