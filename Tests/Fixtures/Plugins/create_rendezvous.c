/*
 * create_rendezvous.c — test fixture: a create() that shows whether the host ran it beside
 * other plugins' creates, through marker files in RENDEZVOUS_DIR (one per process: the
 * markers carry the pid, so a probe in a child process never counts).
 *
 * create() makes "creating-<pid>-SELF", then:
 *   - with PEER set: waits (up to 5 s) until "creating-<pid>-PEER" or "created-<pid>-PEER"
 *     exists, and fails with "PEER was never created alongside SELF" if it does not — two
 *     fixtures naming each other load only when their creates overlap;
 *   - with ALONE 1: fails, naming the other, if another "creating-<pid>-*" marker exists at
 *     its start or after HOLD_MS milliseconds;
 *   - otherwise holds for HOLD_MS milliseconds;
 * and renames its marker to "created-<pid>-SELF" before returning CAP_OK.
 *
 * Configure with -D (strings quoted): RENDEZVOUS_DIR (required), SELF (required), PEER,
 * ALONE 0, HOLD_MS 0, PLUGIN_FLAGS CAP_PLUGIN_PARALLEL_CREATE, PLUGIN_VERSION "1.0.0",
 * CAP_PROVIDER SELF.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_OWN_CREATE
#define FIXTURE_NOOP_INVOKE
#include "fixture_stubs.h"

#ifndef RENDEZVOUS_DIR
#error "define RENDEZVOUS_DIR"
#endif
#ifndef SELF
#error "define SELF"
#endif
#ifndef ALONE
#define ALONE 0
#endif
#ifndef HOLD_MS
#define HOLD_MS 0
#endif
#ifndef PLUGIN_FLAGS
#define PLUGIN_FLAGS CAP_PLUGIN_PARALLEL_CREATE
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER SELF
#endif

static void pause_ms(long ms) {
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0) {}
}

static void fail_with(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
}

__attribute__((unused))
static int exists(const char *path) { return access(path, F_OK) == 0; }

static void marker(char *out, size_t size, const char *stage, const char *name) {
    snprintf(out, size, "%s/%s-%ld-%s", RENDEZVOUS_DIR, stage, (long)getpid(), name);
}

/* The name of another plugin of this process whose create is under way, or 0 when none. */
__attribute__((unused))
static int other_creating(char *other, size_t size) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "creating-%ld-", (long)getpid());
    DIR *dir = opendir(RENDEZVOUS_DIR);
    if (dir == NULL) return 0;
    int found = 0;
    for (struct dirent *entry; !found && (entry = readdir(dir)) != NULL;) {
        const char *name = entry->d_name;
        if (strncmp(name, prefix, strlen(prefix)) == 0 && strcmp(name + strlen(prefix), SELF) != 0) {
            snprintf(other, size, "%s", name + strlen(prefix));
            found = 1;
        }
    }
    closedir(dir);
    return found;
}

static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host;
    (void)config;
    *instance = NULL;
    char creating[512], created[512];
    marker(creating, sizeof creating, "creating", SELF);
    marker(created, sizeof created, "created", SELF);
    int fd = open(creating, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail_with(host_api, call, CAP_INTERNAL, "cannot create the marker file in " RENDEZVOUS_DIR);
        return CAP_INTERNAL;
    }
    close(fd);
    cap_status status = CAP_OK;
#ifdef PEER
    char peer_creating[512], peer_created[512];
    marker(peer_creating, sizeof peer_creating, "creating", PEER);
    marker(peer_created, sizeof peer_created, "created", PEER);
    int waited = 0;
    while (!exists(peer_creating) && !exists(peer_created) && waited < 5000) {
        pause_ms(10);
        waited += 10;
    }
    if (!exists(peer_creating) && !exists(peer_created)) {
        fail_with(host_api, call, CAP_UNAVAILABLE, PEER " was never created alongside " SELF);
        status = CAP_UNAVAILABLE;
    }
#else
    char other[256];
    if (ALONE && other_creating(other, sizeof other)) status = CAP_CONFLICT;
    if (status == CAP_OK) pause_ms(HOLD_MS);
    if (status == CAP_OK && ALONE && other_creating(other, sizeof other)) status = CAP_CONFLICT;
    if (status == CAP_CONFLICT) {
        char message[512];
        snprintf(message, sizeof message, SELF " was created while %s was being created", other);
        fail_with(host_api, call, CAP_CONFLICT, message);
    }
#endif
    rename(creating, created);
    return status;
}

static const cap_method methods[] = {{"noop", "Does nothing.", NULL}};

static const cap_capability capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = "adapter",
    .category = "rendezvous",
    .provider = CAP_PROVIDER,
    .methods = methods,
    .description = "Parallel-create fixture.",
}};

static const cap_plugin descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "rendezvous-" SELF,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture",
    .flags = PLUGIN_FLAGS,
    .capabilities = capabilities,
    .capability_count = 1,
    .create = create_instance,
    .invoke = invoke_nothing,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) { return &descriptor; }
