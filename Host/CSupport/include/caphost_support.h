/*
 * Small C helpers for the host's hot path, where Swift has no cheap equivalent.
 */
#ifndef CAPHOST_SUPPORT_H
#define CAPHOST_SUPPORT_H

#include <stdint.h>
#include <time.h>

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

#endif
