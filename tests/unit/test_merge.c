// SPDX-License-Identifier: MIT
/*
 * test_merge.c - what merge does after merge_config.sh: kx_merge_closure
 * (analyzer/merge.c), and `kxen-config merge`'s exit status.
 *
 * The tree: A depends on B (a dropped A=y is fixed by B=y), C depends on D,
 * which has no prompt (C=y cannot hold), N is an int with a range, E
 * follows B by default (nobody asks for it: --resolve must not pin it).
 * Checked: the dropped values with their current value and reason, the
 * closure that makes them hold, --resolve applying it, the decision taken
 * on the configuration to be written (so that a value the closure did not
 * make hold, such as A=5 for a bool, fails it), values of unknown symbols
 * not counting, warnings located in the fragment, and the program's exit status for each (KX_TEST_PROGRAM,
 * which `make check-unit` sets; skipped loudly without it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzer/merge.h"
#include "helpers/fixture.h"

extern char **environ;

static const char tree[] =
	"config A\n\tbool \"A\"\n\tdepends on B\n"
	"config B\n\tbool \"B\"\n"
	"config C\n\tbool \"C\"\n\tdepends on D\n"
	"config D\n\tbool\n"
	"config N\n\tint \"N\"\n\trange 1 10\n\tdefault 3\n"
	"config E\n\tbool \"E\"\n\tdefault B\n";

struct merged {
	struct fx fx;
	struct kx_merge_result mr;
	struct kx_merge_fix fix;
};

/* merges 'fragment' onto an empty base, then kx_merge_closure */
static void merge(struct merged *m, const char *fragment, bool resolve)
{
	struct kx_fragment fr = { "frag.config", fragment };
	struct kx_merge_opts mo = { 0 };

	memset(m, 0, sizeof(*m));
	assert_int_equal(fx_load1(&m->fx, "6.12", tree), 0);
	assert_int_equal(kx_merge(&m->fx.io, "empty", "", &fr, 1, &mo, &m->mr), 0);
	assert_int_equal(kx_merge_closure(&m->fx.io, &m->mr, resolve, &m->fix), 0);
	assert_int_equal(m->fix.ndropped, m->mr.dropped.n);
}

static void done(struct merged *m)
{
	kx_merge_fix_free(&m->fix);
	kx_merge_result_free(&m->mr);
	fx_free(&m->fx);
}

static void test_merge__dropped_value_explained_with_closure(void **state)
{
	struct merged m;
	const struct kx_dropped *d;

	(void)state;
	merge(&m, "CONFIG_A=y\n", false);
	assert_int_equal(m.fix.ndropped, 1);
	d = &m.fix.dropped[0];
	assert_string_equal(d->line->name, "A");
	assert_string_equal(d->line->value, "y");
	assert_string_equal(d->actual, "n");
	assert_non_null(d->reason);
	assert_non_null(strstr(d->reason, "depends on B [=n]"));
	assert_false(d->holds);
	assert_null(d->unmet);
	/* the closure: B (A=y is the fragment's line already) */
	assert_int_equal(m.fix.ntargets, 1);
	assert_non_null(m.fix.closure);
	assert_int_equal(m.fix.closure->nchanges, 1);
	assert_string_equal(m.fix.closure->changes[0].sym->name, "B");
	assert_int_equal(m.fix.closure->nunmet, 0);
	/* not resolving: the merge's result is written, and A is not in it */
	assert_false(m.fix.resolved);
	assert_ptr_equal(m.fix.config, m.mr.config);
	assert_int_equal(m.fix.nstill_dropped, 1);
	assert_false(m.fix.ok);
	/* the merged configuration is loaded */
	assert_string_equal(fx_value(&m.fx, "A"), "n");
	done(&m);
}

