// SPDX-License-Identifier: MIT
/*
 * test_robust.c - hostile and pathological input: every case ends with a
 * located error (or a documented limit, docs/RELIABILITY.md) within
 * bounded time and memory, and never crashes.
 *
 * Each pathological case runs in a forked child (run_bounded): a crash
 * (stack overflow, sanitizer report) or a hang shows up as a failed test
 * with the signal or the time instead of taking the whole binary down,
 * and the child's peak memory is checked.  The regression tests of bugs
 * found by fuzzing are at the top.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "helpers/fixture.h"

#if defined(__SANITIZE_ADDRESS__)
#define KX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KX_ASAN 1
#endif
#endif
#ifndef KX_ASAN
#define KX_ASAN 0
#endif

/* sanitizers slow things down and inflate memory */
#define SLOW (KX_ASAN ? 4 : 1)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- bounded execution -------------------------------------------------- */

/*
 * Runs fn(arg) in a child process.  The child must finish within
 * 'seconds' (SIGKILL after that) and peak at most 'max_mb' MiB of resident
 * memory (scaled under ASan); fn returns 0 for success or prints why not
 * and returns non-zero.  Fails the test otherwise.
 */
static void run_bounded(const char *what, int (*fn)(void *), void *arg,
			double seconds, long max_mb)
{
	struct rusage ru;
	double t0 = now(), dt;
	int status = 0;
	pid_t pid, w;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka's handlers would resume the test run in the child */
		static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		alarm((unsigned)(seconds * SLOW) + 1);
		_exit(fn(arg) ? 1 : 0);
	}
	do
		w = wait4(pid, &status, 0, &ru);
	while (w < 0 && errno == EINTR);
	dt = now() - t0;
	assert_int_equal(w, pid);
	if (WIFSIGNALED(status))
		fail_msg("%s: killed by signal %d after %.1fs%s", what,
			 WTERMSIG(status), dt,
			 WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
	if (WEXITSTATUS(status))
		fail_msg("%s: failed (exit %d) after %.1fs", what,
			 WEXITSTATUS(status), dt);
	if (dt > seconds * SLOW)
		fail_msg("%s: took %.1fs, limit %.0fs", what, dt, seconds * SLOW);
	if (ru.ru_maxrss / 1024 > max_mb * (KX_ASAN ? 4 : 1))
		fail_msg("%s: peak memory %ld MiB, limit %ld MiB", what,
			 ru.ru_maxrss / 1024, max_mb * (KX_ASAN ? 4 : 1));
	printf("  %s: %.2fs, %ld MiB peak\n", what, dt, ru.ru_maxrss / 1024);
}

/* check helpers for the children: print and fail */
#define CHILD_CHECK(cond, ...)                                          \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: check failed: %s: ",   \
				__FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                   \
			fputc('\n', stderr);                            \
			return 1;                                       \
		}                                                       \
	} while (0)

/* Does some diagnostic contain 'needle'? */
static bool diag_has(const struct fx *fx, const char *needle)
{
	for (size_t i = 0; i < fx->diags.n; i++)
		if (strstr(fx->diags.v[i].text, needle))
			return true;
	return false;
}

static const char *first_error(const struct fx *fx)
{
	const char *e = kx_diags_first(&fx->diags, KX_DIAG_ERROR);

	return e ? e : "(no error)";
}

/* A generated Kconfig: head + body repeated n times + tail. */
static char *repeat(const char *head, const char *body, size_t n,
		    const char *mid, const char *body2, size_t n2,
		    const char *tail)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t l1 = strlen(body), l2 = body2 ? strlen(body2) : 0;

	kx_buf_puts(&b, head);
	for (size_t i = 0; i < n; i++)
		kx_buf_add(&b, body, l1);
	kx_buf_puts(&b, mid ? mid : "");
	for (size_t i = 0; i < n2; i++)
		kx_buf_add(&b, body2, l2);
	kx_buf_puts(&b, tail ? tail : "");
	return kx_buf_detach(&b);
}

/* ---- regressions (found by fuzzing) ----------------------------------------- */

/*
 * fuzz_dotconfig: a last line shorter than "CONFIG_" ("# C", "#", "CON")
 * was compared with memcmp() over the whole prefix length, reading past
 * the end of the buffer.  The buffer ends at a page boundary followed by
 * an inaccessible page, so the over-read faults even without ASan.
 */
