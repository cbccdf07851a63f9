/*
 * controllable.c — test fixture: a plugin whose behaviour a test changes while
 * it runs, by writing one byte to a control file.
 *
 * Config: {"control_file":"/abs/path"} (required; anything else is refused with
 * CAP_INVALID_ARGUMENT naming the key). Every `work` call and every health
 * check reads the file's first byte:
 *   absent, empty or '0'  work returns {"provider":"<provider>","version":"<version>"};
 *   'f'                   work fails with CAP_UNAVAILABLE, "controlled failure";
 *   's'                   work sleeps 50 ms, then answers normally;
 *   'h'                   work answers normally, health fails with CAP_UNAVAILABLE.
 * Any other first byte makes work fail with CAP_INTERNAL naming the byte. The
 * host must pass these statuses and messages through, and act on them
 * (failover, health state, latency) as its policies say.
 *
 * Configure with -D (string values quoted, e.g. -DCAP_PROVIDER='"alpha"'):
 *   PLUGIN_NAME "controllable", PLUGIN_VERSION "1.0.0", CAP_DOMAIN "adapter",
 *   CAP_CATEGORY "work", CAP_PROVIDER "controllable", CAP_PRIORITY 0,
 *   CAP_STACK_LEVEL 0, PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "controllable"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef CAP_DOMAIN
#define CAP_DOMAIN "adapter"
#endif
#ifndef CAP_CATEGORY
#define CAP_CATEGORY "work"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "controllable"
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

#define CONTROL_FILE_KEY "control_file"
#define SLOW_MODE_DELAY_NS 50000000L

static const cap_method work_method[] = {
    {"work", "Answers with its provider and version, or as the control file says.", NULL},
};

static const cap_capability controllable_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = CAP_DOMAIN,
    .category = CAP_CATEGORY,
    .provider = CAP_PROVIDER,
    .priority = CAP_PRIORITY,
    .stack_level = CAP_STACK_LEVEL,
    .methods = work_method,
    .description = "Fixture whose failures a test switches on and off.",
}};

static const char work_response[] = "{\"provider\":\"" CAP_PROVIDER "\",\"version\":\"" PLUGIN_VERSION "\"}";

typedef struct controllable_instance {
    const cap_host_api *host_api;
    char control_file[]; /* NUL-terminated absolute path. */
} controllable_instance;

static cap_status fail(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
    return code;
}

/* ---- A minimal JSON reader: just enough to find one string member of the top-level object. ---- */

typedef struct json_cursor {
    const char *at;
    const char *end;
} json_cursor;

static bool is_whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_whitespace(json_cursor *cursor) {
    while (cursor->at < cursor->end && is_whitespace(*cursor->at)) cursor->at++;
}

static bool consume(json_cursor *cursor, char expected) {
    skip_whitespace(cursor);
    if (cursor->at >= cursor->end || *cursor->at != expected) return false;
    cursor->at++;
    return true;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the four hex digits of a \u escape (the cursor is past the 'u'). */
static bool read_hex4(json_cursor *cursor, uint32_t *value) {
    if (cursor->end - cursor->at < 4) return false;
    *value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit(*cursor->at++);
        if (digit < 0) return false;
        *value = *value << 4 | (uint32_t)digit;
    }
    return true;
}

/* Decodes a \u escape, joining a surrogate pair, into a code point; lone surrogates are malformed. */
static bool read_unicode_escape(json_cursor *cursor, uint32_t *code_point) {
    if (!read_hex4(cursor, code_point)) return false;
    if (*code_point >= 0xDC00 && *code_point <= 0xDFFF) return false;
    if (*code_point < 0xD800 || *code_point > 0xDBFF) return true;
    uint32_t low;
    if (cursor->end - cursor->at < 2 || cursor->at[0] != '\\' || cursor->at[1] != 'u') return false;
    cursor->at += 2;
    if (!read_hex4(cursor, &low) || low < 0xDC00 || low > 0xDFFF) return false;
    *code_point = 0x10000 + ((*code_point - 0xD800) << 10) + (low - 0xDC00);
    return true;
}

/* Appends one byte to the decoded string while it fits; `length` keeps counting so callers see overflow. */
static void emit(char *out, size_t capacity, size_t *length, char byte) {
    if (out != NULL && *length < capacity) out[*length] = byte;
    (*length)++;
}

