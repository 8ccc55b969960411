/* The process's streams: output to the log and attach clients, client input to its stdin. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* One read's worth of output; big reads keep the per-byte cost of logging low. */
static unsigned char rbuf[128 * 1024];

/* Client input not yet taken by the process. One buffer for all clients: a client is read only
 * when it is empty, so a process that does not read its stdin pushes back on the clients. */
static unsigned char in_buf[16 * 1024];
static size_t in_off, in_len;
static int in_close_pending;

static void close_stream(enum stream s)
{
    int fd = S.out_fd[s];
    if (fd < 0)
        return;
    S.out_fd[s] = -1;
    if (fd == S.pty) {
        /* The master is also where stdin went; it closes once, for both. */
        if (S.stdin_fd == fd)
            S.stdin_fd = -1;
        S.pty = -1;
    }
    close(fd);
}

int io_read(enum stream s)
{
    int fd = S.out_fd[s];
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, rbuf, sizeof rbuf);
    if (n > 0) {
        jsonlog_feed(s, rbuf, (size_t)n);
        server_broadcast(s, rbuf, (size_t)n);
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 1;
    /* End of file, or EIO from a pty master whose last slave closed. */
    close_stream(s);
    return 0;
}

/* An exec the runtime could not run has no output; what is in its pipes is the runtime's own
 * complaint (its child writes it to the process's stderr), already in the start's error reply. */
void io_discard(void)
{
    for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++)
        close_stream((enum stream)s);
}

/* Once the process has exited its output is all written; what descendants may still hold open
 * is read while it keeps coming, but never waited for: quiet for 50 ms, or 1 s in all, ends it. */
void io_drain(void)
{
    long long deadline = now_ns() + 1000000000LL;
    for (;;) {
        struct pollfd fds[2];
        enum stream which[2];
        int n = 0;
        for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++) {
            if (S.out_fd[s] >= 0) {
                fds[n] = (struct pollfd){.fd = S.out_fd[s], .events = POLLIN};
                which[n++] = (enum stream)s;
            }
        }
        if (n == 0 || poll(fds, (nfds_t)n, 50) <= 0 || now_ns() > deadline)
            break;
        for (int i = 0; i < n; i++) {
            if (fds[i].revents)
                io_read(which[i]);
        }
    }
    for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++) {
        close_stream((enum stream)s);
        jsonlog_eof((enum stream)s);
    }
    /* Input nobody can read any more is dropped. */
    in_len = 0;
    io_stdin_close();
}

size_t io_stdin_room(void)
{
    /* An exec's pty comes with its start: input typed before that waits in the client's socket. */
    if (S.o.tty && S.o.stdin_open && S.pty < 0 && !S.started && !S.exited)
        return 0;
    /* With no stdin left the input is read and dropped, so that client EOFs are still seen. */
    if (S.stdin_fd < 0 || in_close_pending)
        return sizeof in_buf;
    return in_len == 0 ? sizeof in_buf : 0;
}

int io_stdin_pending(void)
{
    return S.stdin_fd >= 0 && in_len > 0;
}

static void really_close_stdin(void)
{
    /* A pty master stays open for output: closing "stdin" there means forwarding no more. */
    if (S.stdin_fd >= 0 && S.stdin_fd != S.pty)
        close(S.stdin_fd);
    S.stdin_fd = -1;
    in_len = in_off = 0;
    in_close_pending = 0;
}

void io_stdin_write(void)
{
    while (S.stdin_fd >= 0 && in_len > 0) {
        ssize_t n = write(S.stdin_fd, in_buf + in_off, in_len);
        if (n > 0) {
            in_off += (size_t)n;
            in_len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        /* EPIPE: the process closed its stdin; nothing more can reach it. */
        in_close_pending = 1;
        break;
    }
    in_off = 0;
    if (in_close_pending)
        really_close_stdin();
}

void io_stdin_push(const unsigned char *data, size_t n)
{
    if (S.stdin_fd < 0 || in_close_pending)
        return;
    memcpy(in_buf, data, n);
    in_off = 0;
    in_len = n;
    io_stdin_write();
}

/* Stdin closes after what clients already sent has reached the process. */
void io_stdin_close(void)
{
    if (in_len > 0 && S.stdin_fd >= 0)
        in_close_pending = 1;
    else
        really_close_stdin();
}
