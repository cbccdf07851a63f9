/*
 * caphost_plugin.h — the caphost plugin ABI, version 1.
 *
 * This header is the whole contract between the caphost host process and a
 * capability plugin. A plugin is a shared library (ELF .so) that exports one
 * C symbol, cap_plugin_entry_v1, returning a static descriptor. The host
 * dlopen()s the library, validates the descriptor, creates an instance with
 * its configuration, checks its health and then routes capability calls to it.
 *
 * Write a plugin in any language that can export a C function and lay out C
 * structs: C, C++, Rust, Zig, or Swift through PluginKit (which hides every
 * pointer in this file).
 *
 * ---------------------------------------------------------------------------
 * RULES OF THE ROAD
 * ---------------------------------------------------------------------------
 * 1. Payloads are UTF-8 JSON bytes, in and out. The host never parses a payload
 *    on the hot path; it validates against a method's input_schema only at its
 *    HTTP/MCP edge.
 * 2. Ownership:
 *    - A cap_str handed to the plugin is BORROWED: valid only until the
 *      function it was passed to returns. Copy what you keep.
 *    - A cap_buffer returned by the plugin is owned by the plugin until the
 *      host calls its release function (exactly once, on any thread). The host
 *      never frees plugin memory with its own allocator, and the plugin never
 *      frees host memory.
 *    - A cap_buffer filled by the HOST (kv_get, call) is likewise released by
 *      calling its release function; the plugin never free()s it.
 *    - Strings inside the descriptor (names, schemas, ...) must stay valid and
 *      unchanged for as long as the library is mapped: use static storage.
 * 3. Errors: every function returns a cap_status. A plugin may attach a human
 *    message with host->set_error(call, ...); the host copies the text. Nothing
 *    may unwind across this boundary: no C++ exception, Rust panic or Swift
 *    error may escape a function declared here.
 * 4. Threads: without CAP_PLUGIN_THREAD_SAFE the host serialises every call
 *    into one instance. With it, invoke() and health() may run concurrently on
 *    any threads. create(), quiesce() and destroy() are never concurrent with
 *    anything else on the same instance.
 * 5. Versioning (GStreamer's rule + OBS's struct-size rule):
 *    - The host accepts abi_major == its own and abi_minor <= its own.
 *    - Every struct that can grow carries its own size. A reader treats a field
 *      as present only if offsetof(field) + sizeof(field) <= struct_size, and
 *      zero-extends a smaller struct. A struct larger than the reader knows is
 *      refused (the host names both sizes).
 *    - cap_host_api only ever grows at its end. Check host->struct_size (use
 *      CAP_HOST_HAS) before calling a service newer than the one you built
 *      against.
 * 6. Unloading: the host never dlclose()s a library unless it sets
 *    CAP_PLUGIN_UNLOADABLE, and ignores that flag on any library that links
 *    libswiftCore.so. Retired versions stay mapped; a new version of a plugin
 *    is always loaded from a new content-addressed path.
 *
 * Names (plugin name, domain, category, provider, method name) match
 * ^[a-z0-9][a-z0-9_.-]*$ and are at most CAP_NAME_MAX bytes.
 */
#ifndef CAPHOST_PLUGIN_H
#define CAPHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Versions and constants                                                     */
/* ------------------------------------------------------------------------- */

/** ABI major version: a plugin built for another major is refused. */
#define CAP_ABI_MAJOR 1
/**
 * ABI minor version: the host accepts plugins with a minor <= its own.
 * 1.1 added cap_host_api.call_idempotency_key.
 * 1.2 added cap_host_api.describe_capabilities.
 * 1.3 added cap_host_api.report_health.
 * 1.4 added the CAP_PLUGIN_PARALLEL_CREATE flag.
 */
#define CAP_ABI_MINOR 4

/** Value of cap_plugin.magic: the bytes "CAPHOST1" read as a little-endian u64. */
#define CAP_PLUGIN_MAGIC 0x3154534F48504143ULL

