/*
 * no_entry.c — hostile fixture: a complete, valid plugin exported under the
 * wrong name, cap_plugin_entry, so the library has no cap_plugin_entry_v1.
 * The host must refuse the library at load, saying the symbol
 * cap_plugin_entry_v1 is missing.
 */

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
        .provider = "no-entry",
        .methods = plugin_methods,
    },
};

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = "no-entry",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture no_entry.c",
    .flags = CAP_PLUGIN_THREAD_SAFE,
    .capabilities = plugin_capabilities,
    .capability_count = sizeof plugin_capabilities / sizeof plugin_capabilities[0],
    .create = create_instance,
    .invoke = invoke_nothing,
    .health = check_health,
    .destroy = destroy_instance,
};

/* The one fault: a plausible misspelling of CAP_PLUGIN_ENTRY_SYMBOL ("cap_plugin_entry_v1"). */
const cap_plugin *cap_plugin_entry(void);

const cap_plugin *cap_plugin_entry(void) {
    return &plugin_descriptor;
}