static void emit_utf8(char *out, size_t capacity, size_t *length, uint32_t code_point) {
    if (code_point < 0x80) {
        emit(out, capacity, length, (char)code_point);
    } else if (code_point < 0x800) {
        emit(out, capacity, length, (char)(0xC0 | code_point >> 6));
        emit(out, capacity, length, (char)(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        emit(out, capacity, length, (char)(0xE0 | code_point >> 12));
        emit(out, capacity, length, (char)(0x80 | (code_point >> 6 & 0x3F)));
        emit(out, capacity, length, (char)(0x80 | (code_point & 0x3F)));
    } else {
        emit(out, capacity, length, (char)(0xF0 | code_point >> 18));
        emit(out, capacity, length, (char)(0x80 | (code_point >> 12 & 0x3F)));
        emit(out, capacity, length, (char)(0x80 | (code_point >> 6 & 0x3F)));
        emit(out, capacity, length, (char)(0x80 | (code_point & 0x3F)));
    }
}

/*
 * Reads a JSON string at the cursor, decoding it into out[0..capacity) when
 * out is not NULL. *length is the full decoded length, which may exceed
 * capacity. Returns false on malformed input.
 */
static bool read_string(json_cursor *cursor, char *out, size_t capacity, size_t *length) {
    *length = 0;
    if (!consume(cursor, '"')) return false;
    while (cursor->at < cursor->end) {
        char c = *cursor->at++;
        if (c == '"') return true;
        if ((unsigned char)c < 0x20) return false; /* JSON forbids raw control characters. */
        if (c != '\\') {
            emit(out, capacity, length, c);
            continue;
        }
        if (cursor->at >= cursor->end) return false;
        char escape = *cursor->at++;
        uint32_t code_point;
        switch (escape) {
        case '"': case '\\': case '/': emit(out, capacity, length, escape); break;
        case 'b': emit(out, capacity, length, '\b'); break;
        case 'f': emit(out, capacity, length, '\f'); break;
        case 'n': emit(out, capacity, length, '\n'); break;
        case 'r': emit(out, capacity, length, '\r'); break;
        case 't': emit(out, capacity, length, '\t'); break;
        case 'u':
            if (!read_unicode_escape(cursor, &code_point)) return false;
            emit_utf8(out, capacity, length, code_point);
            break;
        default: return false;
        }
    }
    return false;
}

/*
 * Skips one JSON value. Nested objects and arrays are skipped by bracket
 * depth (strings inside them are read properly, so brackets in strings do not
 * count); this is enough to step over members we do not care about.
 */
static bool skip_value(json_cursor *cursor) {
    size_t ignored;
    skip_whitespace(cursor);
    if (cursor->at >= cursor->end) return false;
    if (*cursor->at == '"') return read_string(cursor, NULL, 0, &ignored);
    if (*cursor->at != '{' && *cursor->at != '[') {
        const char *start = cursor->at;
        /* A number or literal: runs to the next delimiter. */
        while (cursor->at < cursor->end && !is_whitespace(*cursor->at) && *cursor->at != ',' && *cursor->at != '}' &&
               *cursor->at != ']')
            cursor->at++;
        return cursor->at > start;
    }
    size_t depth = 0;
    do {
        char c = *cursor->at;
        if (c == '"') {
            if (!read_string(cursor, NULL, 0, &ignored)) return false;
            continue;
        }
        if (c == '{' || c == '[') depth++;
        if (c == '}' || c == ']') depth--;
        cursor->at++;
    } while (depth > 0 && cursor->at < cursor->end);
    return depth == 0;
}

typedef enum { MEMBER_FOUND, MEMBER_MISSING, MEMBER_NOT_A_PATH, CONFIG_MALFORMED } member_lookup;

/*
 * Finds the top-level member CONTROL_FILE_KEY of `config` and copies its string
 * value into path[PATH_MAX]. The first occurrence wins; text after it is not read.
 */
static member_lookup find_control_file(cap_str config, char path[PATH_MAX]) {
    if (config.len == 0) return CONFIG_MALFORMED;
    json_cursor cursor = {config.ptr, config.ptr + config.len};
    if (!consume(&cursor, '{')) return CONFIG_MALFORMED;
    if (consume(&cursor, '}')) return MEMBER_MISSING;
    do {
        char key[sizeof CONTROL_FILE_KEY];
        size_t key_length;
        if (!read_string(&cursor, key, sizeof key, &key_length) || !consume(&cursor, ':')) return CONFIG_MALFORMED;
        bool is_control_file = key_length == sizeof key - 1 && memcmp(key, CONTROL_FILE_KEY, key_length) == 0;
        if (!is_control_file) {
            if (!skip_value(&cursor)) return CONFIG_MALFORMED;
            continue;
        }
        size_t path_length;
        skip_whitespace(&cursor);
        if (cursor.at >= cursor.end || *cursor.at != '"') return MEMBER_NOT_A_PATH;
        if (!read_string(&cursor, path, PATH_MAX - 1, &path_length)) return CONFIG_MALFORMED;
        if (path_length == 0 || path_length >= PATH_MAX || path[0] != '/' || memchr(path, '\0', path_length) != NULL)
            return MEMBER_NOT_A_PATH;
        path[path_length] = '\0';
        return MEMBER_FOUND;
    } while (consume(&cursor, ','));
    return consume(&cursor, '}') ? MEMBER_MISSING : CONFIG_MALFORMED;
}

/* ---- Behaviour ---- */

/* Reads the control byte into *mode: '0' when the file is absent or empty. */
static cap_status read_control_mode(const controllable_instance *instance, cap_call *call, char *mode) {
    *mode = '0';
    int fd = open(instance->control_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return CAP_OK;
        return fail(instance->host_api, call, CAP_INTERNAL, "cannot open the control file");
    }
    ssize_t got;
    do got = read(fd, mode, 1);
    while (got < 0 && errno == EINTR);
    close(fd);
    if (got < 0) return fail(instance->host_api, call, CAP_INTERNAL, "cannot read the control file");
    if (got == 0) *mode = '0';
    return CAP_OK;
}

static void sleep_nanoseconds(long nanoseconds) {
    struct timespec remaining = {.tv_sec = nanoseconds / 1000000000L, .tv_nsec = nanoseconds % 1000000000L};
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {}
}

static cap_status controllable_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                      uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)capability; /* One capability with one method: `work`. */
    (void)method;
    (void)payload;
    (void)deadline_ns;
    const controllable_instance *controllable = instance;
    char mode;
    cap_status status = read_control_mode(controllable, call, &mode);
    if (status != CAP_OK) return status;
    switch (mode) {
    case '0': case 'h': break;
    case 's': sleep_nanoseconds(SLOW_MODE_DELAY_NS); break;
    case 'f': return fail(controllable->host_api, call, CAP_UNAVAILABLE, "controlled failure");
    default: {
        char message[96];
        snprintf(message, sizeof message, "control file starts with unknown mode byte 0x%02X (expected 0, f, s or h)",
                 (unsigned char)mode);
        return fail(controllable->host_api, call, CAP_INTERNAL, message);
    }
    }
    *out = (cap_buffer){.data = (const uint8_t *)work_response, .len = sizeof work_response - 1};
    return CAP_OK;
}

