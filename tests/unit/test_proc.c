// SPDX-License-Identifier: MIT
/*
 * test_proc.c - util/proc.c: the process runner under the probes and the
 * kernel build.  Exit statuses, the time limit (the whole process group
 * goes), the working directory, the environment, the streams (capture,
 * capture limit and SIGPIPE, lines, files, 2>&1, stdin), process groups
 * and signal state, and programs that cannot be started.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixture.h"
#include "util/proc.h"
#include "util/util.h"

struct t {
	char dir[64];
};

static int setup(void **state)
{
	struct t *t = kx_xcalloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/kx-proc-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	fx_remove_dir(t->dir);
	free(t);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "sh -c SCRIPT" with stdout captured; returns kx_proc_run's result. */
static int sh_capture(const char *script, struct kx_proc_opts *po, struct kx_buf *out,
		      struct kx_proc_result *res)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };

	po->argv = argv;
	po->out.io = KX_PROC_PIPE;
	po->capture = out;
	return kx_proc_run(po, res);
}

static void test_proc__exit_status(void **state)
{
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct kx_buf out = KX_BUF_INIT;

	(void)state;
	memset(&po, 0, sizeof(po));
	assert_int_equal(sh_capture("exit 3", &po, &out, &res), 0);
	assert_true(res.started);
	assert_false(res.timed_out);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(kx_proc_exit_code(res.status), 3);
	assert_int_equal(sh_capture("true", &po, &out, &res), 0);
	assert_int_equal(kx_proc_exit_code(res.status), 0);
	/* a signal is 128+N, as a shell shows it */
	assert_int_equal(sh_capture("kill -TERM $$", &po, &out, &res), 0);
	assert_true(WIFSIGNALED(res.status));
	assert_int_equal(kx_proc_exit_code(res.status), 128 + SIGTERM);
	assert_int_equal(out.len, 0);
	kx_buf_free(&out);
}


/* The time limit kills the whole group, while reading and while waiting. */
static void test_proc__timeout_kills_the_group(void **state)
{
	static const char *const scripts[] = {
		/* still writing: the limit strikes while the pipe is read */
		"sleep 30 & echo $$ > %s; sleep 20",
		/* the output is closed: it strikes while the child is waited for */
		"exec >/dev/null; sleep 30 & echo $$ > %s; sleep 20",
	};
	struct t *t = *state;
	char *pidfile = kx_xasprintf("%s/pid", t->dir);

	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		char *script = kx_xasprintf(scripts[i], pidfile);
		struct kx_proc_opts po;
		struct kx_proc_result res;
		struct kx_buf out = KX_BUF_INIT;
		char *data = NULL;
		size_t len;
		double t0 = now();
		long pgid;

		unlink(pidfile);
		memset(&po, 0, sizeof(po));
		po.new_group = true;
		po.timeout = 0.5;
		assert_int_equal(sh_capture(script, &po, &out, &res), KX_ELIMIT);
		assert_true(now() - t0 < 3.0);
		assert_true(res.started);
		assert_true(res.timed_out);
		assert_int_equal(kx_read_file(&data, &len, pidfile), 0);
		pgid = strtol(data, NULL, 10);
		assert_true(pgid > 1);
		/* the background sleep is gone too: it was in the group */
		t0 = now();
		while (fx_group_alive(pgid) && now() - t0 < 1.0)
			usleep(10000);
		assert_false(fx_group_alive(pgid));
		free(data);
		free(script);
		kx_buf_free(&out);
	}
	free(pidfile);
}

static void test_proc__cwd_and_environment(void **state)
{
	struct t *t = *state;
	char *envp[] = { (char *)"KX_PROC_TEST=value 1", (char *)"PATH=/usr/bin:/bin", NULL };
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct kx_buf out = KX_BUF_INIT;
	char *expect;

	memset(&po, 0, sizeof(po));
	po.cwd = t->dir;
	po.envp = envp;
	po.file = "/bin/sh";
	assert_int_equal(sh_capture("pwd; echo \"$KX_PROC_TEST\"; echo ${HOME:-nohome}",
				    &po, &out, &res), 0);
	expect = kx_xasprintf("%s\nvalue 1\nnohome\n", t->dir);
	assert_string_equal(kx_buf_cstr(&out), expect);
	assert_int_equal(res.nread, strlen(expect));
	free(expect);
	kx_buf_free(&out);

	/* a directory that does not exist: the program is not started */
	po.cwd = "/nonexistent/kx-proc";
	assert_int_equal(sh_capture("true", &po, &out, &res), KX_EIO);
	assert_false(res.started);
	assert_true(res.spawn_failed);
	assert_int_equal(res.error, ENOENT);
	kx_buf_free(&out);
}

