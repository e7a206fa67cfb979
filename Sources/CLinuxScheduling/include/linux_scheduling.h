// Linux thread scheduling that Swift cannot reach directly: calls glibc declares only with _GNU_SOURCE (which
// Swift's Glibc module does not define) and the futex system call (syscall is variadic).
#ifndef DISTEMBED_LINUX_SCHEDULING_H
#define DISTEMBED_LINUX_SCHEDULING_H

/// Sets thread `tid` (0: the caller) to SCHED_BATCH. Returns 0, or an errno value.
int distembed_set_batch_policy(int tid);

/// Pins thread `tid` (0: the caller) to CPU `cpu`. Returns 0, or an errno value.
int distembed_bind_thread(int tid, int cpu);

/// Writes the CPUs the calling thread may run on, ascending, into `cpus` (at most `capacity`) and returns how
/// many there are; -1 when the affinity mask cannot be read.
int distembed_allowed_cpus(int *cpus, int capacity);

#include <stdint.h>

/// Stores `value` at `address` with release ordering.
void distembed_store_release(uint32_t *address, uint32_t value);

/// Loads the value at `address` with acquire ordering.
uint32_t distembed_load_acquire(const uint32_t *address);

/// Sleeps while `*address == expected`, at most `timeout_ms` milliseconds (a shared futex: the word may be in
/// memory another process maps). Returns 0 when woken or the value differed, else an errno value (ETIMEDOUT...).
int distembed_futex_wait(uint32_t *address, uint32_t expected, int timeout_ms);

/// Sleeps until one of the `count` words at `addresses` differs from its `expected` value, at most `timeout_ms`
/// milliseconds (shared futexes, `futex_waitv`, Linux 5.16 and later). Returns 0 when woken or a value differed,
/// else an errno value (ETIMEDOUT; ENOSYS on an older kernel).
int distembed_futex_wait_any(uint32_t *const *addresses, const uint32_t *expected, int count, int timeout_ms);

/// Watches the word at `address` while it equals `expected`, at most `max_ns` nanoseconds. Returns 1 when it
/// changed, 0 when the time ran out.
int distembed_spin_while_equal(const uint32_t *address, uint32_t expected, long max_ns);

/// Wakes every thread sleeping on `address`.
void distembed_futex_wake(uint32_t *address);

#endif
