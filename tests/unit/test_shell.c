// SPDX-License-Identifier: MIT
/*
 * test_shell.c - parser/shell.c: $(shell,...) probes.
 *
 * Every test works in its own mkdtemp() directory (scripts, cache, record
 * files) and an env imported from the test's environment.  The reference
 * for "what conf would answer" is popen() of the same command, read the
 * way conf's do_shell() reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixture.h"
#include "parser/env.h"
#include "parser/shell.h"
#include "util/util.h"

extern char **environ;

struct t {
	char dir[64];
	char *cache;
	struct kx_env *env;
};

static int setup(void **state)
{
	struct t *t = kx_xcalloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/kx-shell-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->cache = kx_xasprintf("%s/cache", t->dir);
	t->env = kx_env_new();
	kx_env_import(t->env, environ);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	fx_remove_dir(t->dir);
	free(t->cache);
	kx_env_free(t->env);
	free(t);
	return 0;
}

static char *path_in(struct t *t, const char *name)
{
	return kx_xasprintf("%s/%s", t->dir, name);
}

static void write_file(struct t *t, const char *name, const char *text,
		       mode_t mode)
{
	char *p = path_in(t, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static struct kx_shell *new_shell(struct t *t, enum kx_probe_policy pol,
				  bool cache)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;

	memset(&so, 0, sizeof(so));
	so.policy = pol;
	so.cache_dir = cache ? t->cache : NULL;
	so.timeout = 30;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	return sh;
}

static char *run_ok(struct kx_shell *sh, const char *cmd)
{
	char *out = NULL;

	assert_int_equal(kx_shell_run(sh, cmd, &out), 0);
	assert_non_null(out);
	return out;
}

static void assert_runs(struct kx_shell *sh, const char *cmd, const char *expected)
{
	char *out = run_ok(sh, cmd);

	assert_string_equal(out, expected);
	free(out);
}

/* conf's do_shell(), literally: popen, one fread of 4096, the rules. */
static char *conf_reference(const char *cmd, const char *cwd)
{
	char buf[4096], old[PATH_MAX];
	size_t n, i;
	FILE *p;

	assert_non_null(getcwd(old, sizeof(old)));
	if (cwd)
		assert_int_equal(chdir(cwd), 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf), p);
	if (n == sizeof(buf))
		n--;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	pclose(p);
	assert_int_equal(chdir(old), 0);
	return kx_xstrdup(buf);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}


/* ---- output rules ------------------------------------------------------- */

static void test_shell__output_rules(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, false);
	struct kx_buf exp = KX_BUF_INIT;
	char *out;
	int i;

	assert_runs(sh, "echo hello world", "hello world");
	assert_runs(sh, "printf 'hello\\nworld\\n\\n4\\n\\n\\n'", "hello world  4");
	assert_runs(sh, "printf '\\n\\na\\n'", "  a");
	assert_runs(sh, "printf ''", "");
	assert_runs(sh, "exit 3", "");
	assert_runs(sh, "echo out; echo err >&2; exit 1", "out");
	/* conf's strdup stops at a NUL byte */
	assert_runs(sh, "printf 'ab\\0cd\\n'", "ab");
	assert_runs(sh, "printf 'x\\n\\0'", "x ");

	/* 4095 bytes are kept, exactly as conf's fread/nread-- does */
	for (i = 0; i < 4095; i++)
		kx_buf_putc(&exp, 'a');
	assert_runs(sh, "head -c 5000 /dev/zero | tr '\\0' a", kx_buf_cstr(&exp));
	assert_runs(sh, "head -c 4096 /dev/zero | tr '\\0' a", kx_buf_cstr(&exp));
	assert_runs(sh, "head -c 4095 /dev/zero | tr '\\0' a", kx_buf_cstr(&exp));
	/* 4095 a's + newline: the newline is the byte dropped */
	assert_runs(sh, "head -c 4095 /dev/zero | tr '\\0' a; echo", kx_buf_cstr(&exp));
	/* 4094 a's + 2 newlines: one dropped, one stripped */
	exp.s[--exp.len] = '\0';
	assert_runs(sh, "head -c 4094 /dev/zero | tr '\\0' a; echo; echo",
		    kx_buf_cstr(&exp));
	kx_buf_free(&exp);

	/* a writer that never stops ends with SIGPIPE, as under conf */
	out = run_ok(sh, "yes");
	assert_int_equal(strlen(out), 4095);
	assert_int_equal(strncmp(out, "y y y ", 6), 0);
	assert_int_equal(out[4094], 'y');
	free(out);
	kx_shell_free(sh);
}

