/*
 * bad_magic.c — hostile fixture: the descriptor's magic is 0xDEADBEEF instead
 * of CAP_PLUGIN_MAGIC; everything else is valid.
 * The host must refuse the plugin at load, saying the magic is wrong, and must
 * not call any of its functions.
 */

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>
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
        .provider = "bad-magic",
        .methods = plugin_methods,
    },
};

static const cap_plugin plugin_descriptor = {
    /* The one fault: not "CAPHOST1". */
    .magic = 0xDEADBEEF,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "bad-magic",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture bad_magic.c",
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
