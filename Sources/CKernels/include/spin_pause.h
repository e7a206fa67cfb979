// A hint to the CPU that the calling thread spins on a memory location (x86 `pause`): it saves power and lets the
// other hyperthread run. Swift has no intrinsic for it.
#ifndef DISTEMBED_SPIN_PAUSE_H
#define DISTEMBED_SPIN_PAUSE_H

static inline void distembed_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
