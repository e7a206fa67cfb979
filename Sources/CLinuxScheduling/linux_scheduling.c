#define _GNU_SOURCE
#include "linux_scheduling.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int distembed_set_batch_policy(int tid) {
    struct sched_param parameters = {.sched_priority = 0};
    return sched_setscheduler(tid, SCHED_BATCH, &parameters) == 0 ? 0 : errno;
}

int distembed_bind_thread(int tid, int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof set, &set) == 0 ? 0 : errno;
}

int distembed_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

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

void distembed_futex_wake(uint32_t *address) {
    syscall(SYS_futex, address, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