static int short_last_line(void *arg)
{
	static const char *const texts[] = { "CONFIG_B=y\n# C", "#", "CON",
					     "# CONFIG", "CONFIG_B=y\nCONF",
					     /* unescaping went past the NUL */
					     "CONFIG_S=\"abc\\", "CONFIG_S=\"\\" };
	struct fx *fx = arg;
	long pg = sysconf(_SC_PAGESIZE);

	for (size_t v = 0; v < sizeof(texts) / sizeof(texts[0]); v++) {
		size_t len = strlen(texts[v]);
		char *map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *data;

		CHILD_CHECK(map != MAP_FAILED, "mmap");
		CHILD_CHECK(mprotect(map + pg, (size_t)pg, PROT_NONE) == 0, "mprotect");
		/* text + its NUL end exactly at the guard page */
		data = map + pg - (long)len - 1;
		memcpy(data, texts[v], len + 1);
		kx_conf_read_buf(&fx->io, "guard.config", data, len, KX_DEF_USER);
		munmap(map, 2 * (size_t)pg);
	}
	return 0;
}

static void test_robust__dotconfig_short_last_line_stays_in_buffer(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12", "config B\n\tbool \"b\"\nconfig S\n\tstring \"s\"\n"), 0);
	run_bounded("short last line (6.12)", short_last_line, &fx, 10, 256);
	fx_free(&fx);
	assert_int_equal(fx_load1(&fx, "6.1", "config B\n\tbool \"b\"\nconfig S\n\tstring \"s\"\n"), 0);
	run_bounded("short last line (6.1)", short_last_line, &fx, 10, 256);
	fx_free(&fx);
}

/*
 * fuzz_kconfig: with 6.1 semantics a choice takes the type of its first
 * typed member; an int member made it an int choice, which has the user
 * flag but no string value (its value is the selected member), and reading
 * any .config dereferenced the NULL value.
 */
static int int_choice(void *arg)
{
	struct fx fx;

	(void)arg;
	CHILD_CHECK(fx_load1(&fx, "6.1",
			     "choice\n\tprompt \"c\"\n\tdepends on S != \"\"\n"
			     "config I\n\tint \"i\"\nconfig B\n\tbool \"b\"\nendchoice\n"
			     "config S\n\tstring \"s\"\n\tdefault \"x\"\n") == 0,
		    "load: %s", first_error(&fx));
	CHILD_CHECK(fx_read_config(&fx, "CONFIG_B=y\n") == 0, "read");
	free(fx_format(&fx));
	free(fx_format_defconfig(&fx));
	CHILD_CHECK(fx_read_config(&fx, "CONFIG_I=3\n") == 0, "read");
	free(fx_format(&fx));
	fx_free(&fx);
	return 0;
}

static void test_robust__int_choice_v1_reads_config(void **state)
{
	(void)state;
	run_bounded("6.1 choice of type int", int_choice, NULL, 10, 256);
}

/* ---- pathological Kconfig input ------------------------------------------------ */

struct load_case {
	const char *version;
	struct fx_file *files;		/* NULL-terminated; files[0] is Kconfig */
	bool expect_ok;			/* load succeeds (else: fails) */
	const char *needle;		/* in some diagnostic (NULL: any error) */
	const char *config;		/* .config to read afterwards, or NULL */
	const char *config_needle;	/* in the written .config */
};

static int load_case_child(void *arg)
{
	const struct load_case *c = arg;
	struct fx fx;
	int err = fx_load(&fx, c->version, c->files);

	if (c->expect_ok) {
		CHILD_CHECK(err == 0, "load failed: %d: %s", err, first_error(&fx));
		if (c->config)
			fx_read_config(&fx, c->config);
		if (c->config_needle) {
			char *t = fx_format(&fx);
			bool has = strstr(t, c->config_needle) != NULL;

			free(t);
			CHILD_CHECK(has, "'%s' not in the .config", c->config_needle);
		} else {
			free(fx_format(&fx));
		}
		free(fx_format_defconfig(&fx));
	} else {
		CHILD_CHECK(err < 0, "load succeeded");
		CHILD_CHECK(fx.diags.nerrors > 0, "no error reported");
	}
	if (c->needle)
		CHILD_CHECK(diag_has(&fx, c->needle), "no diagnostic with '%s'; first error: %s",
			    c->needle, first_error(&fx));
	fx_free(&fx);
	return 0;
}

static void run_case(const char *what, const char *version, char *kconfig,
		     bool expect_ok, const char *needle, double secs, long mb)
{
	struct fx_file files[] = { { "Kconfig", kconfig }, { NULL, NULL } };
	struct load_case c = { version, files, expect_ok, needle, NULL, NULL };

	run_bounded(what, load_case_child, &c, secs, mb);
	free(kconfig);
}

/* The expression nesting limit (parser/model.c KX_EXPR_MAX_DEPTH). */
#define EXPR_LIMIT_MSG "expression nested too deeply (more than"