/** Longest accepted name (plugin, domain, category, provider, method), in bytes. */
#define CAP_NAME_MAX 64

/** The name of the one symbol a plugin must export. */
#define CAP_PLUGIN_ENTRY_SYMBOL "cap_plugin_entry_v1"

/**
 * Put CAP_EXPORT before your cap_plugin_entry_v1 definition: it stays exported
 * even when the library is built with -fvisibility=hidden.
 */
#define CAP_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------------------- */
/* Status codes                                                               */
/* ------------------------------------------------------------------------- */

/**
 * Result of every call across the boundary. Stored as int32_t (not an enum)
 * so its size never depends on the compiler. Any value not listed here is
 * treated by the host as CAP_INTERNAL, and reported with the value it saw.
 */
typedef int32_t cap_status;

/** Success. */
#define CAP_OK 0
/** The payload or config is malformed or fails a check; retrying will not help. */
#define CAP_INVALID_ARGUMENT 1
/** The thing the request names does not exist. */
#define CAP_NOT_FOUND 2
/** Temporarily unable to serve (peer down, not ready); retrying later may help. */
#define CAP_UNAVAILABLE 3
/** The call's deadline passed before it finished. */
#define CAP_TIMEOUT 4
/** Not allowed: bad credentials, forbidden, wrong region. */
#define CAP_PERMISSION 5
/** A quota or rate limit was hit; retry after a back-off. */
#define CAP_RATE_LIMITED 6
/** A bug or unexpected state inside the plugin. */
#define CAP_INTERNAL 7
/** The method index is not implemented by this capability. */
#define CAP_UNIMPLEMENTED 8
/** The operation conflicts with current state (already exists, busy). */
#define CAP_CONFLICT 9
/** Highest status value defined by ABI 1.0; anything above is unknown. */
#define CAP_STATUS_MAX 9

/* ------------------------------------------------------------------------- */
/* Byte strings and buffers                                                   */
/* ------------------------------------------------------------------------- */

/**
 * A borrowed byte string: `len` bytes at `ptr`, NOT NUL-terminated. Valid only
 * for the duration of the call it is passed to. `ptr` may be NULL when len == 0.
 */
typedef struct cap_str {
    const char *ptr; /**< First byte, or NULL when len == 0. */
    size_t len;      /**< Number of bytes. */
} cap_str;

/**
 * An owned byte buffer handed across the boundary together with the function
 * that frees it. Whoever fills the buffer sets `release`; whoever receives it
 * calls `release(buf)` exactly once when done (it may be NULL for static or
 * empty data, in which case nothing is called).
 */
typedef struct cap_buffer {
    const uint8_t *data;                     /**< The bytes, or NULL when len == 0. */
    size_t len;                              /**< Number of bytes. */
    void (*release)(struct cap_buffer *buf); /**< Frees data with the filler's allocator; may be NULL. */
    void *release_ctx;                       /**< Free for the filler's use (e.g. an allocation handle). */
} cap_buffer;

/* ------------------------------------------------------------------------- */
/* Opaque host handles                                                        */
/* ------------------------------------------------------------------------- */

/** The host's handle for one plugin instance; valid from create() until destroy() returns. */
typedef struct cap_host cap_host;

/** The host's handle for one call in progress; valid only until that call returns. */
typedef struct cap_call cap_call;

/* ------------------------------------------------------------------------- */
/* Host services                                                              */
/* ------------------------------------------------------------------------- */

/* Log levels for cap_host_api.log. */
#define CAP_LOG_TRACE 0   /**< Step-by-step detail, off by default. */
#define CAP_LOG_DEBUG 1   /**< Diagnostics for the plugin's author. */
#define CAP_LOG_INFO 2    /**< Normal operation worth a line (started, connected). */
#define CAP_LOG_WARNING 3 /**< Something odd that did not fail a call. */
#define CAP_LOG_ERROR 4   /**< A failure the operator should see. */