static void test_shell__matches_popen(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, false);
	static const char *const cmds[] = {
		"echo a; echo; echo b",
		"printf 'a\\tb\\rc\\n\\n'",
		"seq 1 2000",
		"cat /etc/passwd /etc/passwd /etc/passwd",
		"echo $HOME",
		"true",
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *ref = conf_reference(cmds[i], NULL);

		assert_runs(sh, cmds[i], ref);
		free(ref);
	}
	kx_shell_free(sh);
}

static void test_shell__env_and_cwd_reach_the_child(void **state)
{
	struct t *t = *state;
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *real = realpath(t->dir, NULL);

	kx_env_set(t->env, "KX_TEST_VAR", "value 1");
	kx_env_unset(t->env, "HOME");
	memset(&so, 0, sizeof(so));
	so.cwd = t->dir;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	assert_runs(sh, "echo \"$KX_TEST_VAR\"", "value 1");
	assert_runs(sh, "echo \"${HOME-unset}\"", "unset");
	assert_runs(sh, "pwd -P", real);
	/* stdin is /dev/null */
	assert_runs(sh, "cat; echo end", "end");
	/* env changes apply to later runs (and are not memo hits) */
	kx_env_set(t->env, "KX_TEST_VAR", "value 2");
	assert_runs(sh, "echo \"$KX_TEST_VAR\"", "value 2");
	kx_shell_free(sh);
	free(real);
}

/* ---- memo and cache ------------------------------------------------------- */

static void test_shell__memo_runs_once(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, false);
	struct kx_shell_stats st;
	char *a, *b;

	a = run_ok(sh, "echo $$");
	b = run_ok(sh, "echo $$");
	assert_string_equal(a, b);
	assert_runs(sh, "echo other", "other");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.memo_hits, 1);
	assert_int_equal(st.spawned, 2);
	assert_false(st.cache_enabled);
	free(a);
	free(b);
	kx_shell_free(sh);
}

static void test_shell__cache_hit_in_new_runner(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, true);
	struct kx_shell_stats st;
	char *a, *b;

	a = run_ok(sh, "echo $$");
	kx_shell_stats(sh, &st);
	assert_true(st.cache_enabled);
	assert_int_equal(st.spawned, 1);
	kx_shell_free(sh);

	sh = new_shell(t, KX_PROBES_RUN, true);
	b = run_ok(sh, "echo $$");
	assert_string_equal(a, b);	/* the first process's pid: cached */
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	assert_int_equal(st.spawned, 0);
	free(a);
	free(b);
	kx_shell_free(sh);
}

/* A runner whose probes run in DIR (relative to the test directory). */
static struct kx_shell *shell_in(struct t *t, const char *dir)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *cwd = path_in(t, dir);

	assert_int_equal(mkdir(cwd, 0755) == 0 || errno == EEXIST, 1);
	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_RUN;
	so.cache_dir = t->cache;
	so.cwd = cwd;
	so.timeout = 30;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	free(cwd);
	return sh;
}

/* how many of 'cmd' the runner of DIR ran itself (0: the cache answered) */
static unsigned spawned_in(struct t *t, const char *dir, const char *cmd,
			   const char *expected)
{
	struct kx_shell *sh = shell_in(t, dir);
	struct kx_shell_stats st;

	assert_runs(sh, cmd, expected);
	kx_shell_stats(sh, &st);
	kx_shell_free(sh);
	return st.spawned;
}

/*
 * The answers are shared between working directories (a new O= object
 * directory runs no probe again), except where the directory can matter:
 * a command that reads its path (pwd), globs, or names a relative path
 * that is something else there; a read-only directory is its own class.
 */
