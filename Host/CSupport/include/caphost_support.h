/*
 * Small C helpers for the host's hot path, where Swift has no cheap equivalent.
 */
#ifndef CAPHOST_SUPPORT_H
#define CAPHOST_SUPPORT_H

#include <stdint.h>
#include <time.h>
#include <spawn.h>

/** CLOCK_MONOTONIC in nanoseconds (the clock plugins see as deadline_ns). */
static inline uint64_t caphost_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/** Per-thread stripe number (0, 1, 2, ... in order of first use), cached in TLS. */
extern __thread uint32_t caphost_thread_stripe_tls;
uint32_t caphost_thread_stripe_slow(void);

/** The calling thread's stripe: a stable small integer that spreads threads over counters. */
static inline uint32_t caphost_thread_stripe(void) {
    uint32_t s = caphost_thread_stripe_tls;
    return s != 0 ? s - 1 : caphost_thread_stripe_slow();
}

/** Copies up to `limit` bytes of the file `source` (from its offset 0) into `target` (at its
 *  offset 0) inside the kernel (copy_file_range; plain reads and writes where the file system
 *  cannot). Returns the bytes copied (fewer than `limit` at the end of `source`), or -1 with errno. */
long long caphost_copy_file(int source, int target, long long limit);

/** Names the calling thread for ps, top and perf (the kernel keeps 15 bytes). */
void caphost_set_thread_name(const char *name);

/** The call-thread pool the calling thread serves (NULL on any other thread). */
extern __thread const void *caphost_thread_pool_tls;

/** The pool the calling thread serves, or NULL. */
static inline const void *caphost_thread_pool(void) { return caphost_thread_pool_tls; }

/** Marks the calling thread as serving `pool` (NULL: none). */
static inline void caphost_set_thread_pool(const void *pool) { caphost_thread_pool_tls = pool; }

/**
 * Set while a pool thread does the last thing of its job (resuming the task
 * that waits for the job): what it queues then is left to the thread itself.
 */
extern __thread int caphost_thread_finishing_tls;

/** Whether the calling thread is finishing its job (see caphost_thread_finishing_tls). */
static inline int caphost_thread_finishing(void) { return caphost_thread_finishing_tls; }

/** Sets or clears the calling thread's finishing mark. */
static inline void caphost_set_thread_finishing(int finishing) { caphost_thread_finishing_tls = finishing; }

/** Number of counter stripes per candidate (a power of two). */
#define CAPHOST_STRIPES 16

/**
 * One cache line of per-candidate call counters. Threads add to the stripe of
 * their own thread number, so two threads calling one provider never write the
 * same line. A lease is held from `started` until `finished`; in-flight calls
 * are sum(started) - sum(finished). Exactly 64 bytes: allocate the enclosing
 * caphost_candidate_counters 64-byte aligned and each stripe owns a line.
 */
typedef struct caphost_stripe {
    int64_t started;       /**< leases taken (seq_cst: pairs with the retired flag) */
    int64_t finished;      /**< leases given back, including aborted ones */
    int64_t aborted;       /**< leases given back without a call (lost a race with retirement) */
    int64_t failures;      /**< calls that failed in a way that counts against the provider */
    int64_t timeouts;      /**< calls that overran their deadline */
    int64_t latency_ns;    /**< sum of sampled latencies */
    int64_t latency_count; /**< number of sampled latencies */
    int64_t reserved;
} caphost_stripe;

/** The hot state of one candidate: a line of flags read on every call, then the stripes (allocate 64-byte aligned). */
typedef struct caphost_candidate_counters {
    int32_t retired;              /**< 1 once unpublished; a lease taken after this is given back */
    int32_t reserved0;
    int64_t consecutive_failures; /**< reset by a success; feeds the circuit breaker */
    int64_t reserved[6];
    caphost_stripe stripes[CAPHOST_STRIPES];
} caphost_candidate_counters;

_Static_assert(sizeof(caphost_stripe) == 64, "a stripe is one cache line");
_Static_assert(sizeof(caphost_candidate_counters) == 64 * (CAPHOST_STRIPES + 1), "flags line + stripes");

/** Takes a lease. Sequentially consistent, so a later read of `retired` cannot pass it. */
static inline void caphost_lease_take(caphost_stripe *stripe) {
    __atomic_fetch_add(&stripe->started, 1, __ATOMIC_SEQ_CST);
}

/** Gives a lease back (release: the call's effects happen before the count drops). */
static inline void caphost_lease_give_back(caphost_stripe *stripe) {
    __atomic_fetch_add(&stripe->finished, 1, __ATOMIC_RELEASE);
}

/** Adds to a statistics counter (relaxed). */
static inline void caphost_counter_add(int64_t *counter, int64_t value) {
    __atomic_fetch_add(counter, value, __ATOMIC_RELAXED);
}

/** Adds to a counter and returns the new value (relaxed). */
static inline int64_t caphost_counter_add_fetch(int64_t *counter, int64_t value) {
    return __atomic_add_fetch(counter, value, __ATOMIC_RELAXED);
}