/** Metric kinds for cap_host_api.metric. */
#define CAP_METRIC_COUNTER_ADD 0      /**< Add value (>= 0) to a counter. */
#define CAP_METRIC_HISTOGRAM_OBSERVE 1 /**< Record value in a histogram (seconds for durations). */
#define CAP_METRIC_GAUGE_SET 2        /**< Set a gauge to value. */

/** One metric label; both strings are borrowed for the duration of the call. */
typedef struct cap_label {
    cap_str key;   /**< Label name, ^[a-z_][a-z0-9_]*$. */
    cap_str value; /**< Label value, any UTF-8. */
} cap_label;

/**
 * Services the host offers a plugin instance. Passed to create(); valid until
 * destroy() returns. Append-only: new services are added at the end and
 * struct_size grows. Test for a service with CAP_HOST_HAS(host_api, field).
 * Every function is safe to call from any thread.
 */
typedef struct cap_host_api {
    /** sizeof(cap_host_api) as the host compiled it. */
    uint32_t struct_size;
    /** The host's ABI version (CAP_ABI_MAJOR / CAP_ABI_MINOR as it compiled them). */
    uint16_t abi_major;
    uint16_t abi_minor;

    /**
     * Writes one log line attributed to this instance. Never fails. The host keeps
     * at most 4096 bytes of it (cut at a character, with the number of bytes cut
     * said), replaces invalid UTF-8 and escapes control characters but tab (and
     * bidirectional overrides) as \n, \r, \u{1B}: a line can never forge another.
     */
    void (*log)(cap_host *host, int32_t level, cap_str message);

    /**
     * Attaches an error message to the call in progress. The host copies the
     * text; the last call wins. `code` should equal the status the function
     * is about to return. Call it before returning, from any thread. The text is
     * bounded as log's is (4096 bytes, valid UTF-8, controls escaped) before the
     * host returns it to any caller.
     */
    void (*set_error)(cap_call *call, cap_status code, cap_str message);

    /**
     * Records a metric named `name` (^[a-z_][a-z0-9_]*$) with `label_count`
     * labels. `kind` is a CAP_METRIC_* value. Never fails; bad names are dropped
     * and logged once. A label value is kept to 256 bytes, bounded as log's text.
     */
    void (*metric)(cap_host *host, int32_t kind, cap_str name, const cap_label *labels,
                   size_t label_count, double value);

    /**
     * Invokes another capability through the host's resolver: how plugins
     * compose. `target` is "domain:category" (the slot's current winner) or
     * "domain:category:provider". `parent` is the call being served (its
     * deadline is inherited) or NULL outside a call. On CAP_OK `*out` holds the
     * response, which the plugin releases with out->release(out). On failure
     * `*out` is empty and the status says why. Recursion deeper than the host's
     * limit returns CAP_UNAVAILABLE. On failure `*out` holds a JSON error
     * document {"code": "...", "message": "..."} (release it too), so the
     * plugin can pass the callee's reason on.
     */
    cap_status (*call)(cap_host *host, cap_call *parent, cap_str target, cap_str method,
                       cap_str payload, cap_buffer *out);

    /**
     * Reads the value stored under `key` in this plugin's durable key-value
     * store. CAP_OK with `*out` filled (release it), CAP_NOT_FOUND if absent,
     * CAP_UNAVAILABLE if the host has no state store. `*out` is empty unless
     * the status is CAP_OK.
     */
    cap_status (*kv_get)(cap_host *host, cap_str key, cap_buffer *out);

    /** Stores `value` under `key` (keys 1..256 bytes, values <= 1 MiB; larger: CAP_INVALID_ARGUMENT). */
    cap_status (*kv_put)(cap_host *host, cap_str key, cap_str value);

    /** Deletes `key`; CAP_OK whether or not it existed. */
    cap_status (*kv_delete)(cap_host *host, cap_str key);

    /* ---- Added in ABI 1.1: test with CAP_HOST_HAS(host_api, call_idempotency_key). ---- */

    /**
     * The idempotency key of the call `call`, or an empty cap_str (ptr NULL,
     * len 0) when it has none. Durable deliveries are at least once: after a
     * failed attempt or a host restart the same request arrives again with the
     * same key, so a plugin whose calls have effects remembers the keys it has
     * served (kv_put is a good place) and skips a repeat. A key is unique per
     * target and method only (a caller may reuse it for another capability or
     * method): a plugin with more than one capability or method keeps the keys
     * it has served per capability and method. The key is borrowed UTF-8 (at
     * most 256 bytes), valid until the invoke() that received `call` returns;
     * copy what you keep. Calls from outside a durable delivery,
     * create() and health(), a NULL `call`, and calls a plugin makes through
     * host->call have no key.
     */
    cap_str (*call_idempotency_key)(cap_call *call);

    /* ---- Added in ABI 1.2: test with CAP_HOST_HAS(host_api, describe_capabilities). ---- */

    /**
     * Describes the host's capability graph as it is now: every slot, its
     * candidates and the active binding. On CAP_OK `*out` holds UTF-8 JSON
     * (release it with out->release(out)):
     *
     *   {"slots": [{"domain": "adapter", "category": "notifier",
     *               "active": "adapter:notifier:mailgun",   (absent if none can serve)
     *               "decidedBy": "sentence naming the rule that decided",
     *               "override": {"provider", "origin": "pin"|"swap", "at"} (absent if none),
     *               "candidates": [{"id", "provider", "plugin", "version",
     *                               "priority", "stackLevel", "score" (0..1),
     *                               "breaker": "closed"|"open"|"half-open",
     *                               "status": "active"|"standby"|"excluded",
     *                               "reason", "inFlight", "calls", "failures"}]}]}
     *
     * close to the slots of GET /v1/capabilities: slots sorted by domain then
     * category, candidates in registration order (the winner is the one whose
     * status is "active"; "reason" says why each one stands where it does).
     * New keys may appear in later versions; ignore the ones you do not know.
     * CAP_UNAVAILABLE (with `*out` empty) while the host is not yet serving,
     * e.g. from create().
     */
    cap_status (*describe_capabilities)(cap_host *host, cap_buffer *out);

    /* ---- Added in ABI 1.3: test with CAP_HOST_HAS(host_api, report_health). ---- */

    /**
     * Reports what an outside registry (Oneiric, say) says about the health of a
     * provider this host serves: how "resolving by registry scores" reaches the
     * host's own ranking. `candidate` is its canonical id "domain:category:provider";
     * `state` is a CAP_REGISTRY_HEALTH_* value; `reason` (UTF-8, kept up to 512
     * bytes) says why, for operators.
     *
     * UNHEALTHY demotes the candidate: it ranks after every eligible candidate of
     * its slot that no registry reports unhealthy (an operator's pin or swap still
     * wins), stays eligible (a slot whose only provider is reported unhealthy still
     * serves), and explain says "demoted: <reporter> reports it unhealthy (<reason>)".
     * HEALTHY or UNKNOWN withdraws this reporter's demotion. Only a change is
     * recorded as a health_changed event; repeating a report is cheap. A report
     * stands until changed or until the reporting instance is retired.
     *
     * Returns CAP_OK; CAP_NOT_FOUND when the host serves no such candidate;
     * CAP_INVALID_ARGUMENT for a malformed id, an unknown state or a reason that is
     * not UTF-8; CAP_UNAVAILABLE while the host is not yet serving (from create()).
     * Safe from any thread, never from inside the host's own callbacks.
     */
    cap_status (*report_health)(cap_host *host, cap_str candidate, int32_t state, cap_str reason);
} cap_host_api;

