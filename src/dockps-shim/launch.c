/* The process's life as the protocol sees it: stdio, create, start or exec, delete, OOM. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim.h"

/* Bigger pipes mean fewer wake-ups per megabyte and more slack while we run the runtime;
 * the kernel's unprivileged ceiling (pipe-max-size) is the limit, and failure is harmless. */
#define PIPE_SIZE (1024 * 1024)

static void close_child_fds(void)
{
    for (int i = 0; i < 3; i++) {
        if (S.child_fd[i] != S.devnull)
            close(S.child_fd[i]);
        S.child_fd[i] = S.devnull;
    }
}

int launch_setup_stdio(char *err, size_t errlen)
{
    for (int i = 0; i < 3; i++) {
        S.child_fd[i] = S.devnull;
        S.out_fd[i] = -1;
    }
    S.stdin_fd = S.pty = S.console_listen = -1;
    /* With a terminal the runtime makes the pty; its own stdio stays away from our sync pipe. */
    if (S.o.tty)
        return console_open(err, errlen);
    for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0)
            goto fail;
        fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
        set_nonblock(p[0]);
        S.out_fd[s] = p[0];
        S.child_fd[s] = p[1];
    }
    if (S.o.stdin_open) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0)
            goto fail;
        set_nonblock(p[1]);
        S.child_fd[0] = p[0];
        S.stdin_fd = p[1];
    }
    return 0;
fail:
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return -1;
}

static void apply_pending_resize(void)
{
    if (S.pending_rows > 0 && S.pty >= 0) {
        struct winsize ws = {.ws_row = (unsigned short)S.pending_rows, .ws_col = (unsigned short)S.pending_cols};
        ioctl(S.pty, TIOCSWINSZ, &ws);
        S.pending_rows = 0;
    }
}

/* After the runtime succeeded: learn the pid and, with a terminal, take the pty master. */
static int took_process(char *err, size_t errlen)
{
    char pid_file[4096];
    if (read_pid_file(join_path(pid_file, sizeof pid_file, S.o.state, "pid"), &S.main_pid) != 0) {
        snprintf(err, errlen, "the runtime wrote no pid file");
        return -1;
    }
    if (!S.o.tty)
        return 0;
    if (console_receive(err, errlen) != 0)
        return -1;
    S.out_fd[STREAM_STDOUT] = S.pty;
    if (S.o.stdin_open)
        S.stdin_fd = S.pty;
    apply_pending_resize();
    return 0;
}

static void drop_console(void)
{
    if (S.console_listen >= 0) {
        close(S.console_listen);
        S.console_listen = -1;
        unlink("console.sock");
    }
}

/* The runtime runs the process detached, so that it reparents to us (the subreaper) when the
 * runtime exits: a container's init with `run`, an exec's process with `exec`. One runtime run
 * per start: create then start would cost a second runtime process, and attach clients connect
 * to us, not to the runtime, so they need no created-but-not-started container to wait on. */
int launch_run(char *err, size_t errlen)
{
    char pid_file[4096];
    const char *sub[12];
    int n = 0;
    sub[n++] = S.o.exec_process ? "exec" : "run";
    sub[n++] = "--detach";
    if (S.o.exec_process) {
        sub[n++] = "--process";
        sub[n++] = S.o.exec_process;
    } else {
        sub[n++] = "--bundle";
        sub[n++] = S.o.bundle;
    }
    sub[n++] = "--pid-file";
    sub[n++] = join_path(pid_file, sizeof pid_file, S.o.state, "pid");
    if (S.o.tty) {
        sub[n++] = "--console-socket";
        sub[n++] = S.console_path;
    }
    sub[n++] = S.o.id;
    int rc = runtime_run(sub, n, S.child_fd, err, errlen);
    /* The process holds its ends now; ours must go or we would never see end of file. */
    close_child_fds();
    if (rc == 0 && took_process(err, errlen) != 0) {
        /* Running, but not something we can monitor: it must not outlive our failure report. */
        if (!S.o.exec_process) {
            const char *del[] = {"delete", "--force", S.o.id};
            const int null_fds[3] = {S.devnull, S.devnull, S.devnull};
            char ignored[64];
            runtime_run(del, 3, null_fds, ignored, sizeof ignored);
        }
        rc = -1;
    }
    drop_console();
    if (rc == 0)
        S.started = 1;
    return rc;
}

int launch_start(char *err, size_t errlen)
{
    if (launch_run(err, errlen) == 0)
        return 0;
    if (S.o.exec_process) {
        /* An exec that never ran has nothing left to monitor: it ends as Docker reports it, 126. */
        io_discard();
        S.exited = 1;
        S.exit_code = 126;
        S.finished_ns = now_ns();
    }
    return -1;
}

pid_t launch_delete(void)
{
    const char *sub[] = {"delete", "--force", S.o.id};
    const int null_fds[3] = {S.devnull, S.devnull, S.devnull};
    return runtime_spawn(sub, 3, null_fds);
}

/* cgroup v1 memory.oom_control and v2 memory.events both carry an "oom_kill <n>" line. */
int read_oom(const char *path)
{
    char text[1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "oom_kill ", 9) == 0)
            return strtoll(line + 9, NULL, 10) > 0;
    }
    return 0;
}
