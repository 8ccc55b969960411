/* Running the OCI runtime: argv, stdio, and the message to report when it fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#define MAX_ARGS 96

static int build_argv(const char **argv, const char *const *sub, int nsub)
{
    int n = 0;
    if (S.o.n_runtime_args + nsub + 2 > MAX_ARGS)
        return -1;
    argv[n++] = S.o.runtime;
    for (int i = 0; i < S.o.n_runtime_args; i++)
        argv[n++] = S.o.runtime_args[i];
    for (int i = 0; i < nsub; i++)
        argv[n++] = sub[i];
    argv[n] = NULL;
    return n;
}

/* --sealed-runtime (crun): a runtime that guards its binary against a container that would
 * overwrite it through /proc/self/exe (CVE-2019-5736) by executing itself again from a sealed
 * copy, unless it already runs from one, costs a second exec and dynamic link per call (2 to 3
 * ms each on these machines, for every run and delete). We hand it that copy at once: a memfd
 * holding the binary with the seals it checks for. Only an ELF file by absolute path (a wrapper
 * script needs its path); anything that fails falls back to executing the path. */
static void exec_sealed_copy(const char *const *argv)
{
    if (!S.o.sealed_runtime || argv[0][0] != '/')
        return;
    int src = open(argv[0], O_RDONLY | O_CLOEXEC);
    struct stat st;
    char magic[4];
    if (src < 0 || fstat(src, &st) != 0 || pread(src, magic, 4, 0) != 4 || memcmp(magic, "\x7f" "ELF", 4) != 0) {
        if (src >= 0)
            close(src);
        return;
    }
    /* MFD_EXEC says the copy is meant to run (kernels from 6.3 warn without it; older refuse it). */
    int mem = memfd_create("runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x10U);
    if (mem < 0)
        mem = memfd_create("runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    off_t offset = 0;
    while (mem >= 0 && offset < st.st_size) {
        if (sendfile(mem, src, &offset, (size_t)(st.st_size - offset)) <= 0)
            break;
    }
    close(src);
    if (mem >= 0 && offset == st.st_size &&
        fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == 0)
        fexecve(mem, (char *const *)argv, environ);
    if (mem >= 0)
        close(mem);
}

/* The child undoes what the shim set up for itself: our blocked signals and ignored SIGPIPE
 * would otherwise be inherited through exec by the runtime and the container. */
static pid_t spawn(const char *const *sub, int nsub, const int fds[3], int errpipe)
{
    const char *argv[MAX_ARGS];
    if (build_argv(argv, sub, nsub) < 0) {
        errno = E2BIG;
        return -1;
    }
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    for (int i = 0; i < 3; i++) {
        if (dup2(fds[i], i) < 0)
            _exit(127);
    }
    exec_sealed_copy(argv);
    execvp(argv[0], (char *const *)argv);
    int e = errno;
    if (errpipe >= 0)
        write_all(errpipe, &e, sizeof e);
    _exit(127);
}

pid_t runtime_spawn(const char *const *sub, int nsub, const int fds[3])
{
    return spawn(sub, nsub, fds, -1);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 ? st.st_size : 0;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* One BMP character as UTF-8; a lone surrogate (half of a pair) becomes '?'. */
static size_t put_utf8(char *out, unsigned v)
{
    if (v < 0x20) {
        out[0] = ' ';
        return 1;
    }
    if (v < 0x80) {
        out[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (char)(0xC0 | v >> 6);
        out[1] = (char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v >= 0xD800 && v < 0xE000) {
        out[0] = '?';
        return 1;
    }
    out[0] = (char)(0xE0 | v >> 12);
    out[1] = (char)(0x80 | ((v >> 6) & 0x3F));
    out[2] = (char)(0x80 | (v & 0x3F));
    return 3;
}

/* The value of a JSON string field in one log line, unescaped and made printable on one line. */
static int json_field(const char *line, const char *key, char *out, size_t size)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(line, pattern);
    if (!p)
        return -1;
    p += strlen(pattern);
    while (*p == ' ')
        p++;
    if (*p++ != ':')
        return -1;
    while (*p == ' ')
        p++;
    if (*p++ != '"')
        return -1;
    size_t n = 0;
    while (*p && *p != '"' && n + 4 < size) {
        char c = *p++;
        if (c == '\\' && *p) {
            char e = *p++;
            int v;
            if (e == 'u' && (v = hex4(p)) >= 0) {
                p += 4;
                n += put_utf8(out + n, (unsigned)v);
                continue;
            } else {
                c = e == 'n' || e == 't' || e == 'r' ? ' ' : e;
            }
        }
        out[n++] = (unsigned char)c < 0x20 ? ' ' : c;
    }
    out[n] = 0;
    return 0;
}

/* The runtime's own explanation: the last error line it logged during this run. */
static int runtime_log_message(off_t from, char *err, size_t errlen)
{
    if (!S.o.runtime_log)
        return -1;
    int fd = open(S.o.runtime_log, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    static char text[32 * 1024];
    off_t size = lseek(fd, 0, SEEK_END);
    if (size - from > (off_t)sizeof text - 1)
        from = size - ((off_t)sizeof text - 1);
    ssize_t n = from >= 0 && from < size ? pread(fd, text, (size_t)(size - from), from) : 0;
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = 0;
    int found = -1;
    char msg[512], level[16];
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (json_field(line, "msg", msg, sizeof msg) != 0)
            continue;
        int is_error = json_field(line, "level", level, sizeof level) == 0 &&
                       (strcmp(level, "error") == 0 || strcmp(level, "fatal") == 0);
        /* The last error wins; a later warning only counts when no error was logged. */
        if (is_error || found != 1) {
            snprintf(err, errlen, "%s", msg);
            found = is_error;
        }
    }
    return found >= 0 ? 0 : -1;
}

int runtime_run(const char *const *sub, int nsub, const int fds[3], char *err, size_t errlen)
{
    off_t log_from = file_size(S.o.runtime_log);
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = spawn(sub, nsub, fds, errpipe[1]);
    close(errpipe[1]);
    if (pid < 0) {
        close(errpipe[0]);
        snprintf(err, errlen, "cannot run %s: %s", S.o.runtime, strerror(errno));
        return -1;
    }
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(errpipe[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(errpipe[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got == sizeof exec_errno) {
        snprintf(err, errlen, "cannot run %s: %s", S.o.runtime, strerror(exec_errno));
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (runtime_log_message(log_from, err, errlen) == 0)
        return -1;
    if (WIFSIGNALED(status))
        snprintf(err, errlen, "%s %s: killed by signal %d", S.o.runtime, sub[0], WTERMSIG(status));
    else
        snprintf(err, errlen, "%s %s: exit status %d", S.o.runtime, sub[0], WEXITSTATUS(status));
    return -1;
}

int read_pid_file(const char *name, pid_t *pid)
{
    char text[32];
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = 0;
    long v = strtol(text, NULL, 10);
    if (v <= 0)
        return -1;
    *pid = (pid_t)v;
    return 0;
}

/* sun_path holds 108 bytes: we bind relative to our working directory (the state dir) and give
 * the runtime an absolute path, through /proc/<shim>/cwd when the real one is too long. */
int console_open(char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, "console.sock");
    unlink(addr.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 4) != 0) {
        snprintf(err, errlen, "console socket: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    join_path(S.console_path, sizeof S.console_path, S.o.state, "console.sock");
    if (strlen(S.o.state) + sizeof "/console.sock" > sizeof addr.sun_path)
        snprintf(S.console_path, sizeof S.console_path, "/proc/%d/cwd/console.sock", (int)S.self);
    S.console_listen = fd;
    return 0;
}

/* The runtime has exited by now; its connection and the fd it sent wait in the socket queue. */
int console_receive(char *err, size_t errlen)
{
    int conn = accept4(S.console_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    close(S.console_listen);
    S.console_listen = -1;
    unlink("console.sock");
    if (conn < 0) {
        snprintf(err, errlen, "the runtime sent no console: %s", strerror(errno));
        return -1;
    }
    char name[256];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    close(conn);
    struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
        snprintf(err, errlen, "the runtime sent no console fd");
        return -1;
    }
    memcpy(&S.pty, CMSG_DATA(c), sizeof(int));
    set_nonblock(S.pty);
    return 0;
}
