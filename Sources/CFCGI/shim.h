#ifndef PARLEY_CFCGI_H
#define PARLEY_CFCGI_H
#include <fcgiapp.h>

/* The FastCGI module's process plumbing needs Linux headers that Swift's Glibc module does not
 * export: the supervisor waits on signals with a signalfd, workers ask to be told when their
 * supervisor dies (prctl), and worker threads wait on one epoll set. */
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <errno.h>
#include <sys/mman.h>
#include <linux/memfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stddef.h>
#include <stdint.h>

/* prctl() is variadic, which Swift cannot call. A worker started by the supervisor asks for
 * SIGTERM when the supervisor dies, so a killed supervisor never leaves orphans holding the
 * socket. */
static inline int parley_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

/* Worker threads share one epoll set holding the listening socket and the idle kept-alive
 * connections. struct epoll_event is packed on x86-64 and its data is a union, neither of which
 * Swift imports well, so these wrappers take and return plain values. `token` identifies the
 * registration; `oneshot` makes one readiness wake exactly one thread. */
static inline int parley_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

static inline int parley_epoll_add(int epfd, int fd, uint64_t token, int oneshot) {
    struct epoll_event event;
    event.events = EPOLLIN | (oneshot ? EPOLLONESHOT : 0);
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

/* Re-arms a one-shot registration under a new token; falls back to adding the descriptor when it
 * is not registered yet (a connection fresh from accept). One syscall per parked request instead
 * of a delete on hand-over plus an add on return. */
static inline int parley_epoll_rearm(int epfd, int fd, uint64_t token) {
    struct epoll_event event;
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.u64 = token;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

static inline int parley_epoll_delete(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* Waits for one event; returns epoll_wait's result and stores the event's token. */
static inline int parley_epoll_wait_one(int epfd, int timeout_ms, uint64_t *token) {
    struct epoll_event event;
    int count = epoll_wait(epfd, &event, 1, timeout_ms);
    if (count == 1) *token = event.data.u64;
    return count;
}
/* The pool's shared page: an anonymous memory file the supervisor creates and every worker maps.
 * memfd_create needs _GNU_SOURCE, which Swift's Glibc module does not define. */
static inline int parley_memfd_create(const char *name) {
    return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
}

/* Counters in the shared page are touched by several processes at once; Swift's atomics cannot
 * be placed on raw mapped memory, so these wrap the compiler's sequentially consistent builtins. */
static inline uint64_t parley_atomic_load_u64(const uint64_t *address) {
    return __atomic_load_n(address, __ATOMIC_SEQ_CST);
}
static inline uint64_t parley_atomic_increment_u64(uint64_t *address) {
    return __atomic_add_fetch(address, 1, __ATOMIC_SEQ_CST);
}
#endif
