// SPDX-License-Identifier: MIT
/*
 * test_check.c - kx_check (analyzer/check.c): a configuration against a
 * profile, item by item.
 *
 * The tree is a miniature Xen guest: XEN, two tristate frontends that
 * depend on it, a PV mode that needs 64BIT (which has no prompt and is off:
 * fixed), a balloon driver, and two options that exclude each other.  The
 * profiles are built here, item by item, with their levels.  Checked: every
 * verdict (holds, holds as a module, fixable, cannot hold, not in the tree),
 * the initramfs rule (m satisfies a y only with it, only for tristates,
 * never n), the decision (only required items of the tree fail the check),
 * the reasons, the closure of the failing items and the causes of those
 * that cannot hold, and that the checked configuration is still loaded
 * afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzer/check.h"
#include "analyzer/eval.h"
#include "helpers/fixture.h"

static const char tree[] =
	"config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	"config 64BIT\n\tbool\n"
	"config XEN\n\tbool \"Xen guest support\"\n"
	"config XEN_BLKDEV_FRONTEND\n\ttristate \"block frontend\"\n\tdepends on XEN\n"
	"config XEN_NETDEV_FRONTEND\n\ttristate \"net frontend\"\n\tdepends on XEN\n"
	"config XEN_PV\n\tbool \"PV guest\"\n\tdepends on XEN && 64BIT\n"
	"config XEN_BALLOON\n\tbool \"balloon\"\n\tdepends on XEN\n"
	"config LEFT\n\tbool \"left\"\n\tdepends on !RIGHT\n"
	"config RIGHT\n\tbool \"right\"\n";

/* a profile item: "NAME=VALUE" at a level */
struct item {
	const char *spec;
	enum kx_level level;
};

struct checked {
	struct fx fx;
	struct kx_profile prof;
	struct kx_check_result r;
};

/* Loads the tree with 'config', checks it against 'items' (NULL-ended). */
static void check(struct checked *c, const char *config, const struct item *items,
		  bool initramfs)
{
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	assert_int_equal(fx_load1(&c->fx, "6.12", tree), 0);
	assert_int_equal(fx_read_config(&c->fx, config), 0);
	while (items[n].spec)
		n++;
	c->prof.v = kx_xcalloc(n + 1, sizeof(*c->prof.v));
	c->prof.n = n;
	c->prof.name = kx_xstrdup("test");
	c->prof.arch = "x86_64";
	for (size_t i = 0; i < n; i++) {
		struct kx_req *q = &c->prof.v[i];
		const char *eq = strchr(items[i].spec, '=');

		q->name = kx_xstrndup(items[i].spec, (size_t)(eq - items[i].spec));
		q->value = kx_xstrdup(eq + 1);
		q->level = items[i].level;
		q->file = kx_xstrdup("test.config");
		q->line = (int)i + 1;
		q->sym = kx_sym_find(c->fx.kc, q->name);
	}
	{
		struct kx_check_in in = { c->fx.kc, &c->prof, initramfs };

		assert_int_equal(kx_check(&in, &c->r), 0);
	}
	assert_int_equal(c->r.nitems, n);
}

static void done(struct checked *c)
{
	kx_check_result_free(&c->r);
	kx_profile_free(&c->prof);
	fx_free(&c->fx);
}

static const struct kx_check_item *item(struct checked *c, const char *name)
{
	for (size_t i = 0; i < c->r.nitems; i++)
		if (!strcmp(c->r.items[i].req->name, name))
			return &c->r.items[i];
	fail_msg("no item %s", name);
	return NULL;
}

static const struct item frontends[] = {
	{ "XEN=y", KX_LEVEL_REQUIRED },
	{ "XEN_BLKDEV_FRONTEND=y", KX_LEVEL_REQUIRED },
	{ "XEN_NETDEV_FRONTEND=y", KX_LEVEL_REQUIRED },
	{ "XEN_BALLOON=y", KX_LEVEL_RECOMMENDED },
	{ NULL, 0 }
};

static void test_check__everything_holds(void **state)
{
	struct checked c;

	(void)state;
	check(&c, "CONFIG_XEN=y\nCONFIG_XEN_BLKDEV_FRONTEND=y\n"
		  "CONFIG_XEN_NETDEV_FRONTEND=y\nCONFIG_XEN_BALLOON=y\n", frontends, false);
	assert_true(c.r.ok);
	for (size_t i = 0; i < c.r.nitems; i++) {
		assert_int_equal(c.r.items[i].verdict, KX_VERDICT_HOLDS);
		assert_null(c.r.items[i].reason);
	}
	assert_int_equal(c.r.total[KX_LEVEL_REQUIRED], 3);
	assert_int_equal(c.r.held[KX_LEVEL_REQUIRED], 3);
	assert_int_equal(c.r.total[KX_LEVEL_RECOMMENDED], 1);
	assert_int_equal(c.r.held[KX_LEVEL_RECOMMENDED], 1);
	assert_int_equal(c.r.missing_required, 0);
	assert_int_equal(c.r.ntargets, 0);
	assert_null(c.r.fix);
	done(&c);
}