static void test_shell__cache_shared_between_directories(void **state)
{
	struct t *t = *state;
	/* cc-option's shape: a scratch directory made and removed in the cwd */
	const char *scratch = "trap 'rm -rf .tmp_$$' EXIT; mkdir .tmp_$$ && "
			      "echo '*[x]' > .tmp_$$/t.c && cat .tmp_$$/t.c";
	char *ro = path_in(t, "ro"), *pa, *pb;

	assert_int_equal(spawned_in(t, "a", scratch, "*[x]"), 1);
	assert_int_equal(spawned_in(t, "b", scratch, "*[x]"), 0);
	assert_int_equal(spawned_in(t, "b", "echo 'a*b' \"[c]?\"", "a*b [c]?"), 1);
	assert_int_equal(spawned_in(t, "c", "echo 'a*b' \"[c]?\"", "a*b [c]?"), 0);
	/* the directory itself is the answer: never shared */
	pa = path_in(t, "a");
	pb = path_in(t, "b");
	assert_int_equal(spawned_in(t, "a", "pwd", pa), 1);
	assert_int_equal(spawned_in(t, "b", "pwd", pb), 1);
	/* a glob: keyed by the directory (here both have no match) */
	assert_int_equal(spawned_in(t, "a", "echo *", "*"), 1);
	assert_int_equal(spawned_in(t, "b", "echo *", "*"), 1);
	/* a relative name that is a directory in one working directory only */
	free(pb);
	pb = path_in(t, "a/sub");
	assert_int_equal(mkdir(pb, 0755), 0);
	assert_int_equal(spawned_in(t, "a", "test -d sub/ && echo y || echo n", "y"), 1);
	assert_int_equal(spawned_in(t, "c", "test -d sub/ && echo y || echo n", "n"), 1);
	assert_int_equal(spawned_in(t, "b", "test -d sub/ && echo y || echo n", "n"), 0);
	free(pa);
	free(pb);
	/* a read-only working directory: cc-option fails there, a class of its own */
	assert_int_equal(mkdir(ro, 0555), 0);
	if (geteuid() != 0) {
		assert_int_equal(spawned_in(t, "ro", "mkdir .tmp_$$ 2>/dev/null && echo y || echo n",
					    "n"), 1);
		assert_int_equal(spawned_in(t, "a", "mkdir .tmp_$$ 2>/dev/null && echo y || echo n",
					    "y"), 1);
	}
	free(ro);
}

/* A command that names no file and no program on PATH (a shell builtin)
 * has an empty file list in its key: cached all the same (this once passed
 * qsort a NULL array, which UBSan reports). */
static void test_shell__cache_key_without_files(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, true);
	struct kx_shell_stats st;
	char *a;

	a = run_ok(sh, "exit 0");
	assert_string_equal(a, "");
	free(a);
	kx_shell_free(sh);
	sh = new_shell(t, KX_PROBES_RUN, true);
	a = run_ok(sh, "exit 0");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	free(a);
	kx_shell_free(sh);
}

static void test_shell__cache_miss_on_env_change(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh;
	struct kx_shell_stats st;

	kx_env_set(t->env, "KX_FLAGS", "-O1");
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo \"$KX_FLAGS\"", "-O1");
	kx_shell_free(sh);

	/* a variable the command does not even name still counts */
	kx_env_set(t->env, "KX_OTHER", "x");
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo \"$KX_FLAGS\"", "-O1");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 0);
	assert_int_equal(st.spawned, 1);
	kx_shell_free(sh);

	kx_env_set(t->env, "KX_FLAGS", "-O2");
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo \"$KX_FLAGS\"", "-O2");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 0);
	kx_shell_free(sh);

	/* shell noise ("_", OLDPWD, SHLVL) does not count */
	kx_env_set(t->env, "_", "/usr/bin/time");
	kx_env_set(t->env, "OLDPWD", "/somewhere/else");
	kx_env_set(t->env, "SHLVL", "9");
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo \"$KX_FLAGS\"", "-O2");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	kx_shell_free(sh);
}