static void test_robust__deep_parentheses(void **state)
{
	(void)state;
	run_case("100000 parentheses", "6.12",
		 repeat("config B\n\tbool \"b\"\nconfig A\n\tbool \"a\"\n\tdepends on ",
			"(", 100000, "B", ")", 100000, "\n"),
		 false, "Kconfig:5: " EXPR_LIMIT_MSG, 20, 512);
	run_case("100000 negations", "6.12",
		 repeat("config B\n\tbool \"b\"\nconfig A\n\tbool \"a\"\n\tdepends on ",
			"!", 100000, "B\n", NULL, 0, NULL),
		 false, "Kconfig:5: " EXPR_LIMIT_MSG, 20, 512);
	/* within the limit: fine */
	run_case("1000 parentheses", "6.12",
		 repeat("config B\n\tbool \"b\"\n\tdefault y\n"
			"config A\n\tbool \"a\"\n\tdefault y\n\tdepends on ",
			"(", 1000, "B", ")", 1000, "\n"),
		 true, NULL, 20, 512);
}

static void test_robust__long_operator_chains(void **state)
{
	(void)state;
	/* left-deep trees built without bison stack: the depth limit */
	run_case("B || B || ... (200000 operands)", "6.12",
		 repeat("config B\n\tbool \"b\"\nconfig A\n\tbool \"a\"\n\tdepends on B",
			" || B", 200000, "\n", NULL, 0, NULL),
		 false, "Kconfig:5: " EXPR_LIMIT_MSG, 20, 512);
	run_case("B && !B && ... (200000 operands)", "6.1",
		 repeat("config B\n\tbool \"b\"\nconfig A\n\tbool \"a\" if B",
			" && !B", 200000, "\n", NULL, 0, NULL),
		 false, "Kconfig:4: " EXPR_LIMIT_MSG, 20, 512);
	/* 100000 'depends on' lines accumulate into one expression */
	run_case("100000 'depends on' lines", "6.12",
		 repeat("config B\n\tbool \"b\"\nconfig A\n\tbool \"a\"\n",
			"\tdepends on B\n", 100000, NULL, NULL, 0, NULL),
		 false, EXPR_LIMIT_MSG, 20, 512);
	/* a symbol selected by 30000 others: rev_dep is one OR per select */
	{
		struct kx_buf b = KX_BUF_INIT;

		kx_buf_puts(&b, "config T\n\tbool\n");
		for (int i = 0; i < 30000; i++)
			kx_buf_printf(&b, "config S%d\n\tbool \"s\"\n\tselect T\n", i);
		run_case("30000 selects of one symbol", "6.12", kx_buf_detach(&b),
			 false, EXPR_LIMIT_MSG, 30, 512);
	}
	/* one symbol defined 10000 times: finalisation is quadratic in the
	 * number of definitions, as conf's (documented limit) */
	run_case("a symbol defined 10000 times", "6.12",
		 repeat("config T\n\tbool\n",
			"config S\n\tbool \"s\"\n\tdefault y\n", 10000, NULL, NULL, 0, NULL),
		 true, NULL, 10, 512);
	/* 9000 selectors (18x the most in 6.12, REGMAP_I2C's 500): fine,
	 * and evaluating T recurses 9000 levels deep */
	{
		struct kx_buf b = KX_BUF_INIT;

		kx_buf_puts(&b, "config T\n\tbool\n");
		for (int i = 0; i < 9000; i++)
			kx_buf_printf(&b, "config S%d\n\tbool \"s\"\n\tdefault y\n\tselect T\n", i);
		run_case("9000 selects of one symbol", "6.12", kx_buf_detach(&b),
			 true, NULL, 30, 512);
	}
}

static void test_robust__deep_blocks(void **state)
{
	(void)state;
	run_case("100000 nested ifs", "6.12",
		 repeat("config B\n\tbool \"b\"\n", "if B\n", 100000,
			"config A\n\tbool \"a\"\n", "endif\n", 100000, NULL),
		 false, "nested too deeply", 20, 512);
	run_case("100000 nested menus", "6.12",
		 repeat("", "menu \"m\"\n", 100000, "config A\n\tbool \"a\"\n",
			"endmenu\n", 100000, NULL),
		 false, "nested too deeply", 20, 512);
	run_case("500 nested ifs", "6.12",
		 repeat("config B\n\tbool \"b\"\n\tdefault y\n", "if B\n", 500,
			"config A\n\tbool \"a\"\n\tdefault y\n", "endif\n", 500, NULL),
		 true, NULL, 20, 512);
}

