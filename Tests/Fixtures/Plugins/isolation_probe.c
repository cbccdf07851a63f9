/*
 * isolation_probe.c — a plugin that uses every host service and can misbehave in every way
 * isolated mode must survive; the same file serves in-process and isolated tests, so a test
 * can show that a plugin cannot tell the difference.
 *
 * Methods (payload in brackets):
 *   echo              returns the payload
 *   services [TARGET] logs a line, records a counter, kv_put/kv_get "probe" = "kept", reads the
 *                     idempotency key and describe_capabilities, host->call TARGET "noop" (the
 *                     parent's deadline and depth apply) and answers what it saw as JSON
 *   fail              set_error(INVALID_ARGUMENT, "the payload was refused: ...") and fail
 *   deadline          returns the deadline_ns it received, in decimal
 *   pid               returns getpid() of the process it runs in
 *   crash | abort | exit | hang   SIGSEGV | abort() | exit(3) | sleeps past any deadline (10 s)
 *   background_crash  returns OK; a thread it starts dies of SIGSEGV 100 ms later
 *   fork              forks a child that sleeps 60 s; returns the child's pid
 *   allocate [MB]     mallocs and touches MB MiB; "allocated" or INTERNAL "malloc failed"
 *   burn [S]          spins the CPU for S seconds
 *
 * Config (JSON text, read with strstr): "exit_in_create" exits(3) in create;
 * "crash_while_file_exists": "PATH" starts a thread that dies of SIGSEGV 100 ms after create
 * while PATH exists (a crash loop an operator ends by removing the file and resuming).
 */

#define _GNU_SOURCE
#define CAP_DECLARE_ENTRY
#define FIXTURE_OWN_CREATE
#include <caphost_plugin.h>
#include "fixture_stubs.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "isolation-probe"
#endif
#ifndef CAP_CATEGORY
#define CAP_CATEGORY "probe"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "probe"
#endif
#ifndef CAP_PRIORITY
#define CAP_PRIORITY 0
#endif

enum { M_ECHO, M_SERVICES, M_FAIL, M_DEADLINE, M_PID, M_CRASH, M_ABORT, M_EXIT, M_HANG,
       M_BACKGROUND_CRASH, M_FORK, M_ALLOCATE, M_BURN };

static const cap_method methods[] = {
    [M_ECHO] = {"echo", "Returns the payload.", NULL},
    [M_SERVICES] = {"services", "Uses every host service and reports what it saw.", NULL},
    [M_FAIL] = {"fail", "Fails with INVALID_ARGUMENT and a message.", NULL},
    [M_DEADLINE] = {"deadline", "Returns the deadline it received.", NULL},
    [M_PID] = {"pid", "Returns the pid of its process.", NULL},
    [M_CRASH] = {"crash", "Dies of SIGSEGV.", NULL},
    [M_ABORT] = {"abort", "Calls abort().", NULL},
    [M_EXIT] = {"exit", "Calls exit(3).", NULL},
    [M_HANG] = {"hang", "Sleeps 10 s.", NULL},
    [M_BACKGROUND_CRASH] = {"background_crash", "A thread dies of SIGSEGV 100 ms later.", NULL},
    [M_FORK] = {"fork", "Forks a child that sleeps 60 s.", NULL},
    [M_ALLOCATE] = {"allocate", "Mallocs and touches N MiB.", NULL},
    [M_BURN] = {"burn", "Spins the CPU for N seconds.", NULL},
};

static const cap_capability capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = sizeof methods / sizeof methods[0],
    .domain = "adapter",
    .category = CAP_CATEGORY,
    .provider = CAP_PROVIDER,
    .priority = CAP_PRIORITY,
    .methods = methods,
}};

static const cap_host_api *api;
static cap_host *host_handle;

static void crash_soon(void) {
    usleep(100 * 1000);
    volatile int *volatile null_pointer = NULL;
    *null_pointer = 1;
}

static void *crash_thread(void *unused) {
    (void)unused;
    crash_soon();
    return NULL;
}

static void start_crash_thread(void) {
    pthread_t thread;
    pthread_create(&thread, NULL, crash_thread, NULL);
    pthread_detach(thread);
}

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)call;
    api = host_api;
    host_handle = host;
    *instance = NULL;
    char text[1024] = {0};
    memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
    if (strstr(text, "\"exit_in_create\"")) exit(3);
    const char *marker = strstr(text, "\"crash_while_file_exists\"");
    if (marker) {
        const char *open_quote = strchr(marker + strlen("\"crash_while_file_exists\""), '"');
        const char *close_quote = open_quote ? strchr(open_quote + 1, '"') : NULL;
        if (open_quote && close_quote) {
            char path[512] = {0};
            size_t length = (size_t)(close_quote - open_quote - 1);
            memcpy(path, open_quote + 1, length < sizeof path - 1 ? length : sizeof path - 1);
            if (access(path, F_OK) == 0) start_crash_thread();
        }
    }
    return CAP_OK;
}

static void fill_copy(cap_buffer *out, const void *bytes, size_t length);

static void release_malloc(cap_buffer *buffer) {
    free((void *)buffer->data);
    buffer->data = NULL;
    buffer->len = 0;
}

