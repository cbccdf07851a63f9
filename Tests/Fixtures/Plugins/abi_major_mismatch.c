/*
 * abi_major_mismatch.c — hostile fixture: the descriptor claims ABI major 2;
 * everything else is valid ABI 1.0.
 * The host must refuse the plugin at load, naming both ABI versions, and must
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
        .provider = "abi-major-mismatch",
        .methods = plugin_methods,
    },
};

static const cap_plugin plugin_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    /* The one fault: a major this host does not speak. */
    .abi_major = 2,
    .abi_minor = CAP_ABI_MINOR,
    .name = "abi-major-mismatch",
    .version = "1.0.0",
    .vendor = "caphost tests",
    .build_id = "fixture abi_major_mismatch.c",
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
