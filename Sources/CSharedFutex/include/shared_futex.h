// The word a shared-memory mailbox turns on, between processes: loads and stores with acquire and release
// ordering, and the Linux futex system call (variadic `syscall`, which Swift cannot call) to sleep on it and wake
// its sleepers. Linux only.
#ifndef DISTEMBED_SHARED_FUTEX_H
#define DISTEMBED_SHARED_FUTEX_H

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
