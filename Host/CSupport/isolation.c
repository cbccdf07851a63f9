/*
 * Socket helpers for isolated mode: a socket pair per call channel, descriptors
 * passed over the control channel, and the runner's own limits.
 */
#define _GNU_SOURCE
#include "caphost_support.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

int caphost_socketpair_cloexec(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

long caphost_send_with_fd(int sock, const void *data, size_t len, int fd) {
    struct iovec io = { .iov_base = (void *)data, .iov_len = len };
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { .msg_iov = &io, .msg_iovlen = 1,
                              .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do { sent = sendmsg(sock, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    if (sent < 0) return -1;
    /* The descriptor went with the first byte; the rest is plain data. */
    size_t total = (size_t)sent;
    while (total < len) {
        ssize_t more = send(sock, (const char *)data + total, len - total, MSG_NOSIGNAL);
        if (more < 0) { if (errno == EINTR) continue; return -1; }
        total += (size_t)more;
    }
    return (long)total;
}

long caphost_recv_with_fds(int sock, void *buffer, size_t capacity, int *fds, int max_fds, int *fd_count) {
    struct iovec io = { .iov_base = buffer, .iov_len = capacity };
    union {
        char buffer[CMSG_SPACE(sizeof(int) * 8)];
        struct cmsghdr align;
    } control;
    struct msghdr message = { .msg_iov = &io, .msg_iovlen = 1,
                              .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    *fd_count = 0;
    ssize_t received;
    do { received = recvmsg(sock, &message, MSG_CMSG_CLOEXEC); } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
            if (*fd_count < max_fds) fds[(*fd_count)++] = fd; else close(fd);
        }
    }
    return (long)received;
}

int caphost_spawn_close_from(posix_spawn_file_actions_t *actions, int low) {
    return posix_spawn_file_actions_addclosefrom_np(actions, low);
}

int caphost_isolate_self(int parent, unsigned long long address_space_bytes, unsigned long long cpu_seconds,
                         unsigned long long open_files) {
    /* No PR_SET_PDEATHSIG: it fires when the spawning *thread* ends, and the host spawns
     * restarts from short-lived threads. The child leaves when its control channel ends. */
    if (parent > 0 && getppid() != parent) _exit(70);
    struct rlimit limit;
    if (address_space_bytes != 0) {
        limit.rlim_cur = limit.rlim_max = (rlim_t)address_space_bytes;
        if (setrlimit(RLIMIT_AS, &limit) != 0) return -1;
    }
    if (cpu_seconds != 0) {
        /* SIGXCPU at the soft limit (kills by default), SIGKILL one second later. */
        limit.rlim_cur = (rlim_t)cpu_seconds;
        limit.rlim_max = (rlim_t)cpu_seconds + 1;
        if (setrlimit(RLIMIT_CPU, &limit) != 0) return -1;
    }
    if (open_files != 0) {
        limit.rlim_cur = limit.rlim_max = (rlim_t)open_files;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    }
    return 0;
}