/* config A0 / config A1 depends on A0 / ...: menu nesting and evaluation */
static void test_robust__long_dependency_chains(void **state)
{
	struct kx_buf b = KX_BUF_INIT;

	(void)state;
	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	for (int i = 1; i < 100000; i++)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n",
			      i, i - 1);
	run_case("chain of 100000 symbols", "6.12", kx_buf_detach(&b), false,
		 "nested too deeply", 30, 1024);

	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	for (int i = 1; i < 2000; i++)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n",
			      i, i - 1);
	run_case("chain of 2000 symbols", "6.12", kx_buf_detach(&b), true, NULL,
		 30, 512);

	/* declared in reverse: no menu nesting, only the evaluation chain */
	for (int i = 99999; i > 0; i--)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n",
			      i, i - 1);
	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	run_case("reverse chain of 100000 symbols", "6.12", kx_buf_detach(&b),
		 false, "dependency chain too", 30, 1024);
	/* just within the limit: the loop check recurses through all */
	for (int i = 4500; i > 0; i--)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n",
			      i, i - 1);
	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	run_case("reverse chain of 4500 symbols", "6.12", kx_buf_detach(&b),
		 true, NULL, 30, 1024);

	/* in order, but no automatic submenus: only evaluation recurses */
	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	for (int i = 1; i < 100000; i++)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n"
			      "comment \"c\"\n", i, i - 1);
	run_case("interleaved chain of 100000 symbols", "6.12", kx_buf_detach(&b),
		 false, "dependency chain too long", 30, 1024);

	/* 8000 of them: within the limit (the evaluation recurses through
	 * all of them from whichever symbol comes first in conf's order) */
	kx_buf_puts(&b, "config A0\n\tbool \"a\"\n\tdefault y\n");
	for (int i = 1; i < 8000; i++)
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n\tdepends on A%d\n"
			      "comment \"c\"\n", i, i - 1);
	run_case("interleaved chain of 8000 symbols", "6.12", kx_buf_detach(&b),
		 true, NULL, 30, 1024);

	/* a chain of 200 symbols with 300-level expressions: the
	 * evaluation's recursion is their product (60000 > 50000) */
	for (int i = 0; i < 200; i++) {
		kx_buf_printf(&b, "config A%d\n\tbool \"a\"\n\tdefault y\n", i);
		if (i) {
			kx_buf_printf(&b, "\tdepends on A%d", i - 1);
			for (int j = 0; j < 300; j++)
				kx_buf_printf(&b, " || N%d", j);
			kx_buf_putc(&b, '\n');
		}
		kx_buf_puts(&b, "comment \"c\"\n");
	}
	for (int j = 0; j < 300; j++)
		kx_buf_printf(&b, "config N%d\n\tbool\n", j);
	run_case("chain of 200 symbols with 300-level expressions", "6.12",
		 kx_buf_detach(&b), false, "dependency chain too long", 30, 1024);
}

static void test_robust__long_lines_and_help(void **state)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t big = 10u << 20;

	(void)state;
	/* a 10 MB comment line */
	kx_buf_puts(&b, "config A\n\tbool \"a\"\n\tdefault y\n# ");
	for (size_t i = 0; i < big; i++)
		kx_buf_putc(&b, 'x');
	kx_buf_puts(&b, "\nconfig B\n\tbool \"b\"\n\tdefault y\n");
	run_case("10 MB comment line", "6.12", kx_buf_detach(&b), true, NULL, 30, 512);

	/* a 10 MB prompt */
	kx_buf_puts(&b, "config A\n\tbool \"");
	for (size_t i = 0; i < big; i++)
		kx_buf_putc(&b, 'p');
	kx_buf_puts(&b, "\"\n\tdefault y\n");
	run_case("10 MB prompt", "6.12", kx_buf_detach(&b), true, NULL, 30, 512);

	/* macro references before 10 MB of text: the rest of the line is
	 * read and pushed back by the scanner */
	kx_buf_puts(&b, "X := x\nconfig A\n\tbool \"$(X)");
	for (size_t i = 0; i < big; i++)
		kx_buf_putc(&b, i % 100 ? 'p' : '$');
	kx_buf_puts(&b, "\"\n\tdefault y\n");
	run_case("10 MB string with 100000 '$'", "6.12", kx_buf_detach(&b), true,
		 NULL, 30, 512);
	/* 1000000 words with references on one (bad) line: each was
	 * expanded from a copy of the whole rest of the line */
	run_case("10 MB line of $(X) words", "6.12",
		 repeat("X := x\nbogus", " $(X)y", 1000000, "\n", NULL, 0, NULL),
		 false, "Kconfig:2: ", 30, 512);

	/* a 1 MB symbol name, written to the .config */
	kx_buf_puts(&b, "config ");
	for (size_t i = 0; i < (1u << 20); i++)
		kx_buf_putc(&b, 'N');
	kx_buf_puts(&b, "\n\tbool \"n\"\n\tdefault y\n");
	run_case("1 MB symbol name", "6.12", kx_buf_detach(&b), true, NULL, 30, 512);

	/* 10 MB of help text in 100000 lines */
	kx_buf_puts(&b, "config A\n\tbool \"a\"\n\thelp\n");
	for (size_t i = 0; i < 100000; i++)
		kx_buf_puts(&b, "\t  help text help text help text help text help text "
				"help text help text help text help text help\n");
	kx_buf_puts(&b, "config B\n\tbool \"b\"\n");
	run_case("10 MB help text", "6.1", kx_buf_detach(&b), true, NULL, 30, 512);

	/* 100000 lines continued with backslashes: one logical line */
	kx_buf_puts(&b, "config A\n\tbool \"a\"\n\tdepends on B");
	for (size_t i = 0; i < 100000; i++)
		kx_buf_puts(&b, " \\\n");
	kx_buf_puts(&b, "\nconfig B\n\tbool \"b\"\n");
	run_case("100000 line continuations", "6.12", kx_buf_detach(&b), true, NULL, 30, 512);
}

