/* The attach server's clients, shared by server.c (connections, frames) and requests.c. */
#ifndef DOCKPS_SHIM_SERVER_H
#define DOCKPS_SHIM_SERVER_H

#include <stddef.h>

#define MAX_CLIENTS 64
#define REQUEST_MAX 128
/* How far an attach client may fall behind before it is dropped: the process and the log never
 * wait for a client. Most of the slack is the socket's kernel buffer (SOCKET_BUF, which the kernel
 * doubles), used only while a client lags and never resident in the shim, so that a reader that
 * is merely descheduled for a moment does not lose its stream; CLIENT_BUF_MAX is ours on top. */
#define CLIENT_BUF_MAX (1024 * 1024)
#define SOCKET_BUF (16 * 1024 * 1024)

enum kind { K_REQUEST, K_ATTACH, K_WAIT };

struct client {
    int fd;
    enum kind kind;
    char line[REQUEST_MAX];
    size_t line_len;
    int want[3];  /* output streams wanted, by enum stream */
    int want_in;  /* its input goes to the process's stdin */
    int reading;  /* input is still read: stdin data, or at least its end */
    int hup;      /* the peer is gone; only its unread input is left */
    int answered; /* a waiter that has its exit line */
    unsigned char *buf;
    size_t off, len, cap;
};

void client_reply(struct client *c, const char *text);
void client_drop(struct client *c);
void request_read(struct client *c);
void request_exit_line(char *out, size_t size);

#endif
