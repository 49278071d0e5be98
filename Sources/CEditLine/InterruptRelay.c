// The interrupt relay: routes each SIGINT (and, for the line editor, SIGWINCH and
// SIGCONT) to the innermost open channel as one byte in that channel's pipe. See CEditLine.h.
#define _GNU_SOURCE
#include "CEditLine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

enum { CHANNEL_POOL_SIZE = 16 };

struct relay_channel {
    int readFd, writeFd;  // created once, never closed (see the header)
    int created;
    int allocated;
    int receiving;        // on the receiver stack
    int wantsTerminalEvents;
};

static struct relay_channel pool[CHANNEL_POOL_SIZE];
static int receivers[CHANNEL_POOL_SIZE]; // channel ids, innermost last
static int receiverCount = 0;
static pthread_mutex_t relayLock = PTHREAD_MUTEX_INITIALIZER;

// The only state the handler reads: the write end of the innermost receiver, or -1.
static atomic_int targetFd = -1;

static struct sigaction previousInterrupt, previousResize, previousContinue;
static int interruptInstalled = 0, terminalEventsInstalled = 0;

static void relay_signal(int signo) {
    int savedErrno = errno;
    int fd = atomic_load_explicit(&targetFd, memory_order_acquire);
    if (fd >= 0) {
        char byte = signo == SIGINT ? 'I' : signo == SIGWINCH ? 'W' : 'C';
        ssize_t ignored = write(fd, &byte, 1); // non-blocking: a full pipe drops the byte, never blocks
        (void)ignored;
    }
    errno = savedErrno;
}

static void install(int signo, struct sigaction *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = relay_signal;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: an interpreter thread blocked in read(2) and the like keeps going; the
    // receivers notice the byte through poll or a dispatch source.
    action.sa_flags = SA_RESTART;
    sigaction(signo, &action, previous);
}

static void install_terminal_events(int install_them) {
    if (install_them && !terminalEventsInstalled) {
        install(SIGWINCH, &previousResize);
        install(SIGCONT, &previousContinue);
        terminalEventsInstalled = 1;
    } else if (!install_them && terminalEventsInstalled) {
        sigaction(SIGWINCH, &previousResize, NULL);
        sigaction(SIGCONT, &previousContinue, NULL);
        terminalEventsInstalled = 0;
    }
}

// Point the handler at the innermost receiver; install or restore dispositions to match.
static void update_locked(void) {
    if (receiverCount == 0) {
        install_terminal_events(0);
        if (interruptInstalled) { sigaction(SIGINT, &previousInterrupt, NULL); interruptInstalled = 0; }
        atomic_store_explicit(&targetFd, -1, memory_order_release);
        return;
    }
    struct relay_channel *innermost = &pool[receivers[receiverCount - 1]];
    atomic_store_explicit(&targetFd, innermost->writeFd, memory_order_release);
    if (!interruptInstalled) { install(SIGINT, &previousInterrupt); interruptInstalled = 1; }
    install_terminal_events(innermost->wantsTerminalEvents);
}

static int valid(int channel) {
    return channel >= 0 && channel < CHANNEL_POOL_SIZE;
}

int meshedit_interrupt_channel_drain(int channel, int *terminalEvents) {
    if (!valid(channel) || !pool[channel].created) return 0;
    int interrupts = 0;
    char buffer[64];
    for (;;) {
        ssize_t n = read(pool[channel].readFd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] == 'I') interrupts++;
            else if (terminalEvents != NULL)
                *terminalEvents |= buffer[i] == 'W' ? MESHEDIT_TERMINAL_RESIZED : MESHEDIT_TERMINAL_CONTINUED;
        }
    }
    return interrupts;
}

// A process can start with signals blocked (a child of a thread that blocks them, such
// as a dispatch worker's, inherits that mask through exec), and then a handler never runs.
// The thread that opens a channel is the one that reads lines or evaluates, so the signals
// it relies on are unblocked there (and left so).
static void unblock_in_calling_thread(int wantsTerminalEvents) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    if (wantsTerminalEvents) {
        sigaddset(&set, SIGWINCH);
        sigaddset(&set, SIGCONT);
    }
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int meshedit_interrupt_channel_open(int wantsTerminalEvents) {
    unblock_in_calling_thread(wantsTerminalEvents);
    pthread_mutex_lock(&relayLock);
    int channel = -1;
    for (int i = 0; i < CHANNEL_POOL_SIZE; i++) {
        if (!pool[i].allocated) { channel = i; break; }
    }
    if (channel < 0) { pthread_mutex_unlock(&relayLock); return -1; }
    struct relay_channel *c = &pool[channel];
    if (!c->created) {
        int fds[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) { pthread_mutex_unlock(&relayLock); return -1; }
        c->readFd = fds[0];
        c->writeFd = fds[1];
        c->created = 1;
    }
    meshedit_interrupt_channel_drain(channel, NULL); // nothing stale from a previous owner
    c->allocated = 1;
    c->receiving = 1;
    c->wantsTerminalEvents = wantsTerminalEvents != 0;
    receivers[receiverCount++] = channel;
    update_locked();
    pthread_mutex_unlock(&relayLock);
    return channel;
}

int meshedit_interrupt_channel_fd(int channel) {
    if (!valid(channel) || !pool[channel].created) return -1;
    return pool[channel].readFd;
}

void meshedit_interrupt_channel_stop(int channel) {
    if (!valid(channel)) return;
    pthread_mutex_lock(&relayLock);
    if (pool[channel].receiving) {
        int at = 0;
        while (at < receiverCount && receivers[at] != channel) at++;
        for (; at + 1 < receiverCount; at++) receivers[at] = receivers[at + 1];
        receiverCount--;
        pool[channel].receiving = 0;
        update_locked();
    }
    pthread_mutex_unlock(&relayLock);
}

void meshedit_interrupt_channel_release(int channel) {
    if (!valid(channel)) return;
    meshedit_interrupt_channel_stop(channel);
    pthread_mutex_lock(&relayLock);
    if (pool[channel].allocated) {
        meshedit_interrupt_channel_drain(channel, NULL);
        pool[channel].allocated = 0;
    }
    pthread_mutex_unlock(&relayLock);
}
