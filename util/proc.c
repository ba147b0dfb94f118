// SPDX-License-Identifier: MIT
/*
 * proc.c - the process runner (see proc.h).
 *
 * One run: the pipe and the output files are opened here (close-on-exec),
 * the child's streams, working directory, process group and signal state
 * are set through posix_spawn's file actions and attributes, the pipe is
 * read with poll() against the deadline, and the child is waited for with
 * waitpid(WNOHANG), sleeping on a pidfd when the kernel has them (else in
 * growing naps of 20 us to 10 ms).
 */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

extern char **environ;

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* milliseconds to 'deadline' for poll(): 0 when it has passed, -1 for none */
static int remaining_ms(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = deadline - now_sec();
	if (left <= 0)
		return 0;
	if (left > 3600)
		return 3600 * 1000;
	return (int)(left * 1000) + 1;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0) {
		(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		return (int)fd;
	}
#else
	(void)pid;
#endif
	return -1;
}

/* Kills the child (and its group) and reaps it. */
static void kill_and_reap(pid_t pid, bool group)
{
	int status;

	if (group)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Waits for 'pid' until 'deadline' (<= 0: for ever).  Returns 0 with
 * *status set, or KX_ELIMIT (the child is still running).  'pidfd' may be
 * -1.
 */
static int wait_deadline(pid_t pid, int pidfd, double deadline, int *status)
{
	long sleep_ns = 20000;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, deadline > 0 ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			*status = 0;	/* ECHILD: reaped elsewhere */
			return 0;
		}
		if (r == 0 && deadline > 0) {
			if (now_sec() >= deadline)
				return KX_ELIMIT;
			if (pidfd >= 0) {
				struct pollfd pfd = { pidfd, POLLIN, 0 };

				(void)poll(&pfd, 1, remaining_ms(deadline));
			} else {
				struct timespec ts = { 0, sleep_ns };

				nanosleep(&ts, NULL);
				if (sleep_ns < 10000000)
					sleep_ns *= 2;
			}
		}
	}
}

/* ---- the streams ------------------------------------------------------------ */

