/* SPDX-License-Identifier: MIT */
/*
 * proc.h - the one process runner: start a program, connect its standard
 * streams, read its output, wait for it, with an optional time limit.
 *
 * Every program the library starts goes through kx_proc_run(): the
 * $(shell,...) probes (parser/shell.c: conf's popen("/bin/sh -c CMD")) and
 * the kernel build (analyzer/build.c: make, strip, gzip).
 *
 * Starting: posix_spawn() of opts->file, or of argv[0] (posix_spawnp():
 * looked up in the PATH of this process, not of envp, when it has no '/';
 * unlike execvp() a file that is not an executable format is not handed to
 * /bin/sh).  The error of starting (an exec error such as ENOENT, EACCES or
 * ENOEXEC, a working directory that cannot be entered, ...) is the one
 * posix_spawn() reports, unchanged: callers such as the probe runner tell
 * sh's 126/127 cases apart by it.
 *
 * Streams: each of stdin, stdout and stderr is inherited, /dev/null, a
 * descriptor of the caller, a file (stdout/stderr: created or truncated,
 * mode 0644 less the umask), or (stdout/stderr) the pipe the runner reads;
 * stderr may also go where stdout goes (2>&1).  stdout and stderr both on
 * the pipe share it, in the order written.  Descriptors the runner opens
 * are close-on-exec in the caller.
 *
 * Reading the pipe: every byte read is appended to opts->capture and/or
 * passed, line by line, to opts->on_line.  With capture_max, reading stops
 * after that many bytes and the pipe is closed at once, as conf's pclose()
 * closes it after its single fread(): a program still writing then gets
 * SIGPIPE (or EPIPE).  The program is waited for after reading ends.
 *
 * Time limit: opts->timeout seconds from the start cover reading and
 * waiting.  When it passes, the program is killed with SIGKILL (with
 * new_group, its whole process group: everything it started that did not
 * leave the group) and reaped; kx_proc_run() returns KX_ELIMIT.
 */
#ifndef KX_UTIL_PROC_H
#define KX_UTIL_PROC_H

#include <stdbool.h>
#include <stddef.h>

struct kx_buf;

enum kx_proc_io {
	KX_PROC_INHERIT = 0,	/* the caller's own descriptor */
	KX_PROC_NULL,		/* /dev/null */
	KX_PROC_FD,		/* the caller's descriptor 'fd' */
	KX_PROC_FILE,		/* stdout/stderr: the file 'path' (created/truncated) */
	KX_PROC_PIPE,		/* stdout/stderr: the pipe the runner reads */
	KX_PROC_STDOUT,		/* stderr only: wherever stdout goes */
};

struct kx_proc_stream {
	enum kx_proc_io io;
	int fd;			/* KX_PROC_FD */
	const char *path;	/* KX_PROC_FILE */
};

/* Zero-initialised: inherit everything, no time limit, nothing read. */
struct kx_proc_opts {
	const char *file;	/* the program's path, used as is; NULL: argv[0] */
	char *const *argv;	/* NULL-terminated */
	char *const *envp;	/* NULL: this process's environment */
	const char *cwd;	/* NULL: the current directory */
	struct kx_proc_stream in, out, err;
	bool new_group;		/* its own process group (pgid = its pid) */
	/* default signal dispositions and an empty signal mask (otherwise the
	 * caller's mask and ignored signals are inherited, as by fork/exec) */
	bool reset_signals;
	double timeout;		/* seconds; <= 0: none */

	/* the pipe's output (out and/or err KX_PROC_PIPE) */
	struct kx_buf *capture;	/* NULL: not kept */
	size_t capture_max;	/* > 0: read at most this many bytes, then close */
	/*
	 * Each line read, with its '\n' (as getline() gives it; the last one
	 * may have none), NUL-terminated; all lines together are every byte
	 * read.  NULL: none.
	 */
	void (*on_line)(void *ctx, const char *line, size_t len);
	void *ctx;
};

struct kx_proc_result {
	bool started;		/* the program ran; 'status' is valid */
	/* not started: the errno, and whether posix_spawn() reported it (the
	 * program could not be executed) rather than the set-up (a pipe, the
	 * output file) */
	int error;
	bool spawn_failed;
	bool timed_out;		/* killed at the time limit */
	int status;		/* waitpid() status; 0 when reaped elsewhere (ECHILD) */
	size_t nread;		/* bytes read from the pipe */
};

/*
 * Runs the program as 'o' says and fills *res.  Returns 0 when it ran and
 * was reaped (its exit status in res->status), KX_ELIMIT when the time
 * limit killed it, KX_EIO when it could not be started (res->error), or
 * KX_EINVAL for contradictory options (a pipe or file for stdin, STDOUT
 * for anything but stderr, no argv).
 */
int kx_proc_run(const struct kx_proc_opts *o, struct kx_proc_result *res);

/* The exit code as a shell shows it: 0..255, or 128+N after signal N. */
int kx_proc_exit_code(int status);

#endif /* KX_UTIL_PROC_H */
