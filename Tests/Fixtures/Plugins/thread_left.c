/*
 * thread_left.c — hostile fixture: create() starts a detached thread that sleeps
 * in a loop forever, and destroy() does not stop it. Build with -pthread.
 * The plugin does not claim CAP_PLUGIN_UNLOADABLE, so the host must keep the
 * library mapped after destroy (unmapping it would crash the process); it should
 * report the thread the plugin left behind.
 */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_OWN_CREATE
#define FIXTURE_NOOP_INVOKE
#include "fixture_stubs.h"

static const cap_method plugin_methods[] = {
    {"ok", "Returns CAP_OK with an empty body.", NULL},
};

static const cap_capability plugin_capabilities[] = {
    {
        .struct_size = sizeof(cap_capability),
        .method_count = sizeof plugin_methods / sizeof plugin_methods[0],
        .domain = "adapter",
        .category = "hostile",
        .provider = "thread-left",
        .methods = plugin_methods,
    },
};

_Noreturn static void sleep_forever(void) {
    for (;;) sleep(1);
}

static void *run_left_thread(void *unused) {
    (void)unused;
    sleep_forever();
}

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host;
    (void)config;
    pthread_attr_t attributes;
    pthread_t thread;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int error = pthread_create(&thread, &attributes, run_left_thread, NULL);
    pthread_attr_destroy(&attributes);
    if (error != 0) {
        const char *message = strerror(error);
        host_api->set_error(call, CAP_INTERNAL, (cap_str){message, strlen(message)});
        return CAP_INTERNAL;
    }
    *instance = NULL;
    return CAP_OK;
}

/* The one fault: the thread started in create keeps running after this returns. */
static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "thread-left",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture thread_left.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = plugin_capabilities,
    .capability_count = sizeof plugin_capabilities / sizeof plugin_capabilities[0],
    .create = create_instance,
    .invoke = invoke_nothing,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &plugin_descriptor;
}
