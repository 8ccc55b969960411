/* dockps-shim: options, becoming a monitor that outlives the daemon, and the event loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

struct shim S;

static int sigfd = -1;
static int in_state_dir;
static pid_t delete_pid = -1;
static int deleted;

static void fail(const char *message)
{
    sync_line("error", message);
    if (in_state_dir) {
        unlink("attach.sock");
        unlink("shim.pid");
    }
    exit(1);
}

/* The shim's own failures say so, the engine tells them from the runtime's by this prefix. */
static void fail_shim(const char *what)
{
    char message[700];
    snprintf(message, sizeof message, "dockps-shim: %s", what);
    fail(message);
}

static void bad_option(const char *what, const char *arg)
{
    char message[512];
    snprintf(message, sizeof message, "dockps-shim: %s%s%s", what, arg ? " " : "", arg ? arg : "");
    fail(message);
}

/* We chdir to the state dir, so every path the engine gives must stop depending on its cwd. */
static const char *absolute(const char *path)
{
    if (!path || path[0] == '/')
        return path;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        bad_option("cannot resolve", path);
    char *out = malloc(strlen(cwd) + strlen(path) + 2);
    if (!out)
        bad_option("out of memory", NULL);
    sprintf(out, "%s/%s", cwd, path);
    return out;
}

static long long number(const char *name, const char *value)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || *end || end == value || v < 0)
        bad_option(name, value);
    return v;
}

/* The runtime's --log file is where it explains failures; only its JSON form is parsed. */
static void find_runtime_log(void)
{
    const char *log = NULL;
    int json = 0;
    for (int i = 0; i < S.o.n_runtime_args; i++) {
        const char *a = S.o.runtime_args[i], *next = i + 1 < S.o.n_runtime_args ? S.o.runtime_args[i + 1] : "";
        if (strcmp(a, "--log") == 0)
            log = next;
        else if (strncmp(a, "--log=", 6) == 0)
            log = a + 6;
        else if (strcmp(a, "--log-format") == 0)
            json = strcmp(next, "json") == 0;
        else if (strncmp(a, "--log-format=", 13) == 0)
            json = strcmp(a + 13, "json") == 0;
    }
    S.o.runtime_log = json && log && *log ? absolute(log) : NULL;
}

static void parse(int argc, char **argv)
{
    struct options *o = &S.o;
    o->runtime_args = calloc((size_t)argc, sizeof *o->runtime_args);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **flag = NULL;
        if (strcmp(a, "--tty") == 0)
            o->tty = 1;
        else if (strcmp(a, "--stdin") == 0)
            o->stdin_open = 1;
        else if (strcmp(a, "--stdin-once") == 0)
            o->stdin_once = 1;
        else if (strcmp(a, "--start") == 0)
            o->start_at_once = 1;
        else if (strcmp(a, "--sealed-runtime") == 0)
            o->sealed_runtime = 1;
        else {
            static const char *size_text, *files_text, *runtime_arg;
            const char *names[] = {"--runtime", "--runtime-arg", "--id", "--bundle", "--state", "--log",
                                   "--log-max-size", "--log-max-files", "--oom-file", "--exec"};
            const char **slots[] = {&o->runtime, &runtime_arg, &o->id, &o->bundle, &o->state, &o->log,
                                    &size_text, &files_text, &o->oom_file, &o->exec_process};
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
                if (strcmp(a, names[k]) == 0)
                    flag = slots[k];
            }
            if (!flag)
                bad_option("unknown option", a);
            if (i + 1 >= argc)
                bad_option("missing value for", a);
            *flag = argv[++i];
            if (flag == &runtime_arg)
                o->runtime_args[o->n_runtime_args++] = runtime_arg;
            else if (flag == &size_text)
                o->log_max_size = number(a, size_text);
            else if (flag == &files_text)
                o->log_max_files = (int)number(a, files_text);
        }
    }
    if (!o->runtime || !o->id || !o->bundle || !o->state)
        bad_option("--runtime, --id, --bundle and --state are required", NULL);
    if (!o->id[0] || strchr(o->id, '/') || strchr(o->id, '\n'))
        bad_option("invalid id", o->id);
    if (o->start_at_once && o->exec_process)
        bad_option("--start is for container mode", NULL);
    if (o->log_max_files > 0 && o->log_max_size == 0)
        bad_option("--log-max-files needs --log-max-size", NULL);
    if (strchr(o->runtime, '/'))
        o->runtime = absolute(o->runtime);
    o->bundle = absolute(o->bundle);
    o->state = absolute(o->state);
    o->log = absolute(o->log);
    o->oom_file = absolute(o->oom_file);
    o->exec_process = absolute(o->exec_process);
    find_runtime_log();
}

/* The daemon's fds and signal setup are not ours to keep: nothing leaks into the runtime, and
 * the signals that would end us arrive as data instead (SIGTERM must not end the container). */
static void become_monitor(void)
{
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* Big buffers come from mmap, so they go back to the kernel when freed (RSS stays small). */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    S.self = getpid();
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 1024; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    S.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sigfd < 0 || S.devnull < 0)
        fail_shim("signalfd or /dev/null unavailable");
    dup2(S.devnull, STDIN_FILENO);
}

