/*
 * recorder.c — test fixture: a provider with an effect a test can count. Each
 * `record` call appends one line to a file, so a test sees exactly which
 * deliveries reached which provider, how often, and with which idempotency key.
 *
 * Method `record`: waits delay_ms, then appends
 *     <idempotency key>\t<payload>\n
 * to record_file and answers {"ok":true}. The key is what the host's
 * call_idempotency_key service (ABI 1.1) says for the call, empty when the call
 * has none. Newlines and tabs in the payload are written as spaces, so one call
 * is always one line. The file is opened O_APPEND and each line is one write(),
 * so a host killed with SIGKILL never leaves half a line.
 *
 * Config (JSON object; an unknown key is refused with CAP_INVALID_ARGUMENT):
 *   "record_file": "/abs/path"  required; created if absent (mode 0600);
 *   "delay_ms": N               sleep before recording (default 0, at most 600000);
 *   "fail_every": N             every Nth call (N >= 1) fails with CAP_UNAVAILABLE, recording nothing;
 *   "fail_file": "/abs/path"    while this file exists, every call fails with CAP_UNAVAILABLE;
 *   "hold_file": "/abs/path"    while this file exists, calls wait (after delay_ms) before
 *                               recording: a test freezes deliveries in flight with it.
 * The deadline is ignored on purpose (as noop's sleep does): the host enforces it.
 * health is always CAP_OK, so only calls fail.
 *
 * Configure with -D (string values quoted, e.g. -DCAP_PROVIDER='"alpha"'):
 *   PLUGIN_NAME "recorder", PLUGIN_VERSION "1.0.0", CAP_DOMAIN "adapter",
 *   CAP_CATEGORY "journal", CAP_PROVIDER "recorder", CAP_PRIORITY 0,
 *   CAP_STACK_LEVEL 0, PLUGIN_FLAGS CAP_PLUGIN_THREAD_SAFE.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CAP_DECLARE_ENTRY
#include <caphost_plugin.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "recorder"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef CAP_DOMAIN
#define CAP_DOMAIN "adapter"
#endif
#ifndef CAP_CATEGORY
#define CAP_CATEGORY "journal"
#endif
#ifndef CAP_PROVIDER
#define CAP_PROVIDER "recorder"
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

#define MAX_DELAY_MS 600000UL
/* How often a held call looks at hold_file again. */
#define HOLD_POLL_NS 5000000L

static const cap_method recorder_methods[] = {
    {"record", "Appends '<idempotency key>\\t<payload>' as one line to the record file.", NULL},
};

static const cap_capability recorder_capabilities[] = {{
    .struct_size = sizeof(cap_capability),
    .method_count = 1,
    .domain = CAP_DOMAIN,
    .category = CAP_CATEGORY,
    .provider = CAP_PROVIDER,
    .priority = CAP_PRIORITY,
    .stack_level = CAP_STACK_LEVEL,
    .methods = recorder_methods,
    .description = "Fixture that records every delivery it accepts, one line each.",
}};

static const char ok_response[] = "{\"ok\":true}";

typedef struct recorder_instance {
    const cap_host_api *host_api;
    bool has_key_service; /* The host offers call_idempotency_key (ABI 1.1). */
    unsigned long delay_ms;
    unsigned long fail_every; /* 0 = never. */
    atomic_ulong calls;
    char record_file[PATH_MAX];
    char fail_file[PATH_MAX]; /* Empty = none. */
    char hold_file[PATH_MAX]; /* Empty = none. */
} recorder_instance;

static cap_status fail(const cap_host_api *host_api, cap_call *call, cap_status code, const char *message) {
    host_api->set_error(call, code, (cap_str){message, strlen(message)});
    return code;
}

/* ---- Config: one pass over a flat JSON object whose values are strings or unsigned integers. ---- */

typedef struct config_reader {
    const char *start;
    const char *next;
    const char *end;
    char error[160];
} config_reader;

static void skip_blanks(config_reader *reader) {
    while (reader->next < reader->end && strchr(" \t\r\n", *reader->next) != NULL) reader->next++;
}

static bool expect_char(config_reader *reader, char wanted) {
    skip_blanks(reader);
    if (reader->next < reader->end && *reader->next == wanted) {
        reader->next++;
        return true;
    }
    snprintf(reader->error, sizeof reader->error, "config: expected '%c' at byte %ld of the JSON text", wanted,
             (long)(reader->next - reader->start));
    return false;
}

