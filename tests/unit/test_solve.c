// SPDX-License-Identifier: MIT
/*
 * test_solve.c - the closure engine on small trees, one Kconfig rule each.
 *
 * Every test states the targets and the changes a person would make, and
 * checks that the closure finds exactly those (as a set), that the targets
 * hold when the result is written and read back, and that it is
 * 1-minimal (dropping any change breaks a target).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/eval.h"
#include "analyzer/merge.h"
#include "analyzer/solve.h"
#include "helpers/fixture.h"

/* the changes as a sorted "A=y B=n" string */
static char *changes_str(const struct kx_closure *cl)
{
	char **v = kx_xcalloc(cl->nchanges + 1, sizeof(*v));
	struct kx_buf b = KX_BUF_INIT;

	for (size_t i = 0; i < cl->nchanges; i++)
		v[i] = kx_xasprintf("%s=%s", cl->changes[i].sym->name, cl->changes[i].value);
	for (size_t i = 1; i < cl->nchanges; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	for (size_t i = 0; i < cl->nchanges; i++) {
		if (i)
			kx_buf_putc(&b, ' ');
		kx_buf_puts(&b, v[i]);
		free(v[i]);
	}
	free(v);
	return kx_buf_detach(&b);
}

/*
 * Loads 'kconfig' (version 'ver'), base alldefconfig (+ 'base' lines),
 * solves 'spec' and expects the changes 'want' ("" for none, NULL to skip
 * the check) and 'unmet' impossible targets.
 */
static struct kx_closure *solve(struct fx *fx, const char *ver, const char *kconfig,
				const char *base, const char *spec, const char *want,
				size_t unmet)
{
	struct kx_target t[32] = { { 0 } };
	struct kx_closure *cl = NULL;
	size_t nt;
	char *got, *text = NULL;

	assert_int_equal(fx_load1(fx, ver, kconfig), 0);
	if (base) {
		fx_read_config(fx, base);
		text = kx_conf_text(&fx->io);
		kx_conf_load_text(&fx->io, "base", text);
		free(text);
	} else {
		assert_int_equal(kx_base_load(&fx->io, fx->env, "alldefconfig", &text), 0);
		free(text);
	}
	nt = fx_targets(fx, spec, t);
	for (size_t i = 0; i < nt; i++)
		assert_non_null(t[i].sym);
	assert_int_equal(kx_closure_solve(&cl, fx->kc, t, nt, NULL), 0);
	assert_true(cl->verified || cl->nunmet == nt);
	assert_int_equal(cl->nunmet, unmet);
	got = changes_str(cl);
	if (want && strcmp(got, want))
		fail_msg("changes: got \"%s\", want \"%s\"", got, want);
	free(got);
	/* the result holds when read back, and is 1-minimal */
	if (cl->config_text) {
		kx_conf_load_text(&fx->io, "result", cl->config_text);
		for (size_t i = 0; i < nt; i++) {
			bool skip = false;

			for (size_t k = 0; k < cl->nunmet; k++)
				skip = skip || cl->unmet[k].target->sym == t[i].sym;
			if (!skip && !kx_target_holds(fx->kc, &t[i]))
				fail_msg("%s=%s does not hold in the result", t[i].sym->name,
					 t[i].value);
		}
	}
	return cl;
}

static void test_solve__dependency_chain(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12",
		"config BLOCK\n\tbool \"block\"\n"
		"config BLK_DEV\n\tbool \"blk dev\"\n\tdepends on BLOCK\n"
		"config FRONT\n\tbool \"front\"\n\tdepends on BLK_DEV\n",
		NULL, "FRONT=y", "BLK_DEV=y BLOCK=y FRONT=y", 0);
	/* the reason chain names the dependency */
	for (size_t i = 0; i < cl->nchanges; i++) {
		if (!strcmp(cl->changes[i].sym->name, "BLK_DEV")) {
			assert_non_null(cl->changes[i].need.by);
			assert_string_equal(cl->changes[i].need.by->name, "FRONT");
			assert_int_equal(cl->changes[i].need.line, 8);
		}
	}
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__keeps_base_values(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* either A or B enables C: the base already has B */
	cl = solve(&fx, "6.12",
		"config A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\n"
		"config C\n\tbool \"c\"\n\tdepends on A || B\n",
		"CONFIG_B=y\n", "C=y", "C=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__select_instead_of_prompt(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* HIDDEN has no prompt: only selecting it helps */
	cl = solve(&fx, "6.12",
		"config HIDDEN\n\tbool\n"
		"config SEL\n\tbool \"selector\"\n\tselect HIDDEN\n"
		"config T\n\tbool \"t\"\n\tdepends on HIDDEN\n",
		NULL, "T=y", "SEL=y T=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__imply_default(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* I has no prompt: only P's imply can raise it */
	cl = solve(&fx, "6.12",
		"config P\n\tbool \"p\"\n\timply I\n"
		"config I\n\tbool\n",
		NULL, "I=y", "P=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
	/* a visible symbol the base sets to n: imply does not override it */
	cl = solve(&fx, "6.12",
		"config P\n\tbool \"p\"\n\timply I\n"
		"config I\n\tbool \"i\"\n",
		NULL, "I=y P=y", "I=y P=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__choice_member_needed(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* X needs family 2 of a choice whose default is family 1 */
	cl = solve(&fx, "6.12",
		"choice\n\tprompt \"family\"\n\tdefault F1\n"
		"config F1\n\tbool \"one\"\nconfig F2\n\tbool \"two\"\nconfig F3\n\tbool \"three\"\n"
		"endchoice\n"
		"config X\n\tbool \"x\"\n\tdepends on F2 || F3\n",
		NULL, "X=y", NULL, 0);
	assert_int_equal(cl->nchanges, 2);
	assert_non_null(cl->changes[0].choice ? cl->changes[0].choice : cl->changes[1].choice);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__choice_on_6_1(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.1",
		"choice\n\tprompt \"family\"\n\tdefault F1\n"
		"config F1\n\tbool \"one\"\nconfig F2\n\tbool \"two\"\n"
		"endchoice\n"
		"config X\n\tbool \"x\"\n\tdepends on F2\n",
		NULL, "X=y", "F2=y X=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__visible_if_and_if_block(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12",
		"config EXPERT\n\tbool \"expert\"\n"
		"config G\n\tbool \"g\"\n"
		"menu \"M\"\n\tvisible if EXPERT\n"
		"if G\nconfig IN\n\tbool \"in\"\nendif\n"
		"endmenu\n",
		NULL, "IN=y", "EXPERT=y G=y IN=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__tristate_and_modules(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* m needs MODULES; a bool depending on a module is limited */
	cl = solve(&fx, "6.12",
		"config MODULES\n\tbool \"modules\"\n\tmodules\n"
		"config T\n\ttristate \"t\"\n",
		NULL, "T=m", "MODULES=y T=m", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__int_range_in_dependency(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* NR is 8 by default; B depends on NR > 4 and A */
	cl = solve(&fx, "6.12",
		"config NR\n\tint \"nr\"\n\trange 1 64\n\tdefault 8\n"
		"config A\n\tbool \"a\"\n"
		"config B\n\tbool \"b\"\n\tdepends on NR > 4 && A\n",
		NULL, "B=y", "A=y B=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__defined_twice(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* T is visible through either definition; the second is cheaper */
	cl = solve(&fx, "6.12",
		"config A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\nconfig C\n\tbool \"c\"\n"
		"config T\n\tbool \"t\"\n\tdepends on A && B\n"
		"config T\n\tbool \"t again\"\n\tdepends on C\n",
		NULL, "T=y", "C=y T=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__impossible_is_explained(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* 64BIT is fixed by the "architecture" (no prompt, default n) */
	cl = solve(&fx, "6.12",
		"config 64BIT\n\tdef_bool n\n"
		"config PV\n\tbool \"64-bit PV\"\n\tdepends on 64BIT\n"
		"config OK\n\tbool \"ok\"\n",
		NULL, "PV=y OK=y", "OK=y", 1);
	assert_string_equal(cl->unmet[0].target->sym->name, "PV");
	assert_int_equal(cl->unmet[0].cause, KX_CAUSE_FIXED);
	assert_true(cl->unmet[0].nchain >= 1);
	assert_int_equal(cl->unmet[0].chain[0].line, 5);
	assert_non_null(strstr(cl->unmet[0].chain[0].text, "64BIT"));
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__conflicting_targets(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12",
		"config A\n\tbool \"a\"\n"
		"config NOT_A\n\tbool \"not a\"\n\tdepends on !A\n",
		NULL, "A=y NOT_A=y", NULL, 1);
	assert_int_equal(cl->unmet[0].cause, KX_CAUSE_CONFLICT);
	assert_non_null(cl->unmet[0].conflict_with);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__already_holds(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12", "config A\n\tbool \"a\"\n\tdefault y\n",
		   NULL, "A=y", "", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static const char values_kconfig[] =
	"config A\n\tbool \"a\"\n"
	"config B\n\tbool \"b\"\n"
	"config S\n\tstring \"s\"\n\tdepends on A\n"
	"config N\n\tint \"n\"\n\trange 1 64\n\tdefault 8\n\tdepends on B\n"
	"config H\n\thex \"h\"\n\tdefault 0x10\n";

static void test_solve__string_int_hex_values(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* each value needs its prompt visible, then the value itself; a
	 * fragment's string keeps conf's quoting and escapes */
	cl = solve(&fx, "6.12", values_kconfig, NULL,
		   "S=\"x\\\"y\" N=12 H=0x20", "A=y B=y H=0x20 N=12 S=x\"y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__value_from_default_needs_no_change(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* N=8 is its default once visible: only B changes */
	cl = solve(&fx, "6.12", values_kconfig, NULL, "N=8", "B=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
	/* an invisible string is "": that already holds */
	cl = solve(&fx, "6.12", values_kconfig, NULL, "S=\"\"", "", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

static void test_solve__value_out_of_range_or_invalid(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12", values_kconfig, NULL, "N=100 A=y", "A=y", 1);
	assert_string_equal(cl->unmet[0].target->sym->name, "N");
	assert_int_equal(cl->unmet[0].cause, KX_CAUSE_FIXED);
	assert_non_null(strstr(cl->unmet[0].chain[0].text, "outside its range"));
	kx_closure_free(cl);
	fx_free(&fx);
	cl = solve(&fx, "6.12", values_kconfig, NULL, "H=zz", "", 1);
	assert_non_null(strstr(cl->unmet[0].chain[0].text, "not a valid hex value"));
	kx_closure_free(cl);
	fx_free(&fx);
}

/* NR_CPUS's shape: the range's end is an unprompted int whose defaults
 * move with options; one of them needs a debug option to be visible */
static const char moving_range_kconfig[] =
	"config SMP\n\tbool \"smp\"\n\tdefault y\n"
	"config DEBUG\n\tbool \"debug\"\n"
	"config OFFSTACK\n\tbool \"offstack\" if DEBUG\n"
	"config END\n\tint\n\tdefault 8192 if SMP && OFFSTACK\n"
	"\tdefault 512 if SMP\n\tdefault 1\n"
	"config BEGIN\n\tint\n\tdefault END if MAX\n\tdefault 1 if !SMP\n"
	"\tdefault 2\n"
	"config MAX\n\tbool \"max\"\n\tdepends on DEBUG\n\tselect OFFSTACK\n"
	"config NR\n\tint \"nr\"\n\trange BEGIN END\n\tdefault 64\n"
	"config ADDR\n\thex \"addr\"\n\trange 0x1000 HEXEND\n\tdefault 0x1000\n"
	"config HEXEND\n\thex\n\tdefault 0xffff if DEBUG\n\tdefault 0x1fff\n";

static void test_solve__range_bounds_move_with_options(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	/* 1000 > 512: the end must move, through OFFSTACK (and DEBUG for
	 * its prompt); the natural route, not MAX's select */
	cl = solve(&fx, "6.12", moving_range_kconfig, NULL, "NR=1000",
		   "DEBUG=y NR=1000 OFFSTACK=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
	/* within the base range: only the value */
	cl = solve(&fx, "6.12", moving_range_kconfig, NULL, "NR=500", "NR=500", 0);
	kx_closure_free(cl);
	fx_free(&fx);
	/* a hex bound read in base 16 */
	cl = solve(&fx, "6.12", moving_range_kconfig, NULL, "ADDR=0x8000",
		   "ADDR=0x8000 DEBUG=y", 0);
	kx_closure_free(cl);
	fx_free(&fx);
	/* beyond every reachable end: impossible, proven by the search */
	cl = solve(&fx, "6.12", moving_range_kconfig, NULL, "NR=9000", "", 1);
	assert_int_equal(cl->unmet[0].cause, KX_CAUSE_CONFLICT);
	assert_non_null(strstr(cl->unmet[0].chain[0].text, "outside its range"));
	kx_closure_free(cl);
	fx_free(&fx);
	/* 1 < BEGIN (2) unless SMP is off; then the range is [1 1] and conf
	 * clamps the default (64) to 1: no value needs to be written */
	cl = solve(&fx, "6.12", moving_range_kconfig, NULL, "NR=1", "SMP=n", 0);
	kx_closure_free(cl);
	fx_free(&fx);
}

/* a bound with a prompt is held at its value: a value beyond it is "not
 * found", never claimed impossible */
static void test_solve__prompted_bound_is_not_a_proof(void **state)
{
	struct fx fx;
	struct kx_closure *cl;

	(void)state;
	cl = solve(&fx, "6.12",
		"config LIMIT\n\tint \"limit\"\n\tdefault 10\n"
		"config N\n\tint \"n\"\n\trange 0 LIMIT\n\tdefault 1\n",
		NULL, "N=20", "", 1);
	assert_int_equal(cl->unmet[0].cause, KX_CAUSE_NOT_FOUND);
	assert_non_null(strstr(cl->unmet[0].chain[0].text, "set it first"));
	kx_closure_free(cl);
	fx_free(&fx);
}

/* a dependency on an int comparison: the search holds NR at 2, so B is
 * "not found" (NR=5 would do), never claimed impossible */
static void test_solve__frozen_comparison_is_not_a_proof(void **state)
{
	struct fx fx;
	struct kx_closure *cl;
	const struct kx_unmet *u;

	(void)state;
	cl = solve(&fx, "6.12",
		"config NR\n\tint \"nr\"\n\tdefault 2\n"
		"config B\n\tbool \"b\"\n\tdepends on NR > 4\n",
		NULL, "B=y", "", 1);
	u = &cl->unmet[0];
	assert_int_equal(u->cause, KX_CAUSE_NOT_FOUND);
	assert_string_equal(u->chain[u->nchain - 1].sym->name, "NR");
	assert_non_null(strstr(u->chain[u->nchain - 1].text, "set it first"));
	kx_closure_free(cl);
	fx_free(&fx);
}

/* only selects reach Q: the answer takes one side road (S1), not two
 * (S2, which needs S3), whichever the tree defines first */
static void test_solve__fewest_side_roads(void **state)
{
	static const char *const trees[] = {
		"config S3\n\tbool \"s3\"\n"
		"config S2\n\tbool \"s2\"\n\tdepends on S3\n\tselect Q\n"
		"config W\n\tbool \"w\"\n\tdepends on S3\n"
		"config S1\n\tbool \"s1\"\n\tselect Q\n"
		"config Q\n\tbool\n"
		"config T\n\tbool \"t\"\n\tdepends on Q && !W\n",
		"config S1\n\tbool \"s1\"\n\tselect Q\n"
		"config S3\n\tbool \"s3\"\n"
		"config S2\n\tbool \"s2\"\n\tdepends on S3\n\tselect Q\n"
		"config Q\n\tbool\n"
		"config T\n\tbool \"t\"\n\tdepends on Q\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(*trees); i++) {
		struct fx fx;
		struct kx_closure *cl = solve(&fx, "6.12", trees[i], NULL, "T=y",
					      "S1=y T=y", 0);

		kx_closure_free(cl);
		fx_free(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solve__dependency_chain),
		cmocka_unit_test(test_solve__keeps_base_values),
		cmocka_unit_test(test_solve__select_instead_of_prompt),
		cmocka_unit_test(test_solve__imply_default),
		cmocka_unit_test(test_solve__choice_member_needed),
		cmocka_unit_test(test_solve__choice_on_6_1),
		cmocka_unit_test(test_solve__visible_if_and_if_block),
		cmocka_unit_test(test_solve__tristate_and_modules),
		cmocka_unit_test(test_solve__int_range_in_dependency),
		cmocka_unit_test(test_solve__defined_twice),
		cmocka_unit_test(test_solve__impossible_is_explained),
		cmocka_unit_test(test_solve__conflicting_targets),
		cmocka_unit_test(test_solve__already_holds),
		cmocka_unit_test(test_solve__string_int_hex_values),
		cmocka_unit_test(test_solve__value_from_default_needs_no_change),
		cmocka_unit_test(test_solve__value_out_of_range_or_invalid),
		cmocka_unit_test(test_solve__range_bounds_move_with_options),
		cmocka_unit_test(test_solve__prompted_bound_is_not_a_proof),
		cmocka_unit_test(test_solve__fewest_side_roads),
		cmocka_unit_test(test_solve__frozen_comparison_is_not_a_proof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
