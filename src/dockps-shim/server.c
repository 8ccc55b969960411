/* attach.sock: connections, attach clients and their frames, waiters. Requests: requests.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "server.h"
#include "shim.h"

static struct client clients[MAX_CLIENTS];
static int nclients, polled;
static int listen_fd = -1;

int server_listen(char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, "attach.sock"); /* relative: the state dir is our working directory */
    unlink(addr.sun_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listen_fd, 32) != 0) {
        snprintf(err, errlen, "attach socket: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void client_reply(struct client *c, const char *text)
{
    /* A fresh connection's socket buffer takes a short line whole; a client that left gets nothing. */
    (void)send(c->fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void input_ended(struct client *c)
{
    if (c->kind == K_ATTACH && c->reading && c->want_in && S.o.stdin_once)
        io_stdin_close();
    c->reading = 0;
}

void client_drop(struct client *c)
{
    if (c->fd < 0)
        return;
    input_ended(c);
    close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->off = c->len = c->cap = 0;
}

static int append(struct client *c, const unsigned char *p, size_t n)
{
    if (c->len - c->off + n > CLIENT_BUF_MAX) {
        client_drop(c);
        return -1;
    }
    if (c->len + n > c->cap && c->off > 0) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 64 * 1024;
        while (cap < c->len + n)
            cap *= 2;
        unsigned char *buf = realloc(c->buf, cap);
        if (!buf) {
            client_drop(c);
            return -1;
        }
        c->buf = buf;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    return 0;
}

static void send_frame(struct client *c, const unsigned char *head, const unsigned char *data, size_t n)
{
    if (c->len > c->off) {
        if (append(c, head, 8) == 0)
            append(c, data, n);
        return;
    }
    struct iovec v[2] = {{(void *)head, 8}, {(void *)data, n}};
    ssize_t w = writev(c->fd, v, 2);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) {
            client_drop(c);
            return;
        }
        w = 0;
    }
    size_t done = (size_t)w;
    if (done < 8 && append(c, head + done, 8 - done) != 0)
        return;
    size_t skip = done > 8 ? done - 8 : 0;
    if (skip < n)
        append(c, data + skip, n - skip);
}

void server_broadcast(enum stream s, const unsigned char *data, size_t n)
{
    const unsigned char head[8] = {(unsigned char)s, 0, 0, 0, (unsigned char)(n >> 24),
                                   (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
    for (int i = 0; i < nclients; i++) {
        struct client *c = &clients[i];
        if (c->fd >= 0 && c->kind == K_ATTACH && !c->hup && c->want[s])
            send_frame(c, head, data, n);
    }
}

static void flush_client(struct client *c)
{
    while (c->len > c->off) {
        ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
        if (w < 0) {
            if (errno != EAGAIN && errno != EINTR)
                client_drop(c);
            return;
        }
        c->off += (size_t)w;
    }
    /* Caught up: give the memory back, the shim should stay small when idle. */
    free(c->buf);
    c->buf = NULL;
    c->off = c->len = c->cap = 0;
}

static void read_input(struct client *c)
{
    static unsigned char data[16 * 1024];
    size_t room = io_stdin_room();
    ssize_t n = read(c->fd, data, room < sizeof data ? room : sizeof data);
    if (n > 0) {
        if (c->kind == K_ATTACH && c->want_in)
            io_stdin_push(data, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    /* End of its input: a half-close (it still reads output) or, with hup, the end of it. */
    input_ended(c);
    if (c->hup || n < 0)
        client_drop(c);
}

static void accept_clients(void)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        if (nclients == MAX_CLIENTS) {
            close(fd);
            continue;
        }
        clients[nclients++] = (struct client){.fd = fd, .kind = K_REQUEST};
    }
}

int server_pollfds(struct pollfd *fds, int max)
{
    int kept = 0;
    for (int i = 0; i < nclients; i++) {
        if (clients[i].fd >= 0)
            clients[kept++] = clients[i];
    }
    nclients = kept;
    int n = 0;
    fds[n++] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    for (int i = 0; i < nclients && n < max; i++) {
        struct client *c = &clients[i];
        short events = 0;
        int fd = c->fd;
        if (c->kind == K_REQUEST)
            events = POLLIN;
        else if (c->reading && (c->kind == K_WAIT || io_stdin_room() > 0))
            events = POLLIN;
        if (c->len > c->off)
            events |= POLLOUT;
        /* A departed client is only worth polling while its remaining input can be taken. */
        if (c->hup && !(events & POLLIN))
            fd = -1;
        fds[n++] = (struct pollfd){.fd = fd, .events = events};
    }
    polled = n - 1;
    return n;
}

void server_handle(struct pollfd *fds, int n)
{
    for (int i = 0; i < polled && i + 1 < n; i++) {
        struct client *c = &clients[i];
        short ev = fds[i + 1].revents;
        if (c->fd < 0 || fds[i + 1].fd < 0 || !ev)
            continue;
        if (ev & POLLOUT)
            flush_client(c);
        if (c->fd >= 0 && (ev & POLLIN))
            c->kind == K_REQUEST ? request_read(c) : read_input(c);
        if (c->fd >= 0 && (ev & (POLLHUP | POLLERR)) && !(ev & POLLIN)) {
            if (c->kind == K_ATTACH && c->reading) {
                /* Its output can no longer be delivered, but input it sent may still be queued. */
                c->hup = 1;
                free(c->buf);
                c->buf = NULL;
                c->off = c->len = c->cap = 0;
            } else {
                client_drop(c);
            }
        }
    }
    if (fds[0].revents & POLLIN)
        accept_clients();
}

int server_attach_pending(void)
{
    for (int i = 0; i < nclients; i++) {
        if (clients[i].fd >= 0 && clients[i].kind == K_ATTACH && clients[i].len > clients[i].off)
            return 1;
    }
    return 0;
}

void server_close_attach(void)
{
    for (int i = 0; i < nclients; i++) {
        if (clients[i].kind == K_ATTACH)
            client_drop(&clients[i]);
    }
}

void server_answer_waiters(void)
{
    char text[96];
    request_exit_line(text, sizeof text);
    for (int i = 0; i < nclients; i++) {
        struct client *c = &clients[i];
        if (c->fd >= 0 && c->kind == K_WAIT && !c->answered) {
            client_reply(c, text);
            c->answered = 1;
        }
    }
}

void server_close_all(void)
{
    for (int i = 0; i < nclients; i++)
        client_drop(&clients[i]);
    nclients = 0;
    unlink("attach.sock");
    close(listen_fd);
    listen_fd = -1;
}
