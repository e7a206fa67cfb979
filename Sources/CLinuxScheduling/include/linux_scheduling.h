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

/// Wakes every thread sleeping on `address`.
void distembed_futex_wake(uint32_t *address);

#endif