/* capture_max: the bytes read stop there, and a writer gets SIGPIPE */
static void test_proc__capture_limit_closes_the_pipe(void **state)
{
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct kx_buf out = KX_BUF_INIT;

	(void)state;
	memset(&po, 0, sizeof(po));
	po.capture_max = 4096;
	po.timeout = 20;
	po.reset_signals = true;	/* SIGPIPE at its default, whatever ours is */
	assert_int_equal(sh_capture("exec yes", &po, &out, &res), 0);
	assert_int_equal(out.len, 4096);
	assert_int_equal(res.nread, 4096);
	assert_true(WIFSIGNALED(res.status));
	assert_int_equal(WTERMSIG(res.status), SIGPIPE);
	assert_int_equal(strncmp(out.s, "y\ny\ny\n", 6), 0);
	kx_buf_free(&out);

	/* less than the limit: everything, and the status of a normal end */
	assert_int_equal(sh_capture("printf 'abc'; exit 4", &po, &out, &res), 0);
	assert_string_equal(kx_buf_cstr(&out), "abc");
	assert_int_equal(kx_proc_exit_code(res.status), 4);
	kx_buf_free(&out);
}

struct lines {
	struct kx_buf all;
	int n;
	char first[64];
};

static void on_line(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	assert_int_equal(strlen(line), len);
	if (!l->n++)
		snprintf(l->first, sizeof(l->first), "%s", line);
	kx_buf_add(&l->all, line, len);
	kx_buf_putc(&l->all, '|');
}

/* Lines with their '\n', the last one without; stderr merged in order. */
static void test_proc__lines_and_merged_stderr(void **state)
{
	char *argv[] = { (char *)"sh", (char *)"-c",
			 (char *)"echo one; echo two >&2; printf three", NULL };
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct lines l = { KX_BUF_INIT, 0, "" };

	(void)state;
	memset(&po, 0, sizeof(po));
	po.argv = argv;
	po.out.io = KX_PROC_PIPE;
	po.err.io = KX_PROC_PIPE;
	po.on_line = on_line;
	po.ctx = &l;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.first, "one\n");
	assert_string_equal(kx_buf_cstr(&l.all), "one\n|two\n|three|");
	kx_buf_free(&l.all);

	/* 2>&1 onto the pipe is the same */
	memset(&l, 0, sizeof(l));
	po.err.io = KX_PROC_STDOUT;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	assert_string_equal(kx_buf_cstr(&l.all), "one\n|two\n|three|");
	kx_buf_free(&l.all);
}

/* stdout to a file, stderr to the pipe; stdin from /dev/null and from a fd */
static void test_proc__files_and_stdin(void **state)
{
	struct t *t = *state;
	char *outfile = kx_xasprintf("%s/out", t->dir);
	char *infile = kx_xasprintf("%s/in", t->dir);
	char *argv[] = { (char *)"sh", (char *)"-c",
			 (char *)"cat; echo err >&2", NULL };
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct kx_buf err = KX_BUF_INIT;
	char *data = NULL;
	size_t len;
	FILE *f;

	f = fopen(infile, "w");
	assert_non_null(f);
	fputs("input text\n", f);
	fclose(f);
	memset(&po, 0, sizeof(po));
	po.argv = argv;
	po.in.io = KX_PROC_NULL;
	po.out.io = KX_PROC_FILE;
	po.out.path = outfile;
	po.err.io = KX_PROC_PIPE;
	po.capture = &err;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	assert_string_equal(kx_buf_cstr(&err), "err\n");
	assert_int_equal(kx_read_file(&data, &len, outfile), 0);
	assert_int_equal(len, 0);		/* cat read /dev/null */
	free(data);

	po.in.io = KX_PROC_FD;
	po.in.fd = open(infile, O_RDONLY | O_CLOEXEC);
	assert_true(po.in.fd >= 0);
	assert_int_equal(kx_proc_run(&po, &res), 0);
	close(po.in.fd);
	assert_int_equal(kx_read_file(&data, &len, outfile), 0);
	assert_string_equal(data, "input text\n");	/* truncated, then written */
	free(data);

	/* an output file that cannot be created: set-up error, nothing runs */
	po.out.path = "/nonexistent/kx-proc/out";
	assert_int_equal(kx_proc_run(&po, &res), KX_EIO);
	assert_false(res.started);
	assert_false(res.spawn_failed);
	assert_int_equal(res.error, ENOENT);
	kx_buf_free(&err);
	free(outfile);
	free(infile);
}