static void reap(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == S.main_pid && !S.exited) {
            S.exited = 1;
            S.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
            S.finished_ns = now_ns();
        } else if (pid == delete_pid) {
            deleted = 1;
        }
    }
}

/* After the exit: record it, tell the waiters, and (container mode) let the runtime clean up,
 * still answering requests while it does. Waiters see end of file only when that is done. */
static void finish(void)
{
    char text[96];
    if (S.o.oom_file)
        S.oom = read_oom(S.o.oom_file);
    snprintf(text, sizeof text, "%d %lld %d\n", S.exit_code, S.finished_ns, S.oom);
    write_file_atomic("exit", text);
    S.exit_written = 1;
    server_answer_waiters();
    delete_pid = S.o.exec_process ? -1 : launch_delete();
    deleted = delete_pid < 0;
}

static void loop(void)
{
    enum { RUNNING, FLUSHING, DELETING } phase = RUNNING;
    long long flush_deadline = 0;
    struct pollfd fds[80];
    for (;;) {
        if (phase == RUNNING && S.exited) {
            io_drain();
            S.drained = 1;
            jsonlog_flush();
            phase = FLUSHING;
            flush_deadline = now_ns() + 2000000000LL; /* a stuck client delays the end this long */
        }
        if (phase == FLUSHING && (!server_attach_pending() || now_ns() >= flush_deadline)) {
            server_close_attach();
            finish();
            phase = DELETING;
        }
        if (phase == DELETING && deleted) {
            server_close_all();
            exit(0);
        }
        int n = 0, out_at[3] = {-1, -1, -1}, in_at = -1;
        fds[n++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
        for (int s = STREAM_STDOUT; s <= STREAM_STDERR && phase == RUNNING; s++) {
            if (S.out_fd[s] >= 0) {
                out_at[s] = n;
                fds[n++] = (struct pollfd){.fd = S.out_fd[s], .events = POLLIN};
            }
        }
        if (io_stdin_pending()) {
            in_at = n;
            fds[n++] = (struct pollfd){.fd = S.stdin_fd, .events = POLLOUT};
        }
        int server_at = n;
        n += server_pollfds(fds + n, (int)(sizeof fds / sizeof fds[0]) - n);
        /* The log is flushed whenever nothing is ready to read: prompt for `logs -f`, and in
         * large writes while output keeps coming. */
        int timeout = jsonlog_dirty() ? 0 : -1;
        if (phase == FLUSHING && timeout < 0) {
            long long left = flush_deadline - now_ns();
            timeout = left > 0 ? (int)(left / 1000000) + 1 : 0;
        }
        int ready = poll(fds, (nfds_t)n, timeout);
        if (ready < 0 && errno != EINTR)
            fail_shim("poll failed");
        if (ready <= 0) {
            jsonlog_flush();
            continue;
        }
        if (fds[0].revents) {
            struct signalfd_siginfo info;
            while (read(sigfd, &info, sizeof info) == sizeof info) {
            }
            reap();
        }
        for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++) {
            if (out_at[s] >= 0 && fds[out_at[s]].revents)
                io_read((enum stream)s);
        }
        if (in_at >= 0 && fds[in_at].revents)
            io_stdin_write();
        server_handle(fds + server_at, n - server_at);
    }
}

int main(int argc, char **argv)
{
    /* fds 0-2 must be taken: a pipe landing there would later be overwritten by /dev/null. */
    int fd;
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO) {
    }
    if (fd > STDERR_FILENO)
        close(fd);
    parse(argc, argv);
    /* The engine waits for its child; the monitor is the grandchild, reparented away from it. */
    pid_t pid = fork();
    if (pid < 0)
        bad_option("fork failed", NULL);
    if (pid > 0)
        _exit(0);
    become_monitor();
    char err[600], text[64];
    if (chdir(S.o.state) != 0)
        bad_option("cannot enter state dir", S.o.state);
    in_state_dir = 1;
    snprintf(text, sizeof text, "%d\n", (int)S.self);
    if (write_file_atomic("shim.pid", text) != 0)
        fail_shim("cannot write shim.pid");
    if (server_listen(err, sizeof err) != 0)
        fail_shim(err);
    if (S.o.log && jsonlog_open(S.o.log, S.o.log_max_size, S.o.log_max_files) != 0) {
        snprintf(err, sizeof err, "log %s: %s", S.o.log, strerror(errno));
        fail_shim(err);
    }
    if (launch_setup_stdio(err, sizeof err) != 0)
        fail_shim(err);
    if (S.o.start_at_once) {
        if (launch_run(err, sizeof err) != 0)
            fail(err);
        snprintf(text, sizeof text, "%d %d", (int)S.main_pid, (int)S.self);
        sync_line("started", text);
    } else {
        snprintf(text, sizeof text, "%d", (int)S.self);
        sync_line("ready", text);
    }
    dup2(S.devnull, STDOUT_FILENO);
    dup2(S.devnull, STDERR_FILENO);
    loop();
    return 0;
}
