#define _GNU_SOURCE
#include "shared_futex.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void distembed_store_release(uint32_t *address, uint32_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}

uint32_t distembed_load_acquire(const uint32_t *address) {
    return __atomic_load_n(address, __ATOMIC_ACQUIRE);
}

int distembed_futex_wait(uint32_t *address, uint32_t expected, int timeout_ms) {
    struct timespec timeout = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
    long result = syscall(SYS_futex, address, FUTEX_WAIT, expected, &timeout, NULL, 0);
    return result == 0 ? 0 : (errno == EAGAIN ? 0 : errno);
}

int distembed_futex_wait_any(uint32_t *const *addresses, const uint32_t *expected, int count, int timeout_ms) {
    if (count <= 0 || count > FUTEX_WAITV_MAX) return EINVAL;
    struct futex_waitv waiters[FUTEX_WAITV_MAX] = {0};
    for (int i = 0; i < count; i++) {
        waiters[i].val = expected[i];
        waiters[i].uaddr = (uintptr_t)addresses[i];
        waiters[i].flags = FUTEX_32;
    }
    // futex_waitv takes an absolute CLOCK_MONOTONIC deadline.
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    long result = syscall(SYS_futex_waitv, waiters, (unsigned)count, 0, &deadline, CLOCK_MONOTONIC);
    return result >= 0 ? 0 : (errno == EAGAIN ? 0 : errno);
}

int distembed_spin_while_equal(const uint32_t *address, uint32_t expected, long max_ns) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        for (int i = 0; i < 64; i++) {
            if (__atomic_load_n(address, __ATOMIC_ACQUIRE) != expected) return 1;
#if defined(__x86_64__)
            __builtin_ia32_pause();
#endif
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > max_ns) return 0;
    }
}

void distembed_futex_wake(uint32_t *address) {
    syscall(SYS_futex, address, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