struct run {
	const struct kx_proc_opts *o;
	int pipe_r, pipe_w;	/* -1: no pipe */
	int out_fd, err_fd;	/* KX_PROC_FILE descriptors, or -1 */
	struct kx_buf line;	/* the line on_line has not had yet */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static bool valid_opts(const struct kx_proc_opts *o)
{
	if (!o->argv || !o->argv[0])
		return false;
	if (o->in.io == KX_PROC_FILE || o->in.io == KX_PROC_PIPE || o->in.io == KX_PROC_STDOUT)
		return false;
	if (o->out.io == KX_PROC_STDOUT)
		return false;
	if ((o->out.io == KX_PROC_FILE && !o->out.path) ||
	    (o->err.io == KX_PROC_FILE && !o->err.path))
		return false;
	return true;
}

/* The pipe and the output files; returns 0 or an errno. */
static int open_streams(struct run *r)
{
	const struct kx_proc_opts *o = r->o;
	int fds[2];

	if (o->out.io == KX_PROC_PIPE || o->err.io == KX_PROC_PIPE) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return errno;
		r->pipe_r = fds[0];
		r->pipe_w = fds[1];
	}
	if (o->out.io == KX_PROC_FILE) {
		r->out_fd = open(o->out.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (r->out_fd < 0)
			return errno;
	}
	if (o->err.io == KX_PROC_FILE) {
		r->err_fd = open(o->err.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (r->err_fd < 0)
			return errno;
	}
	return 0;
}

/* The file action that gives descriptor 'to' what 's' says. */
static int add_stream(posix_spawn_file_actions_t *fa, const struct run *r,
		      const struct kx_proc_stream *s, int to)
{
	switch (s->io) {
	case KX_PROC_INHERIT:
		return 0;
	case KX_PROC_NULL:
		return posix_spawn_file_actions_addopen(fa, to, "/dev/null",
							to ? O_WRONLY : O_RDONLY, 0);
	case KX_PROC_FD:
		return posix_spawn_file_actions_adddup2(fa, s->fd, to);
	case KX_PROC_FILE:
		return posix_spawn_file_actions_adddup2(fa, to == 1 ? r->out_fd : r->err_fd, to);
	case KX_PROC_PIPE:
		return posix_spawn_file_actions_adddup2(fa, r->pipe_w, to);
	case KX_PROC_STDOUT:
		return posix_spawn_file_actions_adddup2(fa, 1, to);
	}
	return EINVAL;
}

/* Starts the child; returns 0 or an errno (of the set-up or of posix_spawn). */
static int spawn(const struct run *r, pid_t *pid)
{
	const struct kx_proc_opts *o = r->o;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	short flags = 0;
	int err;

	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		return err;
	if ((err = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	sigfillset(&all);
	sigemptyset(&none);
	err = add_stream(&fa, r, &o->in, 0);
	if (!err)
		err = add_stream(&fa, r, &o->out, 1);
	if (!err)
		err = add_stream(&fa, r, &o->err, 2);
	if (!err && o->cwd)
		err = posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	if (o->new_group)
		flags |= POSIX_SPAWN_SETPGROUP;
	if (o->reset_signals)
		flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	if (!err)
		err = posix_spawnattr_setflags(&attr, flags);
	if (!err && o->new_group)
		err = posix_spawnattr_setpgroup(&attr, 0);
	if (!err && o->reset_signals)
		err = posix_spawnattr_setsigmask(&attr, &none);
	if (!err && o->reset_signals)
		err = posix_spawnattr_setsigdefault(&attr, &all);
	if (!err && o->file)
		err = posix_spawn(pid, o->file, &fa, &attr, o->argv,
				  o->envp ? o->envp : environ);
	else if (!err)
		err = posix_spawnp(pid, o->argv[0], &fa, &attr, o->argv,
				   o->envp ? o->envp : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

/* ---- reading ------------------------------------------------------------------ */

static void take(struct run *r, const char *buf, size_t n)
{
	const struct kx_proc_opts *o = r->o;

	if (o->capture)
		kx_buf_add(o->capture, buf, n);
	if (!o->on_line)
		return;
	for (size_t i = 0; i < n; i++) {
		kx_buf_putc(&r->line, buf[i]);
		if (buf[i] == '\n') {
			o->on_line(o->ctx, r->line.s, r->line.len);
			kx_buf_reset(&r->line);
		}
	}
}

/*
 * Reads the pipe to its end, or to capture_max bytes.  Returns 0, or
 * KX_ELIMIT when the deadline passed first.
 */
static int read_pipe(struct run *r, double deadline, size_t *nread)
{
	const struct kx_proc_opts *o = r->o;
	char buf[8192];

	for (;;) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (o->capture_max) {
			if (*nread >= o->capture_max)
				break;
			if (o->capture_max - *nread < want)
				want = o->capture_max - *nread;
		}
		if (deadline > 0) {
			struct pollfd pfd = { r->pipe_r, POLLIN, 0 };
			int ms = remaining_ms(deadline), pr;

			if (ms == 0)
				return KX_ELIMIT;
			pr = poll(&pfd, 1, ms);
			if (pr < 0 && errno != EINTR)
				break;		/* cannot wait: treat as end of output */
			if (pr <= 0)
				continue;	/* EINTR or time is up: checked above */
		}
		n = read(r->pipe_r, buf, want);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		*nread += (size_t)n;
		take(r, buf, (size_t)n);
	}
	return 0;
}

/* ---- running -------------------------------------------------------------------- */

static void finish(struct run *r)
{
	if (r->line.len && r->o->on_line)
		r->o->on_line(r->o->ctx, r->line.s, r->line.len);
	kx_buf_free(&r->line);
	close_fd(&r->pipe_r);
	close_fd(&r->pipe_w);
	close_fd(&r->out_fd);
	close_fd(&r->err_fd);
}

int kx_proc_run(const struct kx_proc_opts *o, struct kx_proc_result *res)
{
	struct run r = { o, -1, -1, -1, -1, KX_BUF_INIT };
	double deadline = 0;
	int err, pidfd = -1;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (!valid_opts(o))
		return KX_EINVAL;
	if ((err = open_streams(&r)) != 0) {
		res->error = err;
		finish(&r);
		return KX_EIO;
	}
	if (o->timeout > 0)
		deadline = now_sec() + o->timeout;
	err = spawn(&r, &pid);
	close_fd(&r.pipe_w);	/* the child's end: EOF when it is done */
	close_fd(&r.out_fd);
	close_fd(&r.err_fd);
	if (err) {
		res->error = err;
		res->spawn_failed = true;
		finish(&r);
		return KX_EIO;
	}
	res->started = true;
	if (deadline > 0)
		pidfd = open_pidfd(pid);
	err = r.pipe_r >= 0 ? read_pipe(&r, deadline, &res->nread) : 0;
	/* a writer still going gets SIGPIPE, as with pclose() */
	finish(&r);
	if (!err)
		err = wait_deadline(pid, pidfd, deadline, &res->status);
	if (pidfd >= 0)
		close(pidfd);
	if (err) {
		kill_and_reap(pid, o->new_group);
		res->timed_out = true;
		res->status = 0;
		return KX_ELIMIT;
	}
	return 0;
}

int kx_proc_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
