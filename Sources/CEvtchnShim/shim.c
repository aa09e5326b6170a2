#define _GNU_SOURCE
#include "evtchn_shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int evtchn_futex_wait(uint32_t *word, uint32_t expected) {
    long rc = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
    return rc == 0 ? 0 : errno;
}

int evtchn_futex_wake(uint32_t *word, int count) {
    long rc = syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
    return rc >= 0 ? (int)rc : -errno;
}

int evtchn_pin_self_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int evtchn_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -errno;
    int found = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set)) continue;
        if (found < capacity) cpus[found] = cpu;
        found++;
    }
    return found;
}

int evtchn_current_cpu(void) {
    int cpu = sched_getcpu();
    return cpu >= 0 ? cpu : -errno;
}

int evtchn_gettid(void) { return (int)syscall(SYS_gettid); }

int evtchn_rwlock_init(pthread_rwlock_t *lock, int prefer_writer) {
    pthread_rwlockattr_t attr;
    int rc = pthread_rwlockattr_init(&attr);
    if (rc != 0) return rc;
    if (prefer_writer) {
        rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        if (rc != 0) { pthread_rwlockattr_destroy(&attr); return rc; }
    }
    rc = pthread_rwlock_init(lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return rc;
}

static volatile sig_atomic_t interrupted_flag = 0;

static void on_interrupt(int signo) {
    if (interrupted_flag == 0) interrupted_flag = signo;
    /* A second Ctrl-C kills the process the usual way. */
    signal(signo, SIG_DFL);
}

int evtchn_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0) return errno;
    if (sigaction(SIGTERM, &action, NULL) != 0) return errno;
    if (sigaction(SIGQUIT, &action, NULL) != 0) return errno;
    if (sigaction(SIGPIPE, &action, NULL) != 0) return errno;
    /* A parent may have blocked them (a test runner, a supervisor); the
       threads started after this inherit the mask, so the signals reach
       the handler instead of staying pending. */
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGQUIT);
    sigaddset(&handled, SIGPIPE);
    int rc = pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
    return rc;
}

int evtchn_interrupted(void) { return interrupted_flag; }

void evtchn_request_stop(int signo) {
    if (interrupted_flag == 0) interrupted_flag = signo;
}

int evtchn_output_failed(void) {
    fflush(stdout);
    fflush(stderr);
    return ferror(stdout) || ferror(stderr);
}

int evtchn_ensure_standard_fds(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        /* The lowest free descriptor: fd itself, since the ones below are open. */
        int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened < 0) return errno;
        if (opened != fd) {
            int copied = dup2(opened, fd);
            int saved = errno;
            close(opened);
            if (copied < 0) return saved;
        }
    }
    return 0;
}

uint32_t evtchn_thread_tick(void) {
    static __thread uint32_t tick;
    return ++tick;
}

int evtchn_file_system_type(const char *path, int64_t *type) {
    struct statfs info;
    if (statfs(path, &info) != 0) return errno;
    *type = (int64_t)info.f_type;
    return 0;
}