static void fill_copy(cap_buffer *out, const void *bytes, size_t length) {
    if (length == 0) return;
    uint8_t *copy = malloc(length);
    memcpy(copy, bytes, length);
    out->data = copy;
    out->len = length;
    out->release = release_malloc;
}

static void fill_text(cap_buffer *out, const char *text) { fill_copy(out, text, strlen(text)); }

static cap_str str(const char *text) { return (cap_str){text, strlen(text)}; }

static cap_status services(cap_str payload, cap_call *call, cap_buffer *out) {
    api->log(host_handle, CAP_LOG_INFO, str("isolation-probe: services called"));
    cap_label label = {str("method"), str("services")};
    api->metric(host_handle, CAP_METRIC_COUNTER_ADD, str("isolation_probe_calls_total"), &label, 1, 1);
    cap_status put = api->kv_put(host_handle, str("probe"), str("kept"));
    cap_buffer got = {0};
    cap_status get = api->kv_get(host_handle, str("probe"), &got);
    char kept[64] = {0};
    if (get == CAP_OK) memcpy(kept, got.data, got.len < sizeof kept - 1 ? got.len : sizeof kept - 1);
    if (got.release) got.release(&got);
    cap_str key = api->call_idempotency_key(call);
    char key_text[300] = {0};
    if (key.len) memcpy(key_text, key.ptr, key.len < sizeof key_text - 1 ? key.len : sizeof key_text - 1);
    cap_buffer described = {0};
    cap_status describe = api->describe_capabilities(host_handle, &described);
    int described_slots = described.len > 0 && strstr((const char *)described.data, "\"slots\"") != NULL;
    if (described.release) described.release(&described);
    char target[128] = {0};
    memcpy(target, payload.ptr, payload.len < sizeof target - 1 ? payload.len : sizeof target - 1);
    cap_buffer nested = {0};
    cap_status nested_status = payload.len ? api->call(host_handle, call, str(target), str("noop"), str("{}"), &nested) : -1;
    char nested_text[256] = {0};
    if (nested.len) memcpy(nested_text, nested.data, nested.len < sizeof nested_text - 1 ? nested.len : sizeof nested_text - 1);
    if (nested.release) nested.release(&nested);
    cap_buffer unparented = {0};
    cap_status unparented_status = payload.len ? api->call(host_handle, NULL, str(target), str("noop"), str("{}"), &unparented) : -1;
    if (unparented.release) unparented.release(&unparented);
    char answer[1024];
    snprintf(answer, sizeof answer,
             "{\"kv_put\":%d,\"kv_get\":%d,\"kept\":\"%s\",\"key\":\"%s\",\"describe\":%d,\"described_slots\":%d,"
             "\"nested\":%d,\"nested_body\":%zu,\"unparented\":%d}",
             put, get, kept, key_text, describe, described_slots, nested_status, strlen(nested_text), unparented_status);
    fill_text(out, answer);
    return CAP_OK;
}

static cap_status invoke_method(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    char text[64];
    switch (method) {
    case M_ECHO:
        fill_copy(out, payload.ptr, payload.len);
        return CAP_OK;
    case M_SERVICES:
        return services(payload, call, out);
    case M_FAIL:
        api->set_error(call, CAP_INVALID_ARGUMENT, str("the payload was refused: it is not what this method wants"));
        return CAP_INVALID_ARGUMENT;
    case M_DEADLINE:
        snprintf(text, sizeof text, "%llu", (unsigned long long)deadline_ns);
        fill_text(out, text);
        return CAP_OK;
    case M_PID:
        snprintf(text, sizeof text, "%d", (int)getpid());
        fill_text(out, text);
        return CAP_OK;
    case M_CRASH: {
        volatile int *volatile null_pointer = NULL;
        *null_pointer = 1;
        return CAP_OK;
    }
    case M_ABORT:
        abort();
    case M_EXIT:
        exit(3);
    case M_HANG:
        sleep(10);
        return CAP_OK;
    case M_BACKGROUND_CRASH:
        start_crash_thread();
        return CAP_OK;
    case M_FORK: {
        pid_t child = fork();
        if (child == 0) {
            sleep(60);
            _exit(0);
        }
        snprintf(text, sizeof text, "%d", (int)child);
        fill_text(out, text);
        return CAP_OK;
    }
    case M_ALLOCATE: {
        long megabytes = payload.len ? strtol(payload.ptr, NULL, 10) : 1;
        size_t size = (size_t)megabytes << 20;
        char *memory = malloc(size);
        if (!memory) {
            api->set_error(call, CAP_INTERNAL, str("malloc failed"));
            return CAP_INTERNAL;
        }
        memset(memory, 1, size);
        free(memory);
        fill_text(out, "allocated");
        return CAP_OK;
    }
    case M_BURN: {
        long seconds = payload.len ? strtol(payload.ptr, NULL, 10) : 1;
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        volatile unsigned long spin = 0;
        do {
            for (int i = 0; i < 1000000; i++) spin++;
            clock_gettime(CLOCK_MONOTONIC, &now);
        } while (now.tv_sec - start.tv_sec < seconds);
        fill_text(out, "burnt");
        return CAP_OK;
    }
    default:
        return CAP_UNIMPLEMENTED;
    }
}

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = capabilities,
    .capability_count = 1,
    .create = create_instance,
    .invoke = invoke_method,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &plugin_descriptor;
}