/* Decodes a JSON string into text[capacity] (NUL-terminated). \uXXXX is accepted for ASCII only. */
static bool read_text(config_reader *reader, char *text, size_t capacity, const char *what) {
    if (!expect_char(reader, '"')) return false;
    size_t length = 0;
    while (reader->next < reader->end && *reader->next != '"') {
        char byte = *reader->next++;
        if (byte == '\\') {
            if (reader->next >= reader->end) break;
            char escape = *reader->next++;
            long value = 0;
            if (escape == 'u' && reader->end - reader->next >= 4 && strncmp(reader->next, "00", 2) == 0) {
                char hex[3] = {reader->next[2], reader->next[3], 0};
                char *stop;
                value = strtol(hex, &stop, 16);
                if (*stop != 0 || value > 0x7F) value = 0;
                reader->next += 4;
            }
            if (escape == '"' || escape == '\\' || escape == '/') {
                byte = escape;
            } else if (value > 0) {
                byte = (char)value;
            } else {
                snprintf(reader->error, sizeof reader->error,
                         "config: %s uses an escape this fixture does not read (only \\\" \\\\ \\/ and \\u0001-\\u007F)", what);
                return false;
            }
        }
        if (length + 1 >= capacity) {
            snprintf(reader->error, sizeof reader->error, "config: %s is longer than %zu bytes", what, capacity - 1);
            return false;
        }
        text[length++] = byte;
    }
    if (reader->next >= reader->end) {
        snprintf(reader->error, sizeof reader->error, "config: %s is not a terminated JSON string", what);
        return false;
    }
    reader->next++; /* The closing quote. */
    text[length] = 0;
    return true;
}

static bool read_path(config_reader *reader, char path[PATH_MAX], const char *key) {
    if (!read_text(reader, path, PATH_MAX, key)) return false;
    if (path[0] == '/') return true;
    snprintf(reader->error, sizeof reader->error, "config: '%s' must be an absolute path, got '%.60s'", key, path);
    return false;
}

static bool read_count(config_reader *reader, unsigned long *value, unsigned long maximum, const char *key) {
    skip_blanks(reader);
    unsigned long total = 0;
    const char *start = reader->next;
    while (reader->next < reader->end && *reader->next >= '0' && *reader->next <= '9') {
        total = total * 10 + (unsigned long)(*reader->next++ - '0');
        if (total > maximum) break;
    }
    if (reader->next == start || total > maximum) {
        snprintf(reader->error, sizeof reader->error, "config: '%s' must be an integer 0...%lu", key, maximum);
        return false;
    }
    *value = total;
    return true;
}

/* Fills `instance` from `config`; on failure reader->error says why. */
static bool read_config(cap_str config, recorder_instance *instance, config_reader *reader) {
    *reader = (config_reader){.start = config.ptr, .next = config.ptr, .end = config.ptr + config.len};
    if (!expect_char(reader, '{')) return false;
    skip_blanks(reader);
    bool empty = reader->next < reader->end && *reader->next == '}';
    while (!empty) {
        char key[32];
        if (!read_text(reader, key, sizeof key, "a member name") || !expect_char(reader, ':')) return false;
        bool ok;
        if (strcmp(key, "record_file") == 0) ok = read_path(reader, instance->record_file, key);
        else if (strcmp(key, "fail_file") == 0) ok = read_path(reader, instance->fail_file, key);
        else if (strcmp(key, "hold_file") == 0) ok = read_path(reader, instance->hold_file, key);
        else if (strcmp(key, "delay_ms") == 0) ok = read_count(reader, &instance->delay_ms, MAX_DELAY_MS, key);
        else if (strcmp(key, "fail_every") == 0) ok = read_count(reader, &instance->fail_every, ULONG_MAX / 10, key);
        else {
            snprintf(reader->error, sizeof reader->error,
                     "config: unknown key '%s' (expected record_file, delay_ms, fail_every, fail_file, hold_file)", key);
            return false;
        }
        if (!ok) return false;
        skip_blanks(reader);
        if (reader->next < reader->end && *reader->next == ',') {
            reader->next++;
            continue;
        }
        break;
    }
    if (!expect_char(reader, '}')) return false;
    if (instance->record_file[0] != 0) return true;
    snprintf(reader->error, sizeof reader->error, "config: 'record_file' is required (an absolute path)");
    return false;
}

/* ---- Behaviour ---- */