static void touch_later(const char *path)
{
	struct stat st;
	struct timespec ts[2];

	assert_int_equal(stat(path, &st), 0);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ts[1].tv_sec += 10;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_shell__cache_miss_when_program_changes(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh;
	struct kx_shell_stats st;
	char *script = path_in(t, "prog.sh"), *bin = path_in(t, "bin");
	char *tool = path_in(t, "bin/kx-test-tool"), *cmd, *newpath;

	write_file(t, "prog.sh", "#!/bin/sh\necho v1\n", 0755);
	cmd = kx_xasprintf("%s --flag", script);
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, cmd, "v1");
	kx_shell_free(sh);

	/* same content, new mtime: not trusted */
	touch_later(script);
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, cmd, "v1");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 0);
	assert_int_equal(st.spawned, 1);
	kx_shell_free(sh);
	/* unchanged now: a hit */
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, cmd, "v1");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	kx_shell_free(sh);
	free(cmd);

	/* a program found through PATH, named as an argument */
	assert_int_equal(mkdir(bin, 0755), 0);
	write_file(t, "bin/kx-test-tool", "#!/bin/sh\necho tool-1\n", 0755);
	newpath = kx_xasprintf("%s:%s", bin, kx_env_get(t->env, "PATH"));
	kx_env_set(t->env, "PATH", newpath);
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "command -v kx-test-tool >/dev/null && kx-test-tool", "tool-1");
	kx_shell_free(sh);
	write_file(t, "bin/kx-test-tool", "#!/bin/sh\necho tool-2\n", 0755);
	touch_later(tool);
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "command -v kx-test-tool >/dev/null && kx-test-tool", "tool-2");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 0);
	kx_shell_free(sh);
	free(newpath);
	free(script);
	free(bin);
	free(tool);
}

static void test_shell__corrupt_cache_entry_is_ignored(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, true);
	struct kx_shell_stats st;
	FILE *p;
	char line[512];

	assert_runs(sh, "echo fresh", "fresh");
	kx_shell_free(sh);
	/* garble every cache file */
	snprintf(line, sizeof(line), "for f in %s/*; do printf 'junk' > \"$f\"; done",
		 t->cache);
	p = popen(line, "r");
	assert_non_null(p);
	pclose(p);
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo fresh", "fresh");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 0);
	assert_int_equal(st.spawned, 1);
	kx_shell_free(sh);
	/* and it was rewritten */
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo fresh", "fresh");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	kx_shell_free(sh);
}

/* ---- policies ---------------------------------------------------------------- */

static void test_shell__deny_runs_nothing(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh;
	struct kx_shell_stats st;
	char *marker = path_in(t, "created");
	char *cmd = kx_xasprintf("touch %s", marker);
	char *out = NULL;

	/* even a cached answer is refused */
	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo cached", "cached");
	kx_shell_free(sh);

	sh = new_shell(t, KX_PROBES_DENY, true);
	assert_int_equal(kx_shell_run(sh, cmd, &out), KX_EDENIED);
	assert_null(out);
	assert_false(file_exists(marker));
	assert_int_equal(strncmp(kx_shell_last_error(sh),
				 "probe denied by --probes=deny: touch ", 37), 0);
	assert_string_equal(kx_shell_last_error(sh) + 31, cmd);
	assert_int_equal(kx_shell_run(sh, "echo cached", &out), KX_EDENIED);
	assert_string_equal(kx_shell_last_error(sh),
			    "probe denied by --probes=deny: echo cached");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.spawned, 0);
	assert_int_equal(st.calls, 2);
	kx_shell_free(sh);
	free(cmd);
	free(marker);
}

static void test_shell__cache_only(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh;
	struct kx_shell_stats st;
	struct kx_shell_opts so;
	char *marker = path_in(t, "created");
	char *cmd = kx_xasprintf("touch %s", marker);
	char *replay = path_in(t, "replay.txt");
	char *out = NULL;

	sh = new_shell(t, KX_PROBES_RUN, true);
	assert_runs(sh, "echo from-cache", "from-cache");
	kx_shell_free(sh);
	write_file(t, "replay.txt", "echo from-replay\tanswer\n", 0644);

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_CACHE_ONLY;
	so.cache_dir = t->cache;
	so.replay_file = replay;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	assert_runs(sh, "echo from-cache", "from-cache");
	assert_runs(sh, "echo from-replay", "answer");
	assert_int_equal(kx_shell_run(sh, cmd, &out), KX_EDENIED);
	assert_null(out);
	assert_false(file_exists(marker));
	{
		char *msg = kx_xasprintf("probe not in cache (--probes=cache-only): %s",
					 cmd);

		assert_string_equal(kx_shell_last_error(sh), msg);
		free(msg);
	}
	kx_shell_stats(sh, &st);
	assert_int_equal(st.spawned, 0);
	assert_int_equal(st.cache_hits, 1);
	assert_int_equal(st.replay_hits, 1);
	kx_shell_free(sh);
	free(cmd);
	free(marker);
	free(replay);
}