/** Reads a counter (sequentially consistent). */
static inline int64_t caphost_counter_load(const int64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_SEQ_CST);
}

/** Reads a counter without ordering (relaxed). */
static inline int64_t caphost_counter_peek(const int64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/** Stores a counter (relaxed). */
static inline void caphost_counter_store(int64_t *counter, int64_t value) {
    __atomic_store_n(counter, value, __ATOMIC_RELAXED);
}

/** Reads the retired flag (sequentially consistent; pairs with caphost_lease_take). */
static inline int32_t caphost_retired_load(const caphost_candidate_counters *counters) {
    return __atomic_load_n(&counters->retired, __ATOMIC_SEQ_CST);
}

/** Sets the retired flag (sequentially consistent). */
static inline void caphost_retired_store(caphost_candidate_counters *counters) {
    __atomic_store_n(&counters->retired, 1, __ATOMIC_SEQ_CST);
}

/** Number of live threads of this process (entries in /proc/self/task) other than libdispatch's pool workers, or -1. */
int caphost_thread_count(void);

/** pipe2(fds, O_CLOEXEC): both ends close on exec. */
int caphost_pipe_cloexec(int fds[2]);

/* ---- Isolated mode: the socket pairs between the host and caphost-runner --serve ---- */

/** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): both ends close on exec. 0 or -1 with errno. */
int caphost_socketpair_cloexec(int fds[2]);

/**
 * Sends `len` bytes of `data` on the stream socket `sock` with the descriptor `fd` attached
 * (SCM_RIGHTS) to its first byte; MSG_NOSIGNAL. Returns the bytes sent (all of them unless
 * interrupted by an error) or -1 with errno.
 */
long caphost_send_with_fd(int sock, const void *data, size_t len, int fd);

/**
 * recvmsg on `sock` into `buffer` (at most `capacity` bytes), collecting any descriptors
 * that arrive (SCM_RIGHTS, received O_CLOEXEC) into `fds` (at most `max_fds`; extra ones are
 * closed) and their number into `*fd_count`. Returns the bytes read, 0 at end of stream, or
 * -1 with errno.
 */
long caphost_recv_with_fds(int sock, void *buffer, size_t capacity, int *fds, int max_fds, int *fd_count);

/** posix_spawn_file_actions_addclosefrom_np(actions, low): the child gets no descriptor >= low. */
int caphost_spawn_close_from(posix_spawn_file_actions_t *actions, int low);

/**
 * The child's side of isolation, called first thing in caphost-runner --serve: exits at once
 * when `parent` (if > 0) is no longer its parent (it leaves when its control channel ends
 * otherwise) and applies the limits that are not 0 (RLIMIT_AS in bytes,
 * RLIMIT_CPU in seconds, RLIMIT_NOFILE). Returns 0, or -1 with errno naming the first that failed.
 */
int caphost_isolate_self(int parent, unsigned long long address_space_bytes, unsigned long long cpu_seconds,
                         unsigned long long open_files);

/* ---- Crash attribution: which plugin's code each thread is running, in a file mapping ---- */

/** Threads that get an in-flight slot (by first use; later threads are not recorded). */
#define CAPHOST_INFLIGHT_SLOTS 4096

/** The calling thread's slot number + 1 (0: none claimed yet), the same in every host's table. */
extern __thread uint32_t caphost_inflight_index_tls;

/** Claims the calling thread's slot number (+ 1); beyond CAPHOST_INFLIGHT_SLOTS, returns a value past them. */
uint32_t caphost_inflight_claim(void);

/**
 * Records that the calling thread runs code of the plugin numbered `plugin` (> 0) in `slots`
 * (a host's MAP_SHARED in-flight table: the record survives the process being killed), and
 * returns what the slot held before (for nested calls). Two plain stores per call; a NULL
 * table or a thread without a slot records nothing.
 */
static inline uint32_t caphost_inflight_enter(uint32_t *slots, uint32_t plugin) {
    if (!slots) return 0;
    uint32_t index = caphost_inflight_index_tls;
    if (__builtin_expect(index == 0, 0)) index = caphost_inflight_claim();
    if (index > CAPHOST_INFLIGHT_SLOTS) return 0;
    uint32_t previous = __atomic_load_n(&slots[index - 1], __ATOMIC_RELAXED);
    __atomic_store_n(&slots[index - 1], plugin, __ATOMIC_RELAXED);
    return previous;
}

/** Puts back what `caphost_inflight_enter` returned: the call's plugin code has returned. */
static inline void caphost_inflight_exit(uint32_t *slots, uint32_t previous) {
    if (!slots) return;
    uint32_t index = caphost_inflight_index_tls;
    if (index == 0 || index > CAPHOST_INFLIGHT_SLOTS) return;
    __atomic_store_n(&slots[index - 1], previous, __ATOMIC_RELAXED);
}

#endif