/* a required item that does not hold fails the check; the fix is found */
static void test_check__missing_required_fails_with_fix(void **state)
{
	struct checked c;
	const struct kx_check_item *it;

	(void)state;
	check(&c, "CONFIG_XEN=n\n", frontends, false);
	assert_false(c.r.ok);
	assert_int_equal(c.r.missing_required, 3);
	assert_int_equal(c.r.held[KX_LEVEL_REQUIRED], 0);
	assert_int_equal(c.r.held[KX_LEVEL_RECOMMENDED], 0);
	assert_int_equal(c.r.ntargets, 4);
	it = item(&c, "XEN_BLKDEV_FRONTEND");
	assert_int_equal(it->verdict, KX_VERDICT_FIXABLE);
	assert_non_null(it->reason);
	assert_non_null(strstr(it->reason, "depends on XEN [=n]"));
	assert_null(it->unmet);
	/* one closure for all: XEN and the three it enables */
	assert_non_null(c.r.fix);
	assert_int_equal(c.r.fix->nunmet, 0);
	assert_int_equal(c.r.fix->nchanges, 4);
	/* the checked configuration is loaded again */
	assert_string_equal(fx_value(&c.fx, "XEN"), "n");
	done(&c);
}

/* only required items decide: a failing recommended one does not */
static void test_check__recommended_does_not_fail(void **state)
{
	struct checked c;

	(void)state;
	check(&c, "CONFIG_XEN=y\nCONFIG_XEN_BLKDEV_FRONTEND=y\nCONFIG_XEN_NETDEV_FRONTEND=y\n",
	      frontends, false);
	assert_true(c.r.ok);
	assert_int_equal(item(&c, "XEN_BALLOON")->verdict, KX_VERDICT_FIXABLE);
	assert_int_equal(c.r.held[KX_LEVEL_RECOMMENDED], 0);
	assert_int_equal(c.r.ntargets, 1);
	assert_non_null(c.r.fix);
	assert_int_equal(c.r.fix->nchanges, 1);
	done(&c);
}

/* m does not satisfy a required y... */
static void test_check__module_is_not_y(void **state)
{
	struct checked c;
	const struct kx_check_item *it;

	(void)state;
	check(&c, "CONFIG_XEN=y\nCONFIG_XEN_BLKDEV_FRONTEND=m\nCONFIG_XEN_NETDEV_FRONTEND=y\n"
		  "CONFIG_XEN_BALLOON=y\n", frontends, false);
	assert_false(c.r.ok);
	assert_int_equal(c.r.missing_required, 1);
	it = item(&c, "XEN_BLKDEV_FRONTEND");
	assert_int_equal(it->verdict, KX_VERDICT_FIXABLE);
	assert_non_null(strstr(it->reason, "it is m"));
	assert_int_equal(c.r.held[KX_LEVEL_REQUIRED], 2);
	done(&c);
}

/* ... unless an initramfs loads modules: then it holds as a module */
static void test_check__initramfs_module_counts_as_y(void **state)
{
	struct checked c;
	const struct kx_check_item *it;

	(void)state;
	check(&c, "CONFIG_XEN=y\nCONFIG_XEN_BLKDEV_FRONTEND=m\nCONFIG_XEN_NETDEV_FRONTEND=m\n"
		  "CONFIG_XEN_BALLOON=y\n", frontends, true);
	assert_true(c.r.ok);
	it = item(&c, "XEN_BLKDEV_FRONTEND");
	assert_int_equal(it->verdict, KX_VERDICT_HOLDS_AS_MODULE);
	assert_null(it->reason);
	assert_int_equal(item(&c, "XEN")->verdict, KX_VERDICT_HOLDS);
	assert_int_equal(c.r.held[KX_LEVEL_REQUIRED], 3);
	assert_int_equal(c.r.ntargets, 0);
	assert_null(c.r.fix);
	done(&c);
}

