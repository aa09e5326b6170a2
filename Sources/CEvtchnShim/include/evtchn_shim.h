// What Swift cannot import directly: variadic syscall(2), the CPU_SET macros,
// the pause instruction, the TSC, `lock btr`, and glibc's rwlock kind
// attribute.
// Every function returns 0 or a positive errno value unless it says otherwise.
#ifndef EVTCHN_SHIM_H
#define EVTCHN_SHIM_H
#include <stdint.h>
#include <pthread.h>

/// Spin-wait hint: `pause` on x86, `yield` on arm64.
static inline void evtchn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/// Atomically clears bit `bit` (0-63) of `*word` and returns its old value
/// (0 or 1), sequentially consistent: the kernel's sync_test_and_clear_bit,
/// `lock btr` on x86. Swift's atomics have no bit-test operation, and LLVM
/// builds `lock btr` from a fetch-and only when it still sees the mask as
/// `1 << bit`; where the bit index comes from a trailing-zero count (the
/// guest's handler) it rewrites the mask and emits a cmpxchg loop instead.
/// The `memory` clobber keeps the compiler from moving accesses across it,
/// as the lock prefix keeps the CPU from doing so.
static inline int evtchn_test_and_clear_bit(uint64_t *word, uint64_t bit) {
#if defined(__x86_64__)
    unsigned char old;
    __asm__ __volatile__("lock btrq %2, %1" : "=@ccc"(old), "+m"(*word) : "Jr"(bit) : "memory");
    return old;
#else
    uint64_t mask = (uint64_t)1 << bit;
    return (__atomic_fetch_and(word, ~mask, __ATOMIC_SEQ_CST) & mask) != 0;
#endif
}

/// Time-stamp counter (x86) or virtual counter (arm64); 0 elsewhere.
static inline uint64_t evtchn_read_cycle_counter(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

/// Increments and returns a counter private to the calling thread (a C
/// thread-local: Swift has none). Validation's read-side delays use it to
/// pick which of a thread's read sections to stretch.
uint32_t evtchn_thread_tick(void);

/// FUTEX_WAIT_PRIVATE: sleeps while *word == expected. 0, or errno (EAGAIN
/// when the word had already changed, EINTR on a signal).
int evtchn_futex_wait(uint32_t *word, uint32_t expected);
/// FUTEX_WAKE_PRIVATE: wakes up to `count` waiters. Number woken, or -errno.
int evtchn_futex_wake(uint32_t *word, int count);

/// Pins the calling thread to one CPU.
int evtchn_pin_self_to_cpu(int cpu);
/// CPUs this thread may run on (sched_getaffinity), written to `cpus`.
/// Returns how many were found (may exceed `capacity`), or -errno.
int evtchn_allowed_cpus(int *cpus, int capacity);
/// The CPU the caller runs on now (sched_getcpu), or -errno.
int evtchn_current_cpu(void);
/// Linux thread id of the caller.
int evtchn_gettid(void);
/// Initialises a pthread rwlock; `prefer_writer` selects glibc's
/// PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP, otherwise the default kind.
int evtchn_rwlock_init(pthread_rwlock_t *lock, int prefer_writer);

/// Installs a SIGINT/SIGTERM/SIGQUIT/SIGPIPE handler that only sets a flag
/// (first signal); a second signal restores the default action, so it
/// kills the process.
int evtchn_install_interrupt_handler(void);
/// The signal that arrived since the handler was installed, the first one
/// (or the one `evtchn_request_stop` gave); 0 if none did.
int evtchn_interrupted(void);
/// Asks the run to stop as if `signo` had arrived (a failed write to the
/// terminal stops it like a SIGPIPE).
void evtchn_request_stop(int signo);
/// Opens /dev/null on each of 0, 1 and 2 that is closed, so that nothing
/// the program opens later becomes its stdin, stdout or stderr; 0 or errno.
int evtchn_ensure_standard_fds(void);
/// Flushes stdout and stderr; nonzero when either has had a write error.
int evtchn_output_failed(void);
/// The file system type (statfs(2) f_type, e.g. 0x9fa0 for /proc) of
/// `path`, links followed, into `*type`; 0 or errno. Swift's Glibc module
/// has no statfs.
int evtchn_file_system_type(const char *path, int64_t *type);

#endif