static void test_shell__record_replay_round_trip(void **state)
{
	struct t *t = *state;
	static const char *const cmds[] = {
		"echo plain",
		"printf 'tab\\there back\\\\slash'",
		"printf 'a\\tb'; printf '\\n'",
		"echo 'multi\nline command'",
		"true",
	};
	char *rec = path_in(t, "probes.rec");
	char *answers[5];
	struct kx_shell_opts so;
	struct kx_shell_stats st;
	struct kx_shell *sh = NULL;
	char *data = NULL;
	size_t i, len;

	memset(&so, 0, sizeof(so));
	so.record_file = rec;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	for (i = 0; i < 5; i++)
		answers[i] = run_ok(sh, cmds[i]);
	free(run_ok(sh, cmds[0]));	/* memo hit: recorded once */
	kx_shell_free(sh);
	assert_string_equal(answers[1], "tab\there back\\slash");
	assert_string_equal(answers[3], "multi line command");

	assert_int_equal(kx_read_file(&data, &len, rec), 0);
	assert_string_equal(data,
		"echo plain\tplain\n"
		"printf 'tab\\\\there back\\\\\\\\slash'\ttab\\there back\\\\slash\n"
		"printf 'a\\\\tb'; printf '\\\\n'\ta\\tb\n"
		"echo 'multi\\nline command'\tmulti line command\n"
		"true\t\n");
	free(data);

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_CACHE_ONLY;
	so.replay_file = rec;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	for (i = 0; i < 5; i++) {
		assert_runs(sh, cmds[i], answers[i]);
		free(answers[i]);
	}
	kx_shell_stats(sh, &st);
	assert_int_equal(st.replay_hits, 5);
	assert_int_equal(st.spawned, 0);
	kx_shell_free(sh);

	/* a missing replay file is an error */
	so.replay_file = "/nonexistent/kx-replay";
	assert_int_equal(kx_shell_new(&sh, t->env, &so), KX_EIO);
	assert_null(sh);
	free(rec);
}

/* ---- limits ------------------------------------------------------------------ */

static void test_shell__timeout_kills_the_group(void **state)
{
	struct t *t = *state;
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *pidfile = path_in(t, "pid");
	char *cmd = kx_xasprintf("sleep 30 & echo $$ > %s; sleep 20", pidfile);
	char *data = NULL, *out = NULL;
	double t0;
	size_t len;
	long pgid;

	memset(&so, 0, sizeof(so));
	so.timeout = 0.5;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	t0 = now();
	assert_int_equal(kx_shell_run(sh, cmd, &out), KX_ELIMIT);
	assert_true(now() - t0 < 3.0);
	assert_null(out);
	assert_non_null(strstr(kx_shell_last_error(sh), "timed out"));
	assert_int_equal(kx_read_file(&data, &len, pidfile), 0);
	pgid = strtol(data, NULL, 10);
	assert_true(pgid > 1);
	/* the whole group (the background sleep too) is gone */
	t0 = now();
	while (fx_group_alive(pgid) && now() - t0 < 1.0)
		usleep(10000);
	assert_false(fx_group_alive(pgid));
	free(data);

	/* the fast path is bounded too */
	t0 = now();
	assert_int_equal(kx_shell_run(sh, "{ sleep 5; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"",
				      &out), KX_ELIMIT);
	assert_true(now() - t0 < 3.0);
	/* and a plain sleep 5 */
	t0 = now();
	assert_int_equal(kx_shell_run(sh, "sleep 5", &out), KX_ELIMIT);
	assert_true(now() - t0 < 3.0);
	kx_shell_free(sh);
	free(cmd);
	free(pidfile);
}

/* ---- fast path ------------------------------------------------------------------ */

static char *probe(const char *cmd, const char *yes, const char *no)
{
	return kx_xasprintf("{ %s; } >/dev/null 2>&1 && echo \"%s\" || echo \"%s\"",
			    cmd, yes, no);
}

