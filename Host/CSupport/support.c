#define _GNU_SOURCE
#include "caphost_support.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <errno.h>

__thread uint32_t caphost_thread_stripe_tls = 0;
__thread const void *caphost_thread_pool_tls = 0;
__thread int caphost_thread_finishing_tls = 0;
static atomic_uint caphost_next_stripe = 0;

uint32_t caphost_thread_stripe_slow(void) {
    uint32_t s = atomic_fetch_add(&caphost_next_stripe, 1);
    caphost_thread_stripe_tls = s + 1;
    return s;
}

/* libdispatch's shared worker pool ("com.apple.root.default-qos[.overcommit]",
 * which the 15-byte comm keeps the end of: "oot.default-qos"): pooled threads
 * that exit on their own when idle, not threads a plugin left running. */
static int caphost_is_dispatch_worker(const char *tid) {
    char path[64], name[32] = {0};
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", tid);
    FILE *file = fopen(path, "r");
    if (file == NULL) return 0;
    size_t length = fread(name, 1, sizeof name - 1, file);
    fclose(file);
    name[length] = 0;
    if (length > 0 && name[length - 1] == '\n') name[--length] = 0;
    return strncmp(name, "com.apple.root", 14) == 0 || strstr(name, "-qos") != NULL;
}

int caphost_thread_count(void) {
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.' && !caphost_is_dispatch_worker(entry->d_name)) count++;
    }
    closedir(dir);
    return count;
}

int caphost_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

long long caphost_copy_file(int source, int target, long long limit) {
    off64_t in = 0, out = 0;
    long long total = 0;
    int plain = 0;
    while (total < limit) {
        long long left = limit - total;
        size_t want = left > (1LL << 30) ? (size_t)1 << 30 : (size_t)left;
        ssize_t count;
        if (!plain) {
            count = copy_file_range(source, &in, target, &out, want, 0);
            if (count < 0 && total == 0 && (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP || errno == EINVAL)) {
                plain = 1;
                continue;
            }
        } else {
            char buffer[1 << 16];
            count = pread(source, buffer, want < sizeof buffer ? want : sizeof buffer, total);
            for (ssize_t written = 0; count > 0 && written < count;) {
                ssize_t result = pwrite(target, buffer + written, (size_t)(count - written), total + written);
                if (result < 0) {
                    if (errno == EINTR) continue;
                    return -1;
                }
                written += result;
            }
        }
        if (count < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (count == 0) break;
        total += count;
    }
    return total;
}

void caphost_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

__thread uint32_t caphost_inflight_index_tls;
static uint32_t caphost_inflight_next;

uint32_t caphost_inflight_claim(void) {
    uint32_t index = __atomic_add_fetch(&caphost_inflight_next, 1, __ATOMIC_RELAXED);
    /* Past the table, remember that too: the thread never claims again. */
    caphost_inflight_index_tls = index <= CAPHOST_INFLIGHT_SLOTS ? index : CAPHOST_INFLIGHT_SLOTS + 1;
    return caphost_inflight_index_tls;
}
