/* Small helpers shared by the other files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Readers (the engine after a restart) must never see half a file: write aside, then rename. */
int write_file_atomic(const char *name, const char *text)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, text, strlen(text));
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, name) == 0)
        return 0;
    unlink(tmp);
    return -1;
}

void set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* The engine reads exactly one line from our stdout; after it, stdout points at /dev/null. */
void sync_line(const char *kind, const char *text)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%s%s%s\n", kind, text[0] ? " " : "", text);
    if (n >= (int)sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    /* A daemon that died meanwhile gets EPIPE (SIGPIPE is ignored); the container lives on. */
    write_all(STDOUT_FILENO, line, (size_t)n);
}

const char *join_path(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
    return out;
}
