// Linux thread scheduling that Swift cannot reach directly: calls glibc declares only with _GNU_SOURCE (which
// Swift's Glibc module does not define).
#ifndef DISTEMBED_LINUX_SCHEDULING_H
#define DISTEMBED_LINUX_SCHEDULING_H

/// Sets thread `tid` (0: the caller) to SCHED_BATCH. Returns 0, or an errno value.
int distembed_set_batch_policy(int tid);

/// Gives the calling thread the nice value `nice` (19: the lowest priority). Returns 0, or an errno value.
int distembed_set_thread_nice(int nice);

/// Names the calling thread (at most 15 bytes; its `comm` in /proc). Returns 0, or an errno value.
int distembed_set_thread_name(const char *name);

/// Pins thread `tid` (0: the caller) to CPU `cpu`. Returns 0, or an errno value.
int distembed_bind_thread(int tid, int cpu);

/// Writes the CPUs the calling thread may run on, ascending, into `cpus` (at most `capacity`) and returns how
/// many there are; -1 when the affinity mask cannot be read.
int distembed_allowed_cpus(int *cpus, int capacity);

#endif