/** report_health(): the registry has no opinion (withdraws an earlier report). */
#define CAP_REGISTRY_HEALTH_UNKNOWN 0
/** report_health(): the registry says the provider is healthy (withdraws a demotion). */
#define CAP_REGISTRY_HEALTH_HEALTHY 1
/** report_health(): the registry says the provider is unhealthy: demote it. */
#define CAP_REGISTRY_HEALTH_UNHEALTHY 2

/**
 * True when `api` (a const cap_host_api *) is large enough to contain `field`:
 * use before calling any service newer than ABI 1.0.
 */
#define CAP_HOST_HAS(api, field) \
    (offsetof(cap_host_api, field) + sizeof(((cap_host_api *)0)->field) <= (api)->struct_size)

/* ------------------------------------------------------------------------- */
/* Capabilities                                                               */
/* ------------------------------------------------------------------------- */

/**
 * One callable method of a capability. All strings are static, NUL-terminated
 * UTF-8. Its layout is fixed in ABI 1 (24 bytes on LP64); should it ever grow,
 * cap_capability gains a method_struct_size field at its end first.
 */
typedef struct cap_method {
    /** Method name, e.g. "send"; unique within its capability. */
    const char *name;
    /** One line saying what it does; shown as the MCP tool description. */
    const char *description;
    /** JSON Schema (draft 2020-12 text) of the request payload; NULL means "{}" (anything). */
    const char *input_schema;
} cap_method;

