/* SPDX-License-Identifier: MIT */
/*
 * shell.h - $(shell,...) probes: run, memoize, cache, record, refuse.
 *
 * conf runs each $(shell,CMD) with popen() ("/bin/sh -c CMD") in its
 * environment and current directory, does one fread() of at most 4096
 * bytes of standard output (keeping 4095 when the buffer fills), strips
 * trailing newlines, turns the remaining newlines into spaces and stops at
 * a NUL byte.  kx_shell_run() returns exactly that text.
 *
 * On top of that:
 *   - identical commands run once per kx_shell (per process);
 *   - a persistent cache (one file per key under cache_dir) answers a
 *     command seen before with the same key: the command text, the whole
 *     environment passed to it, the working directory where the command
 *     may depend on it (shell.c: cwd_sensitive), and the identity
 *     (path, size, mtime, inode) of every program and file the command
 *     names that exists on disk (so an upgraded compiler, a changed PATH
 *     or flags, or another tree never reuses a stale answer); it holds at
 *     most cache_max entries: beyond that the least recently used ones
 *     (oldest mtime; every hit updates it) are deleted down to 80%;
 *   - policies for untrusted trees: KX_PROBES_RUN (default),
 *     KX_PROBES_CACHE_ONLY (answers only from the cache or a replay file,
 *     otherwise KX_EDENIED), KX_PROBES_DENY (every probe is KX_EDENIED, no
 *     process is started, not even for cached commands);
 *   - a record file (every command and its answer, appended as the probes
 *     run) and replay files (answers recorded elsewhere, e.g. on a trusted
 *     machine), see kx_shell_opts;
 *   - bounded resources: a per-probe time limit (the process group is
 *     killed, the probe fails with KX_ELIMIT) and at most 4096 bytes of
 *     output are read: then the pipe is closed, as conf's pclose() closes
 *     it after its single fread(), so a command still writing gets SIGPIPE
 *     (or EPIPE) exactly as under conf.
 */
#ifndef KX_SHELL_H
#define KX_SHELL_H

#include <stdbool.h>
#include <stddef.h>

struct kx_env;

enum kx_probe_policy { KX_PROBES_RUN, KX_PROBES_CACHE_ONLY, KX_PROBES_DENY };

struct kx_shell_opts {
	enum kx_probe_policy policy;
	const char *cache_dir;		/* NULL: no persistent cache */
	/*
	 * Most entries kept in cache_dir; 0: KX_PROBE_CACHE_MAX of the
	 * runner's environment when it is a positive number, else 20000.
	 */
	size_t cache_max;
	const char *record_file;	/* NULL: do not record */
	const char *replay_file;	/* NULL: none; answers recorded earlier */
	const char *cwd;		/* NULL: the current directory */
	double timeout;			/* seconds per probe; <= 0: 60 */
	/*
	 * Called before a command runs (not for cache hits), e.g. to let
	 * the git tree back end extract the files the command refers to.
	 * A negative return fails the probe with that code.
	 */
	int (*prepare)(void *ctx, const char *cmd);
	void *prepare_ctx;
};

struct kx_shell;

/*
 * Creates a probe runner.  'env' is the environment every command runs
 * with (it is read at each run, so later kx_env_set() calls apply); it must
 * outlive the runner.  Returns 0 or KX_ENOMEM/KX_EIO (cache dir unusable is
 * not an error: the cache is then silently off and kx_shell_stats says so).
 */
int kx_shell_new(struct kx_shell **out, struct kx_env *env,
		 const struct kx_shell_opts *opts);
void kx_shell_free(struct kx_shell *sh);

/*
 * Runs (or answers from memo/cache/replay) 'cmd'.  On success *out is a
 * malloc'd string the caller frees.  Returns 0, KX_EDENIED (policy; the
 * message from kx_shell_last_error() names the command), KX_ELIMIT
 * (timeout), or KX_EIO (the shell could not be started).  A command that
 * runs and fails is not an error: like conf, its output (often empty) is
 * the answer.
 */
int kx_shell_run(struct kx_shell *sh, const char *cmd, char **out);

/*
 * Like kx_shell_run() for a command whose answer is known without running
 * anything (this process's memo, a replay file, the persistent cache): a
 * hit counts and is recorded as kx_shell_run() would.  Returns 0, or
 * KX_ENOTFOUND when the command would have to run (and always under
 * KX_PROBES_DENY).  The model cache (parser/snapshot.c) checks its probe
 * answers with it.
 */
int kx_shell_peek(struct kx_shell *sh, const char *cmd, char **out);

const char *kx_shell_last_error(const struct kx_shell *sh);

struct kx_shell_stats {
	unsigned calls;		/* kx_shell_run() calls */
	unsigned memo_hits;	/* answered from this process's memo */
	unsigned cache_hits;	/* answered from the persistent cache */
	unsigned replay_hits;	/* answered from a replay file */
	unsigned spawned;	/* processes started */
	bool cache_enabled;
};
void kx_shell_stats(const struct kx_shell *sh, struct kx_shell_stats *st);

#endif /* KX_SHELL_H */
