/* dockps-shim: the per-container monitor. Shared declarations; the protocol is in README.md. */
#ifndef DOCKPS_SHIM_H
#define DOCKPS_SHIM_H

#include <stddef.h>
#include <sys/types.h>

/* Docker's json-file driver splits lines at 16 KiB; readers of our logs expect the same pieces. */
#define LOG_LINE_MAX (16 * 1024)

enum stream { STREAM_STDOUT = 1, STREAM_STDERR = 2 };

/* What the engine asked for on the command line. Paths are absolute by the time main() forks. */
struct options {
    const char *runtime;
    const char **runtime_args;
    int n_runtime_args;
    const char *id, *bundle, *state;
    int tty, stdin_open, stdin_once;
    int start_at_once; /* --start: run the container at once, before any request */
    int sealed_runtime; /* --sealed-runtime: execute the runtime from a sealed copy of it */
    const char *log;
    long long log_max_size;
    int log_max_files;
    const char *oom_file;
    const char *exec_process;
    const char *runtime_log; /* the runtime's own --log, read for error messages when JSON */
};

/* The state every part of the shim shares. One process, one thread: plain globals are enough. */
struct shim {
    struct options o;
    pid_t self;
    int devnull;
    int out_fd[3];      /* indexed by enum stream; the pty master sits in [STREAM_STDOUT] */
    int child_fd[3];    /* the process's stdio ends, handed to the runtime then closed */
    int stdin_fd;       /* where client stdin goes: pipe write end or pty master; -1 if none */
    int pty;            /* pty master once received, else -1 */
    int console_listen; /* console.sock listener while a tty process is being set up */
    char console_path[128];
    int pending_rows, pending_cols; /* a resize that came before the pty did */
    pid_t main_pid;
    int started, exited;
    int drained;      /* the output after the exit has been read: attaches end at once */
    int exit_written; /* STATE/exit exists: waiters are answered at once */
    int exit_code, oom;
    long long finished_ns;
};

extern struct shim S;

/* util.c */
long long now_ns(void);
int write_all(int fd, const void *buf, size_t len);
int write_file_atomic(const char *name, const char *text);
void set_nonblock(int fd);
void sync_line(const char *kind, const char *text); /* to the engine over our stdout, once */
const char *join_path(char *out, size_t size, const char *dir, const char *name);

/* runtime.c: running the OCI runtime */
int runtime_run(const char *const *sub, int nsub, const int fds[3], char *err, size_t errlen);
pid_t runtime_spawn(const char *const *sub, int nsub, const int fds[3]);
int console_open(char *err, size_t errlen);
int console_receive(char *err, size_t errlen);
int read_pid_file(const char *name, pid_t *pid);

/* launch.c: run/exec/delete in terms of the protocol */
int launch_setup_stdio(char *err, size_t errlen);
int launch_run(char *err, size_t errlen);
int launch_start(char *err, size_t errlen);
pid_t launch_delete(void);
int read_oom(const char *path);

/* jsonlog.c: Docker's json-file format */
int jsonlog_open(const char *path, long long max_size, int max_files);
void jsonlog_feed(enum stream s, const unsigned char *data, size_t n);
void jsonlog_eof(enum stream s);
void jsonlog_flush(void);
int jsonlog_dirty(void);

/* io.c: the process's streams */
int io_read(enum stream s);  /* one read; 0 when the stream ended */
void io_discard(void);       /* an exec that never ran: drop what the runtime wrote */
void io_drain(void);         /* after the process exit: what is readable now, then stop */
void io_stdin_write(void);
int io_stdin_pending(void);
void io_stdin_close(void);
size_t io_stdin_room(void);
void io_stdin_push(const unsigned char *data, size_t n);

/* server.c: attach.sock */
int server_listen(char *err, size_t errlen);
struct pollfd;
int server_pollfds(struct pollfd *fds, int max);
void server_handle(struct pollfd *fds, int n);
void server_broadcast(enum stream s, const unsigned char *data, size_t n);
int server_attach_pending(void);
void server_close_attach(void);
void server_answer_waiters(void);
void server_close_all(void);

#endif