static cap_status controllable_health(void *instance, cap_call *call) {
    const controllable_instance *controllable = instance;
    char mode;
    cap_status status = read_control_mode(controllable, call, &mode);
    if (status != CAP_OK) return status;
    if (mode == 'h') return fail(controllable->host_api, call, CAP_UNAVAILABLE, "controlled health failure");
    return CAP_OK;
}

static cap_status controllable_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                      void **instance) {
    (void)host;
    char path[PATH_MAX];
    switch (find_control_file(config, path)) {
    case MEMBER_FOUND: break;
    case MEMBER_MISSING:
        return fail(host_api, call, CAP_INVALID_ARGUMENT,
                    "config key '" CONTROL_FILE_KEY "' is required (an absolute path)");
    case MEMBER_NOT_A_PATH:
        return fail(host_api, call, CAP_INVALID_ARGUMENT,
                    "config key '" CONTROL_FILE_KEY "' must be a string holding an absolute path");
    case CONFIG_MALFORMED:
        return fail(host_api, call, CAP_INVALID_ARGUMENT,
                    "config is not a JSON object; expected {\"" CONTROL_FILE_KEY "\":\"/abs/path\"}");
    }
    size_t path_size = strlen(path) + 1;
    controllable_instance *created = malloc(sizeof *created + path_size);
    if (created == NULL) return fail(host_api, call, CAP_INTERNAL, "controllable: out of memory");
    created->host_api = host_api;
    memcpy(created->control_file, path, path_size);
    *instance = created;
    return CAP_OK;
}

static void controllable_destroy(void *instance) {
    free(instance);
}

static const cap_plugin controllable_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture controllable.c",
    .flags = PLUGIN_FLAGS,
    .capabilities = controllable_capabilities,
    .capability_count = 1,
    .create = controllable_create,
    .invoke = controllable_invoke,
    .health = controllable_health,
    .destroy = controllable_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &controllable_descriptor;
}