/* A program that does not exist: not started, ENOENT (sh would say 127). */
static void test_proc__missing_program(void **state)
{
	char *argv[] = { (char *)"kx-no-such-program-anywhere", NULL };
	char *argv2[] = { (char *)"x", NULL };
	struct t *t = *state;
	char *text = kx_xasprintf("%s/text", t->dir);
	struct kx_proc_opts po;
	struct kx_proc_result res;
	FILE *f;

	memset(&po, 0, sizeof(po));
	po.argv = argv;				/* a PATH search */
	po.out.io = KX_PROC_PIPE;
	assert_int_equal(kx_proc_run(&po, &res), KX_EIO);
	assert_false(res.started);
	assert_true(res.spawn_failed);
	assert_int_equal(res.error, ENOENT);

	po.file = "/nonexistent/kx-prog";	/* a path */
	assert_int_equal(kx_proc_run(&po, &res), KX_EIO);
	assert_int_equal(res.error, ENOENT);

	/* not executable (126 for sh), and not an executable format */
	f = fopen(text, "w");
	assert_non_null(f);
	fputs("exit 0\n", f);
	fclose(f);
	po.file = text;
	po.argv = argv2;
	assert_int_equal(kx_proc_run(&po, &res), KX_EIO);
	assert_int_equal(res.error, EACCES);
	chmod(text, 0755);
	assert_int_equal(kx_proc_run(&po, &res), KX_EIO);
	assert_int_equal(res.error, ENOEXEC);

	/* contradictory options */
	po.in.io = KX_PROC_PIPE;
	assert_int_equal(kx_proc_run(&po, &res), KX_EINVAL);
	free(text);
}

/* field 'n' (1-based) of /proc/PID/stat as cat saw its own */
static long stat_field(const char *stat, int n)
{
	const char *p = strrchr(stat, ')');	/* after the command name */

	assert_non_null(p);
	for (int i = 2; i < n; i++) {
		p = strchr(p + 1, ' ');
		assert_non_null(p);
	}
	return strtol(p + 1, NULL, 10);
}

/* new_group: its own process group; reset_signals: nothing ignored */
static void test_proc__group_and_signals(void **state)
{
	char *argv[] = { (char *)"cat", (char *)"/proc/self/stat", NULL };
	char *argv2[] = { (char *)"grep", (char *)"^SigIgn", (char *)"/proc/self/status", NULL };
	struct kx_proc_opts po;
	struct kx_proc_result res;
	struct kx_buf out = KX_BUF_INIT;
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	unsigned long long ign;

	(void)state;
	memset(&po, 0, sizeof(po));
	po.argv = argv;
	po.out.io = KX_PROC_PIPE;
	po.capture = &out;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	assert_int_equal(stat_field(kx_buf_cstr(&out), 5), getpgrp());
	kx_buf_reset(&out);
	po.new_group = true;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	/* pgrp (field 5) is its pid (field 1) */
	assert_int_equal(stat_field(kx_buf_cstr(&out), 5), strtol(kx_buf_cstr(&out), NULL, 10));
	kx_buf_reset(&out);

	/* an ignored signal stays ignored, as across fork and exec ... */
	po.argv = argv2;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	ign = strtoull(kx_buf_cstr(&out) + strlen("SigIgn:"), NULL, 16);
	assert_true(ign & (1ULL << (SIGXFSZ - 1)));
	kx_buf_reset(&out);
	/* ... unless the dispositions are reset */
	po.reset_signals = true;
	assert_int_equal(kx_proc_run(&po, &res), 0);
	ign = strtoull(kx_buf_cstr(&out) + strlen("SigIgn:"), NULL, 16);
	assert_false(ign & (1ULL << (SIGXFSZ - 1)));
	kx_buf_free(&out);
	signal(SIGXFSZ, old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc__exit_status),
		cmocka_unit_test_setup_teardown(test_proc__timeout_kills_the_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc__cwd_and_environment, setup, teardown),
		cmocka_unit_test(test_proc__capture_limit_closes_the_pipe),
		cmocka_unit_test(test_proc__lines_and_merged_stderr),
		cmocka_unit_test_setup_teardown(test_proc__files_and_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc__missing_program, setup, teardown),
		cmocka_unit_test(test_proc__group_and_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