static void test_shell__fast_path_matches_sh(void **state)
{
	struct t *t = *state;
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *cmds[64];
	size_t n = 0, i;
	char *d = t->dir;

	write_file(t, "ok.sh", "#!/bin/sh\n[ $# -eq 2 ] && [ \"$1\" = a ]\n", 0755);
	write_file(t, "noexec.sh", "#!/bin/sh\nexit 0\n", 0644);
	write_file(t, "noshebang0", "exit 0\n", 0755);
	write_file(t, "noshebang3", "exit 3\n", 0755);
	write_file(t, "badinterp", "#!/nonexistent/interp\nexit 0\n", 0755);
	write_file(t, "rel.sh", "#!/bin/sh\nexit 0\n", 0755);

	cmds[n++] = probe("true", "y", "n");
	cmds[n++] = probe("false", "y", "n");
	cmds[n++] = probe("ls /", "y", "n");
	cmds[n++] = probe("ls /nonexistent-kx", "y", "n");
	cmds[n++] = probe("kx-no-such-command-anywhere --version", "y", "n");
	cmds[n++] = probe("/bin/false", "n", "y");
	cmds[n++] = probe("/nonexistent/prog", "y", "n");
	cmds[n++] = probe("test -d /", "y", "n");
	cmds[n++] = probe("gcc -Werror -m64 -E -x c /dev/null -o /dev/null", "-m64", "");
	cmds[n++] = probe("gcc -Werror -mno-such-flag -E -x c /dev/null -o /dev/null",
			  "-mno-such-flag", "");
	cmds[n++] = probe("ld -v --no-such-option-kx", "y", "n");
	cmds[n++] = probe("sh -c exit", "y", "n");
	cmds[n++] = probe("env", "y", "n");
	cmds[n++] = probe(" ls  / ", "y", "n");
	cmds[n++] = probe("ls / | cat", "y", "n");
	cmds[n++] = probe("X=1 true", "y", "n");
	cmds[n++] = probe("exit 0", "y", "n");
	cmds[n++] = probe("ls /", "-n", "x");
	cmds[n++] = probe("ls /", "-e", "x");
	cmds[n++] = probe("ls /", "-m32", "-n");
	cmds[n++] = probe("ls /", "", "n");
	cmds[n++] = kx_xasprintf("{ %s/ok.sh a b; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s/ok.sh a; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s/noexec.sh; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s/noshebang0; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s/noshebang3; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s/badinterp; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = kx_xasprintf("{ %s; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"", d);
	cmds[n++] = probe("./rel.sh", "y", "n");
	cmds[n++] = probe("./missing.sh", "y", "n");
	cmds[n++] = probe("rel.sh", "y", "n");

	memset(&so, 0, sizeof(so));
	so.cwd = t->dir;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	for (i = 0; i < n; i++) {
		char *ref = conf_reference(cmds[i], t->dir);
		char *out = run_ok(sh, cmds[i]);

		if (strcmp(ref, out))
			fail_msg("%s: sh says '%s', we say '%s'", cmds[i], ref, out);
		free(ref);
		free(out);
		free(cmds[i]);
	}
	kx_shell_free(sh);
}

/* The parent of a fast-path probe is us; through sh it is "sh". */
static void test_shell__fast_path_is_taken(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = new_shell(t, KX_PROBES_RUN, false);
	struct kx_shell_stats st;
	char *who = path_in(t, "parent");
	char *script, *cmd, *data = NULL;
	size_t len;

	script = kx_xasprintf("#!/bin/sh\ncat /proc/$PPID/comm > %s\n", who);
	write_file(t, "parent.sh", script, 0755);
	free(script);

	cmd = kx_xasprintf("{ %s/parent.sh; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"",
			   t->dir);
	assert_runs(sh, cmd, "y");
	free(cmd);
	kx_shell_stats(sh, &st);
	assert_int_equal(st.spawned, 1);
	assert_int_equal(kx_read_file(&data, &len, who), 0);
	assert_string_not_equal(data, "sh\n");
	free(data);

	cmd = kx_xasprintf("{ %s/parent.sh | cat; } >/dev/null 2>&1 && echo \"y\" || echo \"n\"",
			   t->dir);
	assert_runs(sh, cmd, "y");
	free(cmd);
	assert_int_equal(kx_read_file(&data, &len, who), 0);
	assert_string_equal(data, "sh\n");
	free(data);
	free(who);
	kx_shell_free(sh);
}

static int count_prepare(void *ctx, const char *cmd)
{
	(void)cmd;
	(*(int *)ctx)++;
	return 0;
}

static int refuse_prepare(void *ctx, const char *cmd)
{
	(void)ctx;
	(void)cmd;
	return KX_EGIT;
}

static void test_shell__prepare_hook(void **state)
{
	struct t *t = *state;
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *out = NULL;
	int calls = 0;

	memset(&so, 0, sizeof(so));
	so.cache_dir = t->cache;
	so.prepare = count_prepare;
	so.prepare_ctx = &calls;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	assert_runs(sh, "echo prep", "prep");
	assert_runs(sh, "echo prep", "prep");	/* memo */
	kx_shell_free(sh);
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	assert_runs(sh, "echo prep", "prep");	/* cache */
	kx_shell_free(sh);
	assert_int_equal(calls, 1);

	so.prepare = refuse_prepare;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	assert_int_equal(kx_shell_run(sh, "echo other", &out), KX_EGIT);
	assert_null(out);
	kx_shell_free(sh);
}

/* ---- cache size ------------------------------------------------------------ */

/* Number of cache entries (64-hex names) in the cache directory. */
static int count_entries(struct t *t)
{
	DIR *d = opendir(t->cache);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) == 64 &&
		    strspn(de->d_name, "0123456789abcdef") == 64)
			n++;
	closedir(d);
	return n;
}

