#define _GNU_SOURCE
#include "linux_scheduling.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

int distembed_set_batch_policy(int tid) {
    struct sched_param parameters = {.sched_priority = 0};
    return sched_setscheduler(tid, SCHED_BATCH, &parameters) == 0 ? 0 : errno;
}

int distembed_set_thread_nice(int nice) {
    // On Linux a nice value belongs to a thread: PRIO_PROCESS with a thread id sets that thread's alone.
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice) == 0 ? 0 : errno;
}

int distembed_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
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