static int source_chain_child(void *arg)
{
	size_t n = (size_t)(uintptr_t)arg;
	struct fx_file *files = kx_xcalloc(n + 2, sizeof(*files));
	struct load_case c = { "6.12", files, n <= 1000, NULL, NULL, NULL };
	int r;

	/* Kconfig sources k1, k1 sources k2, ... : n levels */
	for (size_t i = 0; i <= n; i++) {
		files[i].path = i ? kx_xasprintf("k/%zu", i) : kx_xstrdup("Kconfig");
		files[i].text = i < n ? kx_xasprintf("config S%zu\n\tbool\nsource \"k/%zu\"\n", i, i + 1)
				      : kx_xstrdup("config LAST\n\tbool \"last\"\n");
	}
	c.needle = n > 1000 ? "'source' nested more than 1000 levels deep" : NULL;
	r = load_case_child(&c);
	for (size_t i = 0; i <= n; i++) {
		free((char *)files[i].path);
		free((char *)files[i].text);
	}
	free(files);
	return r;
}

static void test_robust__source_depth_limit(void **state)
{
	(void)state;
	run_bounded("1000 source levels", source_chain_child, (void *)(uintptr_t)1000, 30, 512);
	run_bounded("3000 source levels", source_chain_child, (void *)(uintptr_t)3000, 30, 512);
}

static void test_robust__macro_pathologies(void **state)
{
	struct kx_buf b = KX_BUF_INIT;

	(void)state;
	run_case("variable expanding to itself", "6.12",
		 kx_xstrdup("X = $(X)\nconfig A\n\tbool \"$(X)\"\n"),
		 false, "Kconfig:3: Recursive variable 'X' references itself (eventually)", 10, 256);
	run_case("mutually recursive variables", "6.12",
		 kx_xstrdup("X = $(Y)\nY = a$(X)\nconfig A\n\tbool \"$(X)\"\n"),
		 false, "Recursive variable", 10, 256);
	run_case("function calling itself", "6.12",
		 kx_xstrdup("f = $(f,$(1)x)\nconfig A\n\tbool \"$(f,a)\"\n"),
		 false, "Kconfig:3: Too deep recursive expansion", 10, 256);
	/* 2^64 bytes if expanded: X1 = $(X0)$(X0), ... */
	kx_buf_puts(&b, "X0 := 0123456789abcdef0123456789abcdef\n");
	for (int i = 1; i <= 64; i++)
		kx_buf_printf(&b, "X%d = $(X%d)$(X%d)\n", i, i - 1, i - 1);
	kx_buf_puts(&b, "config A\n\tbool \"$(X64)\"\n");
	run_case("exponential expansion", "6.12", kx_buf_detach(&b), false,
		 "Kconfig:67: macro expansion too long", 20, 1024);
	/* the same with simple variables: expanded at assignment */
	kx_buf_puts(&b, "X0 := 0123456789abcdef0123456789abcdef\n");
	for (int i = 1; i <= 64; i++)
		kx_buf_printf(&b, "X%d := $(X%d)$(X%d)\n", i, i - 1, i - 1);
	kx_buf_puts(&b, "config A\n\tbool \"$(X64)\"\n");
	run_case("exponential simple assignments", "6.12", kx_buf_detach(&b), false,
		 "Kconfig:", 20, 1024);
	run_case("100000 nested references", "6.12",
		 repeat("config A\n\tbool \"", "$(", 100000, "x", ")", 100000, "\"\n"),
		 false, "Kconfig:2: ", 20, 512);
	run_case("unterminated reference", "6.12",
		 repeat("config A\n\tbool \"", "$(", 100000, "\"\n", NULL, 0, NULL),
		 false, "Kconfig:2: ", 20, 512);
}

/* ---- $(shell,...) that hangs or floods ------------------------------------------- */

struct shell_case {
	const char *kconfig;
	double timeout;
	int expect_err;			/* load result */
	size_t max_prompt;		/* prompt of A at most this long (0: any) */
	size_t min_prompt;
};