/*
 * The entry file of command 'cmd' (its text contains "cmd\t<cmd>\n"), or
 * NULL; malloc'd path.
 */
static char *entry_of(struct t *t, const char *cmd)
{
	DIR *d = opendir(t->cache);
	struct dirent *de;
	char *needle = kx_xasprintf("\ncmd\t%s\n", cmd), *found = NULL;

	assert_non_null(d);
	while (!found && (de = readdir(d)) != NULL) {
		char *path, *data = NULL;
		size_t len;

		if (strlen(de->d_name) != 64)
			continue;
		path = kx_xasprintf("%s/%s", t->cache, de->d_name);
		if (kx_read_file(&data, &len, path) == 0 && strstr(data, needle))
			found = path;
		else
			free(path);
		free(data);
	}
	closedir(d);
	free(needle);
	return found;
}

static struct kx_shell *small_cache_shell(struct t *t, size_t max)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;

	memset(&so, 0, sizeof(so));
	so.cache_dir = t->cache;
	so.cache_max = max;
	so.timeout = 30;
	assert_int_equal(kx_shell_new(&sh, t->env, &so), 0);
	return sh;
}

static void test_shell__cache_is_pruned_lru(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = small_cache_shell(t, 10);
	struct kx_shell_stats st;
	char cmd[32], *other, *tmpf;
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(cmd, sizeof(cmd), "echo a%d", i);
		assert_runs(sh, cmd, cmd + 5);
	}
	kx_shell_free(sh);
	assert_int_equal(count_entries(t), 10);	/* not more than N: kept */

	/* files that are not entries are never touched */
	other = kx_xasprintf("%s/README", t->cache);
	tmpf = kx_xasprintf("%s/%064d.kxtmp.1", t->cache, 0);
	write_file(t, "cache/README", "x", 0644);
	write_file(t, "cache/0000000000000000000000000000000000000000000000000000000000000000.kxtmp.1",
		   "x", 0644);

	/* known ages: a0 oldest ... a9 newest, all in the past */
	for (i = 0; i < 10; i++) {
		struct timespec ts[2];
		char *path;

		snprintf(cmd, sizeof(cmd), "echo a%d", i);
		path = entry_of(t, cmd);
		assert_non_null(path);
		ts[0].tv_sec = ts[1].tv_sec = 1000000000 + i;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
		free(path);
	}

	/* a hit makes a0 the most recently used */
	sh = small_cache_shell(t, 10);
	assert_runs(sh, "echo a0", "a0");
	kx_shell_stats(sh, &st);
	assert_int_equal(st.cache_hits, 1);
	/* the 11th entry: down to 80% of 10, oldest first (a1, a2, a3) */
	assert_runs(sh, "echo b0", "b0");
	kx_shell_free(sh);
	assert_int_equal(count_entries(t), 8);
	for (i = 0; i < 10; i++) {
		char *path;

		snprintf(cmd, sizeof(cmd), "echo a%d", i);
		path = entry_of(t, cmd);
		if (i >= 1 && i <= 3)
			assert_null(path);
		else
			assert_non_null(path);
		free(path);
	}
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(tmpf, F_OK), 0);
	free(other);
	free(tmpf);

	/* many more: never above N, never below 80% once full */
	sh = small_cache_shell(t, 10);
	for (i = 0; i < 30; i++) {
		int n;

		snprintf(cmd, sizeof(cmd), "echo c%d", i);
		assert_runs(sh, cmd, cmd + 5);
		n = count_entries(t);
		assert_true(n >= 8 && n <= 10);
	}
	/* the newest entry always survives */
	other = entry_of(t, "echo c29");
	assert_non_null(other);
	free(other);
	kx_shell_free(sh);
}

