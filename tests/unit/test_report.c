// SPDX-License-Identifier: MIT
/*
 * test_report.c - the one renderer of targets that cannot hold
 * (cli/report.c: kx_unmet_text, kx_unmet_json), linked from the cli
 * objects (build/libkxcli.a).
 *
 * Checked, on exact text: each cause's words, the conflict line, the chain
 * with and without file:line, the origin only when asked for; the JSON of
 * the same entries, and that a closure's JSON carries exactly that array;
 * and a real closure's impossible target (a prompt that depends on a
 * symbol without one) rendered both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzer/solve.h"
#include "cli/report.h"
#include "helpers/fixture.h"

static const char tree[] =
	"config 64BIT\n\tbool\n"
	"config XEN\n\tbool \"Xen\"\n"
	"config XEN_PV\n\tbool \"PV\"\n\tdepends on XEN && 64BIT\n"
	"config LEFT\n\tbool \"left\"\n\tdepends on !RIGHT\n"
	"config RIGHT\n\tbool \"right\"\n";

static struct kx_sym *sym(struct fx *fx, const char *name)
{
	struct kx_sym *s = kx_sym_find(fx->kc, name);

	assert_non_null(s);
	return s;
}

/* three hand-made entries: fixed (with a chain), conflict, unknown */
struct entries {
	struct kx_target t[3];
	struct kx_blocker chain[2];
	struct kx_unmet u[3];
};

static void entries(struct fx *fx, struct entries *e)
{
	memset(e, 0, sizeof(*e));
	e->t[0] = (struct kx_target){ sym(fx, "XEN_PV"), "y", "profile.config", false };
	e->t[1] = (struct kx_target){ sym(fx, "LEFT"), "y", NULL, false };
	e->t[2] = (struct kx_target){ sym(fx, "XEN"), "m", "command line", false };
	e->chain[0] = (struct kx_blocker){ sym(fx, "XEN_PV"), "y", "Kconfig", 5,
					   (char *)"depends on 64BIT [=n]", false };
	e->chain[1] = (struct kx_blocker){ sym(fx, "64BIT"), "y", NULL, 0,
					   (char *)"has no prompt", true };
	e->u[0] = (struct kx_unmet){ &e->t[0], KX_CAUSE_FIXED, e->chain, 2, NULL };
	e->u[1] = (struct kx_unmet){ &e->t[1], KX_CAUSE_CONFLICT, NULL, 0,
				     (char *)"RIGHT=y" };
	e->u[2] = (struct kx_unmet){ &e->t[2], KX_CAUSE_NONE, NULL, 0, NULL };
}

static void test_report__unmet_text(void **state)
{
	struct fx fx;
	struct entries e;
	struct kx_buf b = KX_BUF_INIT;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12", tree), 0);
	entries(&fx, &e);
	kx_unmet_text(&b, e.u, 3, false);
	assert_string_equal(kx_buf_cstr(&b),
		"  XEN_PV=y (fixed by the architecture or toolchain)\n"
		"    XEN_PV depends on 64BIT [=n]  (Kconfig:5)\n"
		"    64BIT has no prompt\n"
		"  LEFT=y (excluded by other targets or choices)\n"
		"    conflicts with: RIGHT=y\n"
		"  XEN=m (cause unknown)\n");
	kx_buf_free(&b);
	/* with the origin, where a target has one */
	kx_unmet_text(&b, e.u, 3, true);
	assert_string_equal(kx_buf_cstr(&b),
		"  XEN_PV=y (fixed by the architecture or toolchain; from profile.config)\n"
		"    XEN_PV depends on 64BIT [=n]  (Kconfig:5)\n"
		"    64BIT has no prompt\n"
		"  LEFT=y (excluded by other targets or choices)\n"
		"    conflicts with: RIGHT=y\n"
		"  XEN=m (cause unknown; from command line)\n");
	kx_buf_free(&b);
	/* none: nothing */
	kx_unmet_text(&b, e.u, 0, true);
	assert_string_equal(kx_buf_cstr(&b), "");
	kx_buf_free(&b);
	fx_free(&fx);
}

static void test_report__unmet_json(void **state)
{
	struct fx fx;
	struct entries e;
	struct kx_buf b = KX_BUF_INIT;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12", tree), 0);
	entries(&fx, &e);
	kx_unmet_json(&b, e.u, 3);
	assert_string_equal(kx_buf_cstr(&b),
		"[{\"symbol\":\"XEN_PV\",\"value\":\"y\",\"cause\":\"fixed\","
		"\"conflicts_with\":null,\"chain\":["
		"{\"symbol\":\"XEN_PV\",\"needs\":\"y\",\"reason\":\"depends on 64BIT [=n]\","
		"\"file\":\"Kconfig\",\"line\":5,\"fixed\":false},"
		"{\"symbol\":\"64BIT\",\"needs\":\"y\",\"reason\":\"has no prompt\","
		"\"file\":null,\"line\":0,\"fixed\":true}]},"
		"{\"symbol\":\"LEFT\",\"value\":\"y\",\"cause\":\"conflict\","
		"\"conflicts_with\":\"RIGHT=y\",\"chain\":[]},"
		"{\"symbol\":\"XEN\",\"value\":\"m\",\"cause\":\"unknown\","
		"\"conflicts_with\":null,\"chain\":[]}]");
	kx_buf_free(&b);
	kx_unmet_json(&b, e.u, 0);
	assert_string_equal(kx_buf_cstr(&b), "[]");
	kx_buf_free(&b);
	fx_free(&fx);
}

/* a real closure: the renderer's text, and the closure JSON's "unmet" */
static void test_report__closure_unmet_both_ways(void **state)
{
	struct fx fx;
	struct kx_target t[2] = { { 0 } };
	struct kx_closure *cl = NULL;
	struct kx_buf text = KX_BUF_INIT, json = KX_BUF_INIT, arr = KX_BUF_INIT;
	char *want;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12", tree), 0);
	assert_int_equal(fx_read_config(&fx, ""), 0);
	assert_int_equal(fx_targets(&fx, "XEN=y XEN_PV=y", t), 2);
	assert_int_equal(kx_closure_solve(&cl, fx.kc, t, 2, NULL), 0);
	assert_int_equal(cl->nunmet, 1);
	kx_unmet_text(&text, cl->unmet, cl->nunmet, false);
	assert_non_null(strstr(kx_buf_cstr(&text),
			       "  XEN_PV=y (fixed by the architecture or toolchain)\n"
			       "    XEN_PV depends on 64BIT [=n]  (Kconfig:"));
	kx_unmet_json(&arr, cl->unmet, cl->nunmet);
	assert_non_null(strstr(kx_buf_cstr(&arr),
			       "[{\"symbol\":\"XEN_PV\",\"value\":\"y\",\"cause\":\"fixed\""));
	kx_closure_json(NULL, &json, cl, t, 2);
	want = kx_xasprintf(",\"unmet\":%s,\"verified\":", kx_buf_cstr(&arr));
	assert_non_null(strstr(kx_buf_cstr(&json), want));
	free(want);
	kx_buf_free(&text);
	kx_buf_free(&json);
	kx_buf_free(&arr);
	kx_closure_free(cl);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__unmet_text),
		cmocka_unit_test(test_report__unmet_json),
		cmocka_unit_test(test_report__closure_unmet_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
