/* The requests of attach.sock, one per connection: start, attach, resize, wait (README.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "shim.h"

void request_exit_line(char *out, size_t size)
{
    snprintf(out, size, "exit %d %lld %d\n", S.exit_code, S.finished_ns, S.oom);
}

static int parse_uint(const char **p, unsigned max, unsigned *out)
{
    const char *s = *p;
    unsigned long v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9' && v <= max)
        v = v * 10 + (unsigned long)(*s++ - '0');
    if (v > max)
        return -1;
    *out = (unsigned)v;
    *p = s;
    return 0;
}

static void do_start(struct client *c)
{
    char err[512], text[600];
    if (S.started)
        snprintf(text, sizeof text, "error already started\n");
    else if (S.exited)
        snprintf(text, sizeof text, "error process has exited\n");
    else if (launch_start(err, sizeof err) == 0)
        snprintf(text, sizeof text, "ok %d\n", (int)S.main_pid);
    else
        snprintf(text, sizeof text, "error %s\n", err);
    client_reply(c, text);
    client_drop(c);
    /* A container the runtime could not run left nothing to monitor (the runtime removed what it
     * had made): the shim goes, and its attach clients see the end of their streams. */
    if (!S.started && !S.o.exec_process) {
        server_close_all();
        unlink("shim.pid");
        exit(1);
    }
}

static void do_attach(struct client *c, const char *args)
{
    unsigned v[3];
    for (int i = 0; i < 3; i++) {
        if ((i > 0 && *args++ != ' ') || parse_uint(&args, 1, &v[i]) != 0) {
            client_reply(c, "error unknown request\n");
            client_drop(c);
            return;
        }
    }
    if (*args) {
        client_reply(c, "error unknown request\n");
        client_drop(c);
        return;
    }
    client_reply(c, "ok\n");
    if (S.drained) {
        client_drop(c); /* nothing more will ever come */
        return;
    }
    c->kind = K_ATTACH;
    c->want_in = (int)v[0];
    c->want[STREAM_STDOUT] = (int)v[1];
    c->want[STREAM_STDERR] = (int)v[2];
    c->reading = 1;
    /* Kernel buffer instead of ours: it costs the shim no resident memory. */
    int size = SOCKET_BUF;
    if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
        setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

static void do_resize(struct client *c, const char *args)
{
    unsigned rows, cols;
    if (parse_uint(&args, 65535, &rows) != 0 || *args++ != ' ' || parse_uint(&args, 65535, &cols) != 0 || *args) {
        client_reply(c, "error unknown request\n");
    } else if (S.pty >= 0) {
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
        char text[300] = "ok\n";
        if (ioctl(S.pty, TIOCSWINSZ, &ws) != 0)
            snprintf(text, sizeof text, "error resize: %s\n", strerror(errno));
        client_reply(c, text);
    } else {
        /* No pty yet (an exec not started): applied when it arrives. Without a tty: no-op. */
        if (S.o.tty) {
            S.pending_rows = (int)rows;
            S.pending_cols = (int)cols;
        }
        client_reply(c, "ok\n");
    }
    client_drop(c);
}

static void do_wait(struct client *c)
{
    c->kind = K_WAIT;
    c->reading = 1;
    if (S.exit_written) {
        char text[96];
        request_exit_line(text, sizeof text);
        client_reply(c, text);
        c->answered = 1;
    }
}

void request_read(struct client *c)
{
    char peek[REQUEST_MAX];
    /* Peek first so that nothing past the newline is taken: that is the client's stdin. */
    ssize_t n = recv(c->fd, peek, REQUEST_MAX - c->line_len, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        client_drop(c);
        return;
    }
    char *nl = memchr(peek, '\n', (size_t)n);
    size_t take = nl ? (size_t)(nl - peek) + 1 : (size_t)n;
    if (recv(c->fd, c->line + c->line_len, take, MSG_DONTWAIT) != (ssize_t)take) {
        client_drop(c);
        return;
    }
    c->line_len += take;
    if (!nl) {
        if (c->line_len == REQUEST_MAX) {
            client_reply(c, "error unknown request\n");
            client_drop(c);
        }
        return;
    }
    c->line[c->line_len - 1] = 0;
    if (c->line_len > 1 && c->line[c->line_len - 2] == '\r')
        c->line[c->line_len - 2] = 0;
    if (strcmp(c->line, "start") == 0)
        do_start(c);
    else if (strncmp(c->line, "attach ", 7) == 0)
        do_attach(c, c->line + 7);
    else if (strncmp(c->line, "resize ", 7) == 0)
        do_resize(c, c->line + 7);
    else if (strcmp(c->line, "wait") == 0)
        do_wait(c);
    else {
        client_reply(c, "error unknown request\n");
        client_drop(c);
    }
}