static int shell_child(void *arg)
{
	const struct shell_case *c = arg;
	struct fx fx;
	struct kx_shell_opts so = { 0 };
	struct kx_load_opts lo = { 0 };
	struct kx_semantics sem;
	int err;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/kx-test-XXXXXX");
	CHILD_CHECK(mkdtemp(fx.dir), "mkdtemp");
	fx_write(&fx, "Kconfig", c->kconfig);
	kx_diags_init(&fx.diags);
	CHILD_CHECK(kx_tree_open_dir(&fx.tree, fx.dir) == 0, "tree");
	fx.env = kx_env_new();
	kx_env_set(fx.env, "PATH", "/usr/bin:/bin");
	kx_env_set(fx.env, "srctree", fx.dir);
	so.policy = KX_PROBES_RUN;
	so.cwd = fx.dir;
	so.timeout = c->timeout;
	CHILD_CHECK(kx_shell_new(&fx.shell, fx.env, &so) == 0, "shell");
	kx_semantics_for_version(&sem, 6, 12);
	lo.env = fx.env;
	lo.shell = fx.shell;
	lo.diags = &fx.diags;
	lo.sem = &sem;
	err = kx_kconfig_load(&fx.kc, fx.tree, &lo);
	CHILD_CHECK(err == c->expect_err, "load returned %d (%s), expected %d", err,
		    first_error(&fx), c->expect_err);
	if (!err) {
		struct kx_sym *a = kx_sym_find(fx.kc, "A");
		const char *t = a && a->menus && a->menus->prompt ? a->menus->prompt->text : "";

		CHILD_CHECK(strlen(t) >= c->min_prompt, "prompt has %zu bytes", strlen(t));
		CHILD_CHECK(!c->max_prompt || strlen(t) <= c->max_prompt,
			    "prompt has %zu bytes", strlen(t));
	} else {
		CHILD_CHECK(fx.diags.nerrors > 0 || *kx_shell_last_error(fx.shell),
			    "no error reported");
	}
	fx_free(&fx);
	return 0;
}

static void test_robust__shell_probe_bounded(void **state)
{
	static const struct shell_case hang = {
		"config A\n\tbool \"$(shell,sleep 100)\"\n", 1.0, KX_ELIMIT, 0, 0 };
	static const struct shell_case hang_closed = {
		"config A\n\tbool \"$(shell,exec >&-; sleep 100)\"\n", 1.0, KX_ELIMIT, 0, 0 };
	/* the background child keeps the pipe open: conf would wait too */
	static const struct shell_case hang_child = {
		"config A\n\tbool \"$(shell,(sleep 100 &); echo hi)\"\n", 1.0, KX_ELIMIT, 0, 0 };
	static const struct shell_case flood = {
		"config A\n\tbool \"$(shell,yes)\"\n", 5.0, 0, 4095, 4000 };
	static const struct shell_case flood_nonl = {
		"config A\n\tbool \"$(shell,base64 -w0 /dev/zero)\"\n",
		5.0, 0, 4095, 4095 };

	(void)state;
	run_bounded("$(shell,sleep 100), timeout 1s", shell_child, (void *)&hang, 10, 256);
	run_bounded("$(shell,...) closing stdout and hanging", shell_child,
		    (void *)&hang_closed, 10, 256);
	run_bounded("$(shell,...) leaving a background child", shell_child,
		    (void *)&hang_child, 10, 256);
	run_bounded("$(shell,yes)", shell_child, (void *)&flood, 10, 256);
	run_bounded("$(shell,...) printing endlessly without newline", shell_child,
		    (void *)&flood_nonl, 20, 256);
}

/* ---- .config input ------------------------------------------------------------------ */

static const char dot_tree[] =
	"config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	"config B\n\tbool \"b\"\n"
	"config T\n\ttristate \"t\"\n"
	"config I\n\tint \"i\"\n\trange 0 100\n"
	"config S\n\tstring \"s\"\n"
	"choice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nconfig C2\n\tbool \"c2\"\nendchoice\n";

struct dot_case {
	const char *version;
	char *config;
	size_t len;
	const char *config_needle;
};

static int dot_child(void *arg)
{
	const struct dot_case *c = arg;
	struct fx fx;
	char *t;

	CHILD_CHECK(fx_load1(&fx, c->version, dot_tree) == 0, "load");
	kx_conf_read_mem(&fx.io, "big.config", c->config, c->len);
	t = fx_format(&fx);
	CHILD_CHECK(!c->config_needle || strstr(t, c->config_needle),
		    "'%s' not in:\n%s", c->config_needle, t);
	free(t);
	free(fx_format_defconfig(&fx));
	/* warnings are counted, the stored ones bounded */
	CHILD_CHECK(fx.diags.n <= 10000, "%zu diagnostics stored", fx.diags.n);
	fx_free(&fx);
	return 0;
}