/**
 * One capability a plugin provides: a provider for the slot (domain, category).
 * Its canonical id is "domain:category:provider".
 */
typedef struct cap_capability {
    /** sizeof(cap_capability) as the plugin compiled it; the array stride. */
    uint32_t struct_size;
    /** Number of entries in `methods` (at least 1). */
    uint32_t method_count;
    /** One of "adapter", "service", "task", "event", "workflow". */
    const char *domain;
    /** What kind of thing it is, e.g. "notifier". */
    const char *category;
    /** Who provides it, e.g. "mailgun"; unique per (domain, category) within a plugin. */
    const char *provider;
    /** Rank for resolution, -1000...1000; higher wins. */
    int32_t priority;
    /** Tie-breaker after priority, -100...100; higher wins. */
    int32_t stack_level;
    /** The methods, `method_count` entries of sizeof(cap_method) each. */
    const cap_method *methods;
    /** One line describing the capability; may be NULL. */
    const char *description;
} cap_capability;

/* ------------------------------------------------------------------------- */
/* The plugin descriptor                                                      */
/* ------------------------------------------------------------------------- */

/** Plugin flag: invoke() and health() may run concurrently on one instance. */
#define CAP_PLUGIN_THREAD_SAFE (1ULL << 0)
/**
 * Plugin flag: the library may be dlclose()d once retired. Set it only from C
 * or Rust code with no thread-local destructors and no threads of its own that
 * outlive destroy(). Ignored for libraries that link libswiftCore.so.
 */
#define CAP_PLUGIN_UNLOADABLE (1ULL << 1)
/**
 * Plugin flag (added in ABI 1.4; older hosts ignore it): create() and the
 * first health() may run while other plugins' create() and health() run on
 * other threads, so a start with many plugins creates them side by side. Set
 * it only when create() changes no process-wide state (environment, signal
 * dispositions, current directory, locale, rlimits, globals of libraries
 * shared with other plugins). Without it the host creates the instance while
 * no other plugin's create() or first health() runs.
 */
#define CAP_PLUGIN_PARALLEL_CREATE (1ULL << 2)

/**
 * Creates an instance. `config` is the plugin's configuration as JSON text
 * ("{}" when none). On CAP_OK store the instance pointer in *instance (it may
 * be NULL if the plugin keeps no state). `host` and `host_api` stay valid
 * until destroy() returns; keep them. Use set_error(call, ...) to explain a
 * failure. When create() fails, destroy() is never called and *instance is
 * ignored: free whatever you allocated before returning.
 */
typedef cap_status (*cap_create_fn)(const cap_host_api *host_api, cap_host *host, cap_str config,
                                    cap_call *call, void **instance);

