/*
 * multi.c — test fixture: one plugin with CAP_COUNT capabilities in one slot,
 * for registry and resolution scale tests. Build with -pthread.
 *
 * Capabilities CAP_DOMAIN:CAP_CATEGORY:<CAP_PROVIDER><NNNN> for NNNN = 0000,
 * 0001, ... (p0000, p0001, ... by default), all at priority CAP_PRIORITY and
 * stack level CAP_STACK_LEVEL, each with the single method `noop`, which
 * returns CAP_OK with an empty response. health is always CAP_OK. The host
 * must register every one of them (or, for CAP_COUNT above its limit, refuse
 * the plugin by naming the limit).
 *
 * Configure with -D (string values quoted, e.g. -DCAP_PROVIDER='"q"'):
 *   PLUGIN_NAME "multi", PLUGIN_VERSION "1.0.0", CAP_DOMAIN "adapter",
 *   CAP_CATEGORY "bench", CAP_PROVIDER "p" (the provider prefix),
 *   CAP_COUNT 1000, CAP_PRIORITY 0, CAP_STACK_LEVEL 0,
 *   PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE.
 */
#include <pthread.h>
#include <stdio.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
#define FIXTURE_NOOP_INVOKE
#include "fixture_stubs.h"

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "multi"
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
#define CAP_PROVIDER "p"
#endif
#ifndef CAP_COUNT
#define CAP_COUNT 1000
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

_Static_assert(CAP_COUNT >= 1, "CAP_COUNT must be at least 1");
/* The prefix plus up to 10 digits of an index must fit a name. */
_Static_assert(sizeof(CAP_PROVIDER) - 1 + 10 <= CAP_NAME_MAX, "CAP_PROVIDER prefix is too long");

static const cap_method noop_method[] = {{"noop", "Does nothing and returns an empty body.", NULL}};

/* Filled once by build_capability_table(); static so the host may keep pointers into them. */
static char provider_names[CAP_COUNT][CAP_NAME_MAX + 1];
static cap_capability multi_capabilities[CAP_COUNT];
static pthread_once_t capability_table_once = PTHREAD_ONCE_INIT;

static void build_capability_table(void) {
    for (unsigned index = 0; index < CAP_COUNT; index++) {
        snprintf(provider_names[index], sizeof provider_names[index], "%s%04u", CAP_PROVIDER, index);
        multi_capabilities[index] = (cap_capability){
            .struct_size = sizeof(cap_capability),
            .method_count = 1,
            .domain = CAP_DOMAIN,
            .category = CAP_CATEGORY,
            .provider = provider_names[index],
            .priority = CAP_PRIORITY,
            .stack_level = CAP_STACK_LEVEL,
            .methods = noop_method,
        };
    }
}

/* No instance state: every capability is the same no-op (fixture_stubs.h). */
static const cap_plugin multi_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture multi.c",
    .flags = PLUGIN_FLAGS,
    .capabilities = multi_capabilities,
    .capability_count = CAP_COUNT,
    .create = create_instance,
    .invoke = invoke_nothing,
    .health = check_health,
    .destroy = destroy_instance,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    /* The host may call the entry from several threads at once; build the table exactly once. */
    pthread_once(&capability_table_once, build_capability_table);
    return &multi_descriptor;
}