static void test_shell__cache_max_from_environment(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh;
	char cmd[32];
	int i;

	kx_env_set(t->env, "KX_PROBE_CACHE_MAX", "5");
	sh = small_cache_shell(t, 0);
	kx_env_unset(t->env, "KX_PROBE_CACHE_MAX");
	for (i = 0; i < 12; i++) {
		snprintf(cmd, sizeof(cmd), "echo e%d", i);
		assert_runs(sh, cmd, cmd + 5);
		assert_true(count_entries(t) <= 5);
	}
	assert_true(count_entries(t) >= 4);
	kx_shell_free(sh);

	/* a bad value falls back to the default (no pruning here) */
	kx_env_set(t->env, "KX_PROBE_CACHE_MAX", "-3");
	sh = small_cache_shell(t, 0);
	kx_env_unset(t->env, "KX_PROBE_CACHE_MAX");
	for (i = 0; i < 8; i++) {
		snprintf(cmd, sizeof(cmd), "echo f%d", i);
		assert_runs(sh, cmd, cmd + 5);
	}
	assert_true(count_entries(t) >= 12);
	kx_shell_free(sh);
}

static void test_shell__pruning_failure_is_harmless(void **state)
{
	struct t *t = *state;
	struct kx_shell *sh = small_cache_shell(t, 2);
	char *dir, cmd[32];
	int i;

	/* an "entry" that cannot be deleted: a non-empty directory */
	dir = kx_xasprintf("%s/%064d", t->cache, 1);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(t, "cache/0000000000000000000000000000000000000000000000000000000000000001/f",
		   "x", 0644);
	for (i = 0; i < 6; i++) {
		snprintf(cmd, sizeof(cmd), "echo g%d", i);
		assert_runs(sh, cmd, cmd + 5);
	}
	kx_shell_free(sh);
	assert_int_equal(access(dir, F_OK), 0);
	free(dir);

	/* the cache directory vanishing under a runner: answers still come */
	sh = small_cache_shell(t, 2);
	assert_runs(sh, "echo h", "h");
	assert_int_equal(fx_remove_dir(t->cache), 0);
	assert_runs(sh, "echo h0", "h0");
	assert_runs(sh, "echo h1", "h1");
	kx_shell_free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_shell__output_rules),
		T(test_shell__matches_popen),
		T(test_shell__env_and_cwd_reach_the_child),
		T(test_shell__cache_shared_between_directories),
		T(test_shell__memo_runs_once),
		T(test_shell__cache_hit_in_new_runner),
		T(test_shell__cache_key_without_files),
		T(test_shell__cache_miss_on_env_change),
		T(test_shell__cache_miss_when_program_changes),
		T(test_shell__corrupt_cache_entry_is_ignored),
		T(test_shell__deny_runs_nothing),
		T(test_shell__cache_only),
		T(test_shell__record_replay_round_trip),
		T(test_shell__timeout_kills_the_group),
		T(test_shell__fast_path_matches_sh),
		T(test_shell__fast_path_is_taken),
		T(test_shell__prepare_hook),
		T(test_shell__cache_is_pruned_lru),
		T(test_shell__cache_max_from_environment),
		T(test_shell__pruning_failure_is_harmless),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
