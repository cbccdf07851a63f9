/* Compile-time checks that the ABI's layout is what the header promises on LP64. */
#include "caphost_plugin.h"

_Static_assert(sizeof(cap_str) == 16, "cap_str is {ptr,len}");
_Static_assert(sizeof(cap_buffer) == 32, "cap_buffer layout");
_Static_assert(offsetof(cap_plugin, magic) == 0, "magic first");
_Static_assert(offsetof(cap_plugin, struct_size) == 8, "struct_size at 8");
_Static_assert(offsetof(cap_plugin, abi_major) == 12, "abi_major at 12");
_Static_assert(offsetof(cap_plugin, create) == 72, "create at 72");
_Static_assert(sizeof(cap_plugin) == 176, "cap_plugin is 176 bytes in ABI 1.0");
_Static_assert(sizeof(cap_capability) == 56, "cap_capability is 56 bytes in ABI 1.0");
_Static_assert(sizeof(cap_method) == 24, "cap_method is 24 bytes in ABI 1.0");
_Static_assert(offsetof(cap_host_api, log) == 8, "host services start at 8");
_Static_assert(offsetof(cap_host_api, kv_delete) == 56, "ABI 1.0 services end at 64");
_Static_assert(offsetof(cap_host_api, call_idempotency_key) == 64, "ABI 1.1 appends call_idempotency_key at 64");
_Static_assert(offsetof(cap_host_api, describe_capabilities) == 72, "ABI 1.2 appends describe_capabilities at 72");
_Static_assert(offsetof(cap_host_api, report_health) == 80, "ABI 1.3 appends report_health at 80");
_Static_assert(sizeof(cap_host_api) == 88, "cap_host_api is 88 bytes in ABI 1.3");

/** The ABI version this copy of the header describes, for tools that link the target. */
const unsigned cap_abi_header_version = (CAP_ABI_MAJOR << 16) | CAP_ABI_MINOR;