static void test_robust__dotconfig_pathologies(void **state)
{
	struct kx_buf b = KX_BUF_INIT;
	struct dot_case c = { "6.12", NULL, 0, NULL };
	unsigned seed = 12345;

	(void)state;
	/* a million lines: overrides (one warning each), unknown symbols */
	for (int i = 0; i < 1000000; i++)
		kx_buf_puts(&b, i % 2 ? "CONFIG_B=y\n" : "CONFIG_UNKNOWN_SYMBOL_X=y\n");
	kx_buf_puts(&b, "CONFIG_I=42\n");
	c.len = b.len;
	c.config = kx_buf_detach(&b);
	c.config_needle = "CONFIG_I=42\n";
	run_bounded("1000000-line .config (6.12)", dot_child, &c, 30, 768);
	c.version = "6.1";
	run_bounded("1000000-line .config (6.1)", dot_child, &c, 30, 768);
	free(c.config);

	/* a 10 MB string value and a 10 MB line without '=' */
	kx_buf_puts(&b, "CONFIG_S=\"");
	for (int i = 0; i < (10 << 20); i++)
		kx_buf_putc(&b, i % 7 ? 'v' : '\\');
	kx_buf_puts(&b, "\"\nCONFIG_");
	for (int i = 0; i < (10 << 20); i++)
		kx_buf_putc(&b, 'Q');
	kx_buf_puts(&b, "\nCONFIG_B=y\n");
	c.len = b.len;
	c.config = kx_buf_detach(&b);
	c.config_needle = "CONFIG_B=y\n";
	c.version = "6.12";
	run_bounded("10 MB .config lines", dot_child, &c, 30, 768);
	free(c.config);

	/* binary garbage with NUL bytes, then a valid line */
	for (int i = 0; i < (4 << 20); i++) {
		seed = seed * 1103515245u + 12345u;
		kx_buf_putc(&b, (char)(seed >> 16));
	}
	kx_buf_puts(&b, "\nCONFIG_T=m\n");
	c.len = b.len;
	c.config = kx_buf_detach(&b);
	c.config_needle = "CONFIG_T=m\n";
	run_bounded("4 MB binary .config (6.12)", dot_child, &c, 30, 512);
	c.version = "6.1";
	run_bounded("4 MB binary .config (6.1)", dot_child, &c, 30, 512);
	free(c.config);

	/* NUL bytes inside lines, and non-UTF-8 string values */
	{
		static const char nul[] =
			"CONFIG_B=y\0garbage\nCONFIG_\0T=m\nCONFIG_S=\"\xff\xfe\xc0\x80\"\n";

		c.config = kx_xmalloc(sizeof(nul));
		memcpy(c.config, nul, sizeof(nul));
		c.len = sizeof(nul) - 1;
		c.config_needle = "CONFIG_S=\"\xff\xfe\xc0\x80\"\n";
		c.version = "6.12";
		run_bounded("NUL bytes and non-UTF-8 in .config", dot_child, &c, 10, 256);
		free(c.config);
	}
}

/* ---- garbage as Kconfig -------------------------------------------------------------- */

/* NUL bytes in a Kconfig file: warned about and skipped, as conf does */
static int nul_kconfig_child(void *arg)
{
	static const char k[] = "config A\n\tbool \"a\"\0\0\n\tdefault y\nconfig B\0\n\tbool\n";
	struct fx fx;
	char *path;
	FILE *f;
	int err;

	(void)arg;
	/* an empty tree first: fx_write stops at the first NUL */
	CHILD_CHECK(fx_load1(&fx, "6.12", "") == 0, "empty tree");
	path = kx_xasprintf("%s/Kconfig", fx.dir);
	f = fopen(path, "wb");
	CHILD_CHECK(f && fwrite(k, 1, sizeof(k) - 1, f) == sizeof(k) - 1, "write");
	fclose(f);
	free(path);
	kx_kconfig_free(fx.kc);
	fx.kc = NULL;
	{
		struct kx_load_opts lo = { 0 };
		struct kx_semantics sem;

		kx_semantics_for_version(&sem, 6, 12);
		lo.env = fx.env;
		lo.shell = fx.shell;
		lo.diags = &fx.diags;
		lo.sem = &sem;
		err = kx_kconfig_load(&fx.kc, fx.tree, &lo);
	}
	CHILD_CHECK(err == 0, "load: %s", first_error(&fx));
	CHILD_CHECK(diag_has(&fx, "Kconfig:2:warning: ignoring unsupported character '\\0'"),
		    "no warning about NUL");
	kx_confio_init(&fx.io, fx.kc, NULL);
	fx.io.message = NULL;
	CHILD_CHECK(kx_conf_read_mem(&fx.io, "x", "", 0) == 0, "read");
	CHILD_CHECK(fx_config_has(&fx, "CONFIG_A=y\n"), "CONFIG_A=y missing");
	fx_free(&fx);
	return 0;
}