/* the initramfs rule is about m for y only: n and bools still fail */
static void test_check__initramfs_does_not_excuse_n(void **state)
{
	static const struct item items[] = {
		{ "XEN_BLKDEV_FRONTEND=y", KX_LEVEL_REQUIRED },
		{ "XEN_NETDEV_FRONTEND=m", KX_LEVEL_REQUIRED },
		{ "XEN_BALLOON=y", KX_LEVEL_REQUIRED },
		{ NULL, 0 }
	};
	struct checked c;

	(void)state;
	/* NETDEV y where m is asked: not the initramfs rule's business */
	check(&c, "CONFIG_XEN=y\nCONFIG_XEN_NETDEV_FRONTEND=y\n", items, true);
	assert_false(c.r.ok);
	assert_int_equal(item(&c, "XEN_BLKDEV_FRONTEND")->verdict, KX_VERDICT_FIXABLE);
	assert_int_equal(item(&c, "XEN_NETDEV_FRONTEND")->verdict, KX_VERDICT_FIXABLE);
	assert_int_equal(item(&c, "XEN_BALLOON")->verdict, KX_VERDICT_FIXABLE);
	assert_int_equal(c.r.missing_required, 3);
	done(&c);
}

/* an item that cannot hold: its verdict, cause and chain from the closure */
static void test_check__unmet_with_cause(void **state)
{
	static const struct item items[] = {
		{ "XEN=y", KX_LEVEL_REQUIRED },
		{ "XEN_PV=y", KX_LEVEL_REQUIRED },
		{ NULL, 0 }
	};
	struct checked c;
	const struct kx_check_item *it;

	(void)state;
	check(&c, "CONFIG_XEN=n\n", items, false);
	assert_false(c.r.ok);
	assert_int_equal(item(&c, "XEN")->verdict, KX_VERDICT_FIXABLE);
	it = item(&c, "XEN_PV");
	assert_int_equal(it->verdict, KX_VERDICT_UNMET);
	assert_non_null(it->reason);
	assert_non_null(it->unmet);
	assert_int_equal(it->unmet->cause, KX_CAUSE_FIXED);
	assert_ptr_equal(it->unmet->target->sym, it->req->sym);
	assert_true(it->unmet->nchain > 0);
	assert_non_null(c.r.fix);
	assert_int_equal(c.r.fix->nunmet, 1);
	/* XEN itself can still be had */
	assert_int_equal(c.r.fix->nchanges, 1);
	assert_string_equal(c.r.fix->changes[0].sym->name, "XEN");
	done(&c);
}

/* two items that exclude each other: a conflict, not something fixed */
static void test_check__conflict_cause(void **state)
{
	static const struct item items[] = {
		{ "LEFT=y", KX_LEVEL_RECOMMENDED },
		{ "RIGHT=y", KX_LEVEL_RECOMMENDED },
		{ NULL, 0 }
	};
	struct checked c;
	size_t unmet = 0;

	(void)state;
	check(&c, "", items, false);
	assert_true(c.r.ok);	/* recommended items only */
	assert_non_null(c.r.fix);
	assert_true(c.r.fix->nunmet >= 1);
	for (size_t i = 0; i < c.r.nitems; i++) {
		if (c.r.items[i].verdict != KX_VERDICT_UNMET)
			continue;
		unmet++;
		assert_int_equal(c.r.items[i].unmet->cause, KX_CAUSE_CONFLICT);
	}
	assert_int_equal(unmet, c.r.fix->nunmet);
	done(&c);
}

/* an item the tree lacks is listed, counted, and does not fail the check */
static void test_check__not_in_tree(void **state)
{
	static const struct item items[] = {
		{ "XEN=y", KX_LEVEL_REQUIRED },
		{ "XEN_GONE=y", KX_LEVEL_REQUIRED },
		{ NULL, 0 }
	};
	struct checked c;
	const struct kx_check_item *it;

	(void)state;
	check(&c, "CONFIG_XEN=y\n", items, false);
	assert_true(c.r.ok);
	it = item(&c, "XEN_GONE");
	assert_int_equal(it->verdict, KX_VERDICT_NOT_IN_TREE);
	assert_null(it->reason);
	assert_int_equal(c.r.total[KX_LEVEL_REQUIRED], 2);
	assert_int_equal(c.r.held[KX_LEVEL_REQUIRED], 1);
	assert_int_equal(c.r.ntargets, 0);
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check__everything_holds),
		cmocka_unit_test(test_check__missing_required_fails_with_fix),
		cmocka_unit_test(test_check__recommended_does_not_fail),
		cmocka_unit_test(test_check__module_is_not_y),
		cmocka_unit_test(test_check__initramfs_module_counts_as_y),
		cmocka_unit_test(test_check__initramfs_does_not_excuse_n),
		cmocka_unit_test(test_check__unmet_with_cause),
		cmocka_unit_test(test_check__conflict_cause),
		cmocka_unit_test(test_check__not_in_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
