#define _GNU_SOURCE
#include "caphost_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdatomic.h>

__thread uint32_t caphost_thread_stripe_tls = 0;
static atomic_uint caphost_next_stripe = 0;

uint32_t caphost_thread_stripe_slow(void) {
    uint32_t s = atomic_fetch_add(&caphost_next_stripe, 1);
    caphost_thread_stripe_tls = s + 1;
    return s;
}

int caphost_thread_count(void) {
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(dir);
    return count;
}

int caphost_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