/*
 * kx_read_file: an endless input (/dev/zero) and a directory are errors with
 * the reason in errno; a FIFO without a writer reads as empty, it does not
 * hang.
 */
static void test_robust__read_file_bounded(void **state)
{
	char dir[] = "/tmp/kx-read-XXXXXX", *fifo, *data = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(kx_read_file(&data, &len, "/dev/zero"), KX_ELIMIT);
	assert_int_equal(errno, EFBIG);
	assert_null(data);
	assert_int_equal(kx_read_file(&data, &len, dir), KX_EIO);
	assert_int_equal(errno, EISDIR);
	fifo = kx_xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(kx_read_file(&data, &len, fifo), 0);
	assert_int_equal(len, 0);
	free(data);
	unlink(fifo);
	free(fifo);
	rmdir(dir);
}

/*
 * kx_write_output: a regular file is replaced (with .old), a symlink is
 * followed, a FIFO nobody reads and a directory are errors, and a failed
 * write leaves the old file as it was.
 */
static void test_robust__write_output_targets(void **state)
{
	char dir[] = "/tmp/kx-write-XXXXXX", *f, *link, *fifo, *data = NULL;
	size_t len;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	f = kx_xasprintf("%s/file", dir);
	link = kx_xasprintf("%s/link", dir);
	fifo = kx_xasprintf("%s/fifo", dir);
	assert_int_equal(kx_write_output_text(f, "one\n", KX_OUT_KEEP_OLD), 0);
	assert_int_equal(kx_write_output_text(f, "two\n", KX_OUT_KEEP_OLD), 0);
	assert_int_equal(kx_read_file(&data, &len, f), 0);
	assert_string_equal(data, "two\n");
	free(data);
	{
		char *old = kx_xasprintf("%s.old", f);

		assert_int_equal(kx_read_file(&data, &len, old), 0);
		assert_string_equal(data, "one\n");
		free(data);
		unlink(old);
		free(old);
	}
	/* a symlink: followed, the link stays */
	assert_int_equal(symlink("file", link), 0);
	assert_int_equal(kx_write_output_text(link, "three\n", 0), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(kx_read_file(&data, &len, f), 0);
	assert_string_equal(data, "three\n");
	free(data);
	/* refused targets: the old file is as it was, nothing left behind */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(kx_write_output_text(fifo, "x\n", 0), KX_EIO);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(kx_write_output_text(dir, "x\n", 0), KX_EIO);
	assert_int_equal(errno, EISDIR);
	unlink(fifo);
	unlink(link);
	unlink(f);
	assert_int_equal(rmdir(dir), 0);	/* no temporary file left */
	free(f);
	free(link);
	free(fifo);
}

static void test_robust__binary_kconfig(void **state)
{
	struct kx_buf b = KX_BUF_INIT;
	unsigned seed = 777;

	(void)state;
	for (int i = 0; i < (2 << 20); i++) {
		seed = seed * 1103515245u + 12345u;
		/* no NUL: the fixture writes text files */
		kx_buf_putc(&b, (char)((seed >> 16) % 255 + 1));
	}
	run_case("2 MB of random bytes", "6.12", kx_buf_detach(&b), false, "Kconfig:",
		 30, 512);
	/* non-UTF-8 in prompts and help passes through unchanged */
	run_case("non-UTF-8 prompt", "6.12",
		 kx_xstrdup("mainmenu \"\xff\xfe menu\"\nconfig A\n\tbool \"\xc0\x80 \xed\xa0\x80\"\n"
			    "\tdefault y\n\thelp\n\t  \xfe\xff\n"),
		 true, NULL, 10, 256);
	run_bounded("NUL bytes in a Kconfig file", nul_kconfig_child, NULL, 10, 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_robust__dotconfig_short_last_line_stays_in_buffer),
		cmocka_unit_test(test_robust__read_file_bounded),
		cmocka_unit_test(test_robust__write_output_targets),
		cmocka_unit_test(test_robust__int_choice_v1_reads_config),
		cmocka_unit_test(test_robust__deep_parentheses),
		cmocka_unit_test(test_robust__long_operator_chains),
		cmocka_unit_test(test_robust__deep_blocks),
		cmocka_unit_test(test_robust__long_dependency_chains),
		cmocka_unit_test(test_robust__long_lines_and_help),
		cmocka_unit_test(test_robust__source_depth_limit),
		cmocka_unit_test(test_robust__macro_pathologies),
		cmocka_unit_test(test_robust__shell_probe_bounded),
		cmocka_unit_test(test_robust__dotconfig_pathologies),
		cmocka_unit_test(test_robust__binary_kconfig),
	};

	/* KX_TEST_FILTER=test_robust__deep_* runs some tests only */
	if (getenv("KX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("KX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