/**
 * Serves one call. `capability` indexes the descriptor's capability table and
 * `method` that capability's method table. `payload` is borrowed. On CAP_OK
 * fill *out (zeroed on entry; leave it empty for no body). On failure leave
 * *out empty or fill it with an error document; either way the host releases
 * what it finds there. `deadline_ns` is a CLOCK_MONOTONIC time in nanoseconds
 * (clock_gettime(CLOCK_MONOTONIC); not Swift's ContinuousClock, which is
 * CLOCK_BOOTTIME on Linux) after which the caller has given up (0 = none):
 * respect it in long work. An index outside your tables: return
 * CAP_UNIMPLEMENTED.
 */
typedef cap_status (*cap_invoke_fn)(void *instance, uint32_t capability, uint32_t method,
                                     cap_str payload, uint64_t deadline_ns, cap_call *call,
                                     cap_buffer *out);

/**
 * Reports whether the instance can serve: CAP_OK when healthy, otherwise the
 * status that best says why (UNAVAILABLE for a dead peer, PERMISSION for bad
 * credentials ...) with a message through set_error. Must be quick: the host
 * waits at most its health timeout (2 s by default) and counts a late answer
 * as unhealthy. Must not send real traffic that has effects.
 */
typedef cap_status (*cap_health_fn)(void *instance, cap_call *call);

/**
 * Tells the instance that no new calls will arrive (it has been swapped out,
 * upgraded or removed). In-flight calls may still be finishing. Stop
 * background work and flush state; return quickly.
 */
typedef void (*cap_quiesce_fn)(void *instance);

/**
 * Frees the instance. Called once, after quiesce() and after the last
 * in-flight call returned. Join every thread the instance started.
 */
typedef void (*cap_destroy_fn)(void *instance);

/**
 * The plugin descriptor: static, immutable, returned by cap_plugin_entry_v1().
 * All pointers in it must stay valid for as long as the library is mapped.
 */
typedef struct cap_plugin {
    /** Must be CAP_PLUGIN_MAGIC. */
    uint64_t magic;
    /** sizeof(cap_plugin) as the plugin compiled it. */
    uint32_t struct_size;
    /** CAP_ABI_MAJOR the plugin was compiled against. */
    uint16_t abi_major;
    /** CAP_ABI_MINOR the plugin was compiled against. */
    uint16_t abi_minor;
    /** Plugin name, e.g. "mailgun-notifier". */
    const char *name;
    /** Semantic version "MAJOR.MINOR.PATCH[-pre][+build]"; a higher version upgrades a lower one. */
    const char *version;
    /** Who made it, free text. */
    const char *vendor;
    /** Free text identifying the build: git sha, toolchain, date. */
    const char *build_id;
    /** CAP_PLUGIN_* flags. */
    uint64_t flags;
    /** Capability table: `capability_count` entries, stride capabilities[0].struct_size. */
    const cap_capability *capabilities;
    /** Number of capabilities (at least 1). */
    uint32_t capability_count;
    /** Reserved, must be 0. */
    uint32_t reserved0;
    /** Required. */
    cap_create_fn create;
    /** Required. */
    cap_invoke_fn invoke;
    /** Required. */
    cap_health_fn health;
    /** Optional (NULL = nothing to do). */
    cap_quiesce_fn quiesce;
    /** Required. */
    cap_destroy_fn destroy;
    /** Reserved for future minor versions; must be zero. */
    void *reserved[8];
} cap_plugin;

/**
 * The one symbol a plugin exports. Returns a pointer to its static descriptor;
 * must be callable any number of times, from any thread, always returning the
 * same pointer (idempotent one-time setup, e.g. under pthread_once, is fine).
 */
typedef const cap_plugin *(*cap_plugin_entry_fn)(void);

#ifdef CAP_DECLARE_ENTRY
/* Define CAP_DECLARE_ENTRY before including this header to have the compiler check your entry signature. */
const cap_plugin *cap_plugin_entry_v1(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* CAPHOST_PLUGIN_H */