static void test_merge__resolve_applies_the_closure(void **state)
{
	struct merged m;

	(void)state;
	merge(&m, "CONFIG_A=y\n", true);
	assert_non_null(m.fix.closure);
	assert_true(m.fix.resolved);
	assert_ptr_equal(m.fix.config, m.fix.resolved_text);
	assert_non_null(strstr(m.fix.config, "CONFIG_A=y\n"));
	assert_non_null(strstr(m.fix.config, "CONFIG_B=y\n"));
	/* the merge had "# CONFIG_E is not set"; nobody asked for it, so it
	 * follows B as it would with B=y added to the fragment */
	assert_non_null(strstr(m.mr.config, "# CONFIG_E is not set\n"));
	assert_non_null(strstr(m.fix.config, "CONFIG_E=y\n"));
	assert_true(m.fix.dropped[0].holds);
	assert_int_equal(m.fix.nstill_dropped, 0);
	assert_true(m.fix.ok);
	done(&m);
}

/* what cannot hold stays dropped after --resolve, with the cause */
static void test_merge__resolve_cannot_fix_unmet(void **state)
{
	struct merged m;
	const struct kx_dropped *d;

	(void)state;
	merge(&m, "CONFIG_A=y\nCONFIG_C=y\n", true);
	assert_int_equal(m.fix.ndropped, 2);
	assert_non_null(m.fix.closure);
	assert_int_equal(m.fix.closure->nunmet, 1);
	d = &m.fix.dropped[0];
	assert_string_equal(d->line->name, "A");
	assert_true(d->holds);
	assert_null(d->unmet);
	d = &m.fix.dropped[1];
	assert_string_equal(d->line->name, "C");
	assert_false(d->holds);
	assert_non_null(d->unmet);
	assert_int_equal(d->unmet->cause, KX_CAUSE_FIXED);
	assert_ptr_equal(d->unmet->target, d->target);
	assert_int_equal(m.fix.nstill_dropped, 1);
	assert_false(m.fix.ok);
	done(&m);
}

/*
 * A value the closure does not make hold although it reports nothing
 * unmet (a bool asked to be 5 is "n" to the solver): --resolve is no
 * success.  The exit decision used to look at the closure's unmet list
 * only, and said 0.
 */
static void test_merge__resolve_unconfirmed_is_not_ok(void **state)
{
	struct merged m;

	(void)state;
	merge(&m, "CONFIG_A=5\n", true);
	assert_int_equal(m.fix.ndropped, 1);
	assert_non_null(m.fix.closure);
	assert_int_equal(m.fix.closure->nunmet, 0);
	assert_false(m.fix.dropped[0].holds);
	assert_null(m.fix.dropped[0].unmet);
	assert_int_equal(m.fix.nstill_dropped, 1);
	assert_false(m.fix.ok);
	done(&m);
}

static void test_merge__nothing_dropped(void **state)
{
	struct merged m;

	(void)state;
	merge(&m, "CONFIG_B=y\nCONFIG_N=7\n# CONFIG_C is not set\n", true);
	assert_int_equal(m.fix.ndropped, 0);
	assert_null(m.fix.closure);
	assert_false(m.fix.resolved);
	assert_ptr_equal(m.fix.config, m.mr.config);
	assert_true(m.fix.ok);
	done(&m);
}

/* symbols the tree lacks are the merge's "unknown" list: they do not count */
static void test_merge__unknown_symbols_do_not_count(void **state)
{
	struct merged m;

	(void)state;
	merge(&m, "CONFIG_B=y\nCONFIG_NOT_HERE=y\n", false);
	assert_int_equal(m.mr.unknown.n, 1);
	assert_int_equal(m.fix.ndropped, 0);
	assert_true(m.fix.ok);
	done(&m);
}

static void test_merge__out_of_range_int(void **state)
{
	struct merged m;

	(void)state;
	merge(&m, "CONFIG_N=50\n", true);
	assert_int_equal(m.fix.ndropped, 1);
	assert_string_equal(m.fix.dropped[0].actual, "10");
	assert_non_null(m.fix.dropped[0].unmet);
	assert_false(m.fix.ok);
	done(&m);
}