static void sleep_nanoseconds(long long nanoseconds) {
    struct timespec remaining = {.tv_sec = (time_t)(nanoseconds / 1000000000LL),
                                 .tv_nsec = (long)(nanoseconds % 1000000000LL)};
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {}
}

static bool file_exists(const char *path) {
    struct stat info;
    return path[0] != 0 && stat(path, &info) == 0;
}

/* Writes "<key>\t<payload>\n" with one write() on an O_APPEND descriptor. */
static cap_status append_line(const recorder_instance *recorder, cap_str key, cap_str payload, cap_call *call) {
    size_t length = key.len + 1 + payload.len + 1;
    char *line = malloc(length);
    if (line == NULL) return fail(recorder->host_api, call, CAP_INTERNAL, "recorder: out of memory");
    if (key.len > 0) memcpy(line, key.ptr, key.len);
    line[key.len] = '\t';
    for (size_t i = 0; i < payload.len; i++) {
        char byte = payload.ptr[i];
        line[key.len + 1 + i] = byte == '\n' || byte == '\t' || byte == '\r' ? ' ' : byte;
    }
    line[length - 1] = '\n';
    int fd = open(recorder->record_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(line);
        return fail(recorder->host_api, call, CAP_INTERNAL, "recorder: cannot open the record file");
    }
    ssize_t written;
    do written = write(fd, line, length);
    while (written < 0 && errno == EINTR);
    close(fd);
    free(line);
    if (written != (ssize_t)length) return fail(recorder->host_api, call, CAP_INTERNAL, "recorder: short write to the record file");
    return CAP_OK;
}

static cap_status recorder_invoke(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                  uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)deadline_ns;
    recorder_instance *recorder = instance;
    if (capability != 0 || method != 0) return fail(recorder->host_api, call, CAP_UNIMPLEMENTED, "recorder: unknown method index");
    unsigned long number = atomic_fetch_add(&recorder->calls, 1) + 1;
    if (recorder->delay_ms > 0) sleep_nanoseconds((long long)recorder->delay_ms * 1000000LL);
    while (file_exists(recorder->hold_file)) sleep_nanoseconds(HOLD_POLL_NS);
    if (file_exists(recorder->fail_file))
        return fail(recorder->host_api, call, CAP_UNAVAILABLE, "recorder " CAP_PROVIDER ": fail_file is present");
    if (recorder->fail_every > 0 && number % recorder->fail_every == 0) {
        char message[96];
        snprintf(message, sizeof message, "recorder " CAP_PROVIDER ": call %lu fails (fail_every %lu)", number,
                 recorder->fail_every);
        return fail(recorder->host_api, call, CAP_UNAVAILABLE, message);
    }
    cap_str key = recorder->has_key_service ? recorder->host_api->call_idempotency_key(call) : (cap_str){NULL, 0};
    cap_status status = append_line(recorder, key, payload, call);
    if (status != CAP_OK) return status;
    *out = (cap_buffer){.data = (const uint8_t *)ok_response, .len = sizeof ok_response - 1};
    return CAP_OK;
}

static cap_status recorder_create(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host;
    recorder_instance *created = calloc(1, sizeof *created);
    if (created == NULL) return fail(host_api, call, CAP_INTERNAL, "recorder: out of memory");
    created->host_api = host_api;
    created->has_key_service = CAP_HOST_HAS(host_api, call_idempotency_key) && host_api->call_idempotency_key != NULL;
    atomic_init(&created->calls, 0);
    config_reader reader;
    if (!read_config(config, created, &reader)) {
        free(created);
        return fail(host_api, call, CAP_INVALID_ARGUMENT, reader.error);
    }
    *instance = created;
    return CAP_OK;
}

static cap_status recorder_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}

static void recorder_destroy(void *instance) {
    free(instance);
}

static const cap_plugin recorder_descriptor = {
    .magic = CAP_PLUGIN_MAGIC,
    .struct_size = sizeof(cap_plugin),
    .abi_major = CAP_ABI_MAJOR,
    .abi_minor = CAP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .vendor = "caphost tests",
    .build_id = "fixture recorder.c",
    .flags = PLUGIN_FLAGS,
    .capabilities = recorder_capabilities,
    .capability_count = 1,
    .create = recorder_create,
    .invoke = recorder_invoke,
    .health = recorder_health,
    .destroy = recorder_destroy,
};

const cap_plugin *cap_plugin_entry_v1(void) {
    return &recorder_descriptor;
}