/*
 * A warning of reading the merged file names the user's file and line, not
 * the internal KCONFIG_ALLCONFIG: a line without CONFIG_ (2 of the fragment),
 * a value of the wrong type (3).
 */
static void test_merge__warnings_name_the_fragment_line(void **state)
{
	struct merged m;
	char *text;

	(void)state;
	merge(&m, "CONFIG_B=y\nA=y\nCONFIG_N=abc\n", false);
	text = fx_diags_text(&m.fx);
	assert_non_null(strstr(text, "frag.config:2:warning: unexpected data: A=y"));
	assert_non_null(strstr(text, "frag.config:3:warning: symbol value 'abc' invalid for N"));
	assert_null(strstr(text, "KCONFIG_ALLCONFIG"));
	for (size_t i = 0; i < m.fx.diags.n; i++)
		assert_string_equal(m.fx.diags.v[i].file, "frag.config");
	free(text);
	done(&m);
}

/* ---- the program's exit status ---------------------------------------------- */

static const char *program(void)
{
	const char *p = getenv("KX_TEST_PROGRAM");

	return p && *p ? p : NULL;
}

/* kxen-config -C DIR merge allnoconfig DIR/frag.config [--resolve] -o DIR/out.config */
static int run_merge(struct fx *fx, const char *fragment, bool resolve)
{
	char *frag = kx_xasprintf("%s/frag.config", fx->dir);
	char *out = kx_xasprintf("%s/out.config", fx->dir);
	char *log = kx_xasprintf("%s/merge.log", fx->dir);
	char *argv[] = { (char *)program(), (char *)"-C", fx->dir, (char *)"merge",
			 (char *)"allnoconfig", frag, (char *)"-o", out,
			 resolve ? (char *)"--resolve" : NULL, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	fx_write(fx, "frag.config", fragment);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	posix_spawn_file_actions_destroy(&fa);
	free(frag);
	free(out);
	free(log);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_merge__program_resolve_exit_status(void **state)
{
	struct fx fx;
	char *cache;

	(void)state;
	if (!program()) {
		fprintf(stderr, "SKIP: KX_TEST_PROGRAM unset (make check-unit sets it)\n");
		skip();
	}
	assert_int_equal(fx_load1(&fx, "6.12", tree), 0);
	/* the program's caches go to the fixture, not to the user's */
	cache = kx_xasprintf("%s/cache", fx.dir);
	setenv("XDG_CACHE_HOME", cache, 1);
	/* dropped and not resolved: 1; resolved: 0 */
	assert_int_equal(run_merge(&fx, "CONFIG_A=y\n", false), 1);
	assert_int_equal(run_merge(&fx, "CONFIG_A=y\n", true), 0);
	/* nothing dropped: 0 either way */
	assert_int_equal(run_merge(&fx, "CONFIG_B=y\n", false), 0);
	assert_int_equal(run_merge(&fx, "CONFIG_B=y\n", true), 0);
	/* --resolve that cannot make a value hold: 1 (usage: "could not be resolved") */
	assert_int_equal(run_merge(&fx, "CONFIG_C=y\n", true), 1);
	assert_int_equal(run_merge(&fx, "CONFIG_A=5\n", true), 1);
	unsetenv("XDG_CACHE_HOME");
	free(cache);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge__dropped_value_explained_with_closure),
		cmocka_unit_test(test_merge__resolve_applies_the_closure),
		cmocka_unit_test(test_merge__resolve_cannot_fix_unmet),
		cmocka_unit_test(test_merge__resolve_unconfirmed_is_not_ok),
		cmocka_unit_test(test_merge__nothing_dropped),
		cmocka_unit_test(test_merge__unknown_symbols_do_not_count),
		cmocka_unit_test(test_merge__out_of_range_int),
		cmocka_unit_test(test_merge__warnings_name_the_fragment_line),
		cmocka_unit_test(test_merge__program_resolve_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
