// SPDX-License-Identifier: MIT
/*
 * test_prune.c - kx_prune on a small tree with hardware and Xen menus.
 *
 * The tree has a "Device Drivers" menu with network (Ethernet under
 * drivers/net/ethernet), storage (drivers/ata) and PCI (drivers/pci, which
 * also holds the Xen PCI frontend, as in Linux) and a Xen menu.  The policy
 * prunes the three hardware directories.  Checked: the hardware goes
 * (built-in and modules), what the policy does not name stays, an option
 * selected by something kept stays (and is reported as kept), the profile's
 * closure puts back what it needs even when the policy named it, and the
 * counts per menu and in total add up.
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
#include "analyzer/profile.h"
#include "analyzer/prune.h"
#include "analyzer/solve.h"
#include "helpers/fixture.h"

static const struct fx_file tree[] = {
	{ "Kconfig",
	  "config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	  "source \"drivers/Kconfig\"\n" },
	{ "drivers/Kconfig",
	  "menu \"Device Drivers\"\n"
	  "source \"drivers/net/Kconfig\"\n"
	  "source \"drivers/ata/Kconfig\"\n"
	  "source \"drivers/pci/Kconfig\"\n"
	  "source \"drivers/xen/Kconfig\"\n"
	  "endmenu\n" },
	{ "drivers/net/Kconfig",
	  "menuconfig NETDEVICES\n\tbool \"Network device support\"\n\tdefault y\n"
	  "if NETDEVICES\n"
	  "config XEN_NETFRONT\n\ttristate \"Xen network frontend\"\n"
	  "\tdepends on XEN\n\tselect MII\n"
	  "source \"drivers/net/ethernet/Kconfig\"\n"
	  "endif\n" },
	{ "drivers/net/ethernet/Kconfig",
	  "config MII\n\ttristate \"MII\"\n"
	  "config E1000\n\ttristate \"Intel e1000\"\n\tdepends on PCI\n"
	  "config R8169\n\ttristate \"Realtek 8169\"\n\tdepends on PCI\n" },
	{ "drivers/ata/Kconfig",
	  "menuconfig ATA\n\ttristate \"Serial ATA\"\n"
	  "config SATA_AHCI\n\ttristate \"AHCI\"\n\tdepends on ATA && PCI\n" },
	{ "drivers/pci/Kconfig",
	  "config PCI\n\tbool \"PCI support\"\n"
	  "config XEN_PCIFRONT\n\ttristate \"Xen PCI frontend\"\n"
	  "\tdepends on PCI && XEN\n" },
	{ "drivers/xen/Kconfig",
	  "menu \"Xen driver support\"\n"
	  "config XEN\n\tbool \"Xen guest support\"\n"
	  "config XEN_BALLOON\n\tbool \"Xen balloon\"\n\tdepends on XEN\n"
	  "config XEN_PCI_QUIRKS\n\tbool \"Xen PCI quirks\"\n\tdepends on XEN && PCI\n"
	  "endmenu\n" },
	{ NULL, NULL }
};

static const char policy[] =
	"# test policy\n"
	"prune drivers/net/ethernet\n"
	"prune drivers/ata\n"
	"prune drivers/pci\n";

static const char base[] =
	"CONFIG_MODULES=y\n"
	"CONFIG_NETDEVICES=y\n"
	"CONFIG_XEN=y\n"
	"CONFIG_XEN_BALLOON=y\n"
	"CONFIG_XEN_NETFRONT=y\n"
	"CONFIG_MII=y\n"
	"CONFIG_E1000=y\n"
	"CONFIG_R8169=m\n"
	"CONFIG_ATA=y\n"
	"CONFIG_SATA_AHCI=m\n"
	"CONFIG_PCI=y\n"
	"CONFIG_XEN_PCIFRONT=y\n"
	"CONFIG_XEN_PCI_QUIRKS=y\n";

static const char *value(struct fx *fx, const char *name)
{
	struct kx_sym *s = kx_sym_find(fx->kc, name);

	assert_non_null(s);
	kx_sym_calc_value(fx->kc, s);
	return kx_sym_string_value(fx->kc, s);
}

static bool in_list(struct kx_sym **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return true;
	return false;
}

/* prunes 'base' with the targets "A=y B=y" (NULL: none) */
static void prune(struct fx *fx, const char *targets, struct kx_prune_result *res)
{
	struct kx_prune_policy pol;
	struct kx_target t[8] = { { 0 } };
	size_t nt = 0;
	char *path, *text;

	assert_int_equal(fx_load(fx, "6.12", tree), 0);
	fx_write(fx, "policy.conf", policy);
	path = kx_xasprintf("%s/policy.conf", fx->dir);
	assert_int_equal(kx_prune_policy_load(&pol, path, &fx->diags), 0);
	free(path);
	assert_int_equal(fx_read_config(fx, base), 0);
	text = kx_conf_text(&fx->io);
	kx_conf_load_text(&fx->io, "base", text);
	free(text);
	nt = fx_targets(fx, targets, t);
	for (size_t i = 0; i < nt; i++)
		assert_non_null(t[i].sym);
	memset(res, 0, sizeof(*res));
	assert_int_equal(kx_prune(&fx->io, &pol, t, nt, res), 0);
	kx_prune_policy_free(&pol);
	/* the result is loaded: read it back as a .config to be sure */
	kx_conf_load_text(&fx->io, "pruned", res->config_text);
}

static void test_prune__hardware_goes_the_rest_stays(void **state)
{
	struct fx fx;
	struct kx_prune_result res;

	(void)state;
	prune(&fx, "XEN_NETFRONT=y", &res);
	/* hardware, built in and modules */
	assert_string_equal(value(&fx, "E1000"), "n");
	assert_string_equal(value(&fx, "R8169"), "n");
	assert_string_equal(value(&fx, "ATA"), "n");
	assert_string_equal(value(&fx, "SATA_AHCI"), "n");
	assert_true(in_list(res.pruned, res.npruned, "E1000"));
	assert_true(in_list(res.pruned, res.npruned, "R8169"));
	assert_true(in_list(res.pruned, res.npruned, "SATA_AHCI"));
	/* not named by the policy */
	assert_string_equal(value(&fx, "XEN"), "y");
	assert_string_equal(value(&fx, "XEN_BALLOON"), "y");
	assert_string_equal(value(&fx, "NETDEVICES"), "y");
	assert_string_equal(value(&fx, "XEN_NETFRONT"), "y");
	/* hardware, but selected by a kept frontend: stays, and is said to */
	assert_string_equal(value(&fx, "MII"), "y");
	assert_false(in_list(res.pruned, res.npruned, "MII"));
	assert_true(in_list(res.kept, res.nkept, "MII"));
	/* the profile did not ask for PCI: the policy's directory goes */
	assert_string_equal(value(&fx, "PCI"), "n");
	assert_string_equal(value(&fx, "XEN_PCIFRONT"), "n");
	/* counts: 11 y and 2 m before (MODULES included) */
	assert_int_equal(res.y_before, 11);
	assert_int_equal(res.m_before, 2);
	assert_int_equal(res.y_after, 6);	/* MODULES NETDEVICES XEN BALLOON NETFRONT MII */
	assert_int_equal(res.m_after, 0);
	/* per menu: every option counted once, in the menu it sits in */
	{
		unsigned yb = 0, ya = 0, mb = 0, ma = 0;
		const struct kx_prune_group *net = NULL;

		for (size_t i = 0; i < res.ngroups; i++) {
			yb += res.groups[i].y_before;
			ya += res.groups[i].y_after;
			mb += res.groups[i].m_before;
			ma += res.groups[i].m_after;
			if (!strcmp(res.groups[i].menu, "Device Drivers -> Network device support"))
				net = &res.groups[i];
		}
		assert_int_equal(yb, res.y_before);
		assert_int_equal(ya, res.y_after);
		assert_int_equal(mb, res.m_before);
		assert_int_equal(ma, res.m_after);
		/* XEN_NETFRONT MII E1000 =y, R8169 =m -> XEN_NETFRONT MII */
		assert_non_null(net);
		assert_int_equal(net->y_before, 3);
		assert_int_equal(net->m_before, 1);
		assert_int_equal(net->y_after, 2);
		assert_int_equal(net->m_after, 0);
	}
	kx_prune_result_free(&res);
	fx_free(&fx);
}

static void test_prune__closure_keeps_what_the_profile_needs(void **state)
{
	struct fx fx;
	struct kx_prune_result res;

	(void)state;
	/* the Xen PCI frontend lives in drivers/pci, which the policy prunes,
	 * and needs PCI: the closure puts both back */
	prune(&fx, "XEN_NETFRONT=y XEN_PCIFRONT=y", &res);
	assert_string_equal(value(&fx, "PCI"), "y");
	assert_string_equal(value(&fx, "XEN_PCIFRONT"), "y");
	assert_false(in_list(res.pruned, res.npruned, "PCI"));
	assert_false(in_list(res.pruned, res.npruned, "XEN_PCIFRONT"));
	/* the PCI hardware itself still goes */
	assert_string_equal(value(&fx, "E1000"), "n");
	assert_string_equal(value(&fx, "SATA_AHCI"), "n");
	kx_prune_result_free(&res);
	fx_free(&fx);
}

static const struct kx_prune_change *change_of(const struct kx_prune_result *r,
					       const char *name)
{
	for (size_t i = 0; i < r->nchanges; i++)
		if (!strcmp(r->changes[i].sym->name, name))
			return &r->changes[i];
	return NULL;
}

/* every changed line has an entry with its cause, and nothing else has one */
static void test_prune__every_change_accounted(void **state)
{
	struct fx fx;
	struct kx_prune_result res;
	const struct kx_prune_change *c;
	static const char *const changed[] = {
		"E1000", "R8169", "ATA", "SATA_AHCI", "PCI", "XEN_PCIFRONT", "XEN_PCI_QUIRKS",
	};

	(void)state;
	prune(&fx, "XEN_NETFRONT=y", &res);
	assert_int_equal(res.nchanges, sizeof(changed) / sizeof(*changed));
	for (size_t i = 0; i < sizeof(changed) / sizeof(*changed); i++)
		assert_non_null(change_of(&res, changed[i]));
	c = change_of(&res, "R8169");
	assert_int_equal(c->how, KX_PRUNE_BY_POLICY);
	assert_string_equal(c->before, "m");
	assert_string_equal(c->after, "n");
	assert_non_null(strstr(c->why, "prune drivers/net/ethernet ("));
	/* not the policy's: it follows PCI */
	c = change_of(&res, "XEN_PCI_QUIRKS");
	assert_int_equal(c->how, KX_PRUNE_FOLLOWS);
	assert_non_null(strstr(c->why, "PCI [y -> n]"));
	/* kept, and by what */
	assert_true(in_list(res.kept, res.nkept, "MII"));
	for (size_t i = 0; i < res.nkept; i++)
		if (!strcmp(res.kept[i]->name, "MII"))
			assert_string_equal(res.kept_why[i], "selected by XEN_NETFRONT [=y]");
	kx_prune_result_free(&res);
	fx_free(&fx);
	/* what the closure set back says what needs it */
	prune(&fx, "XEN_NETFRONT=y XEN_PCIFRONT=y", &res);
	assert_null(change_of(&res, "PCI"));	/* y before, y after: no change */
	{
		bool found = false;

		for (size_t i = 0; i < res.nkept; i++)
			if (!strcmp(res.kept[i]->name, "PCI")) {
				assert_non_null(strstr(res.kept_why[i], "needed by XEN_PCIFRONT=y"));
				found = true;
			}
		assert_true(found);
	}
	kx_prune_result_free(&res);
	fx_free(&fx);
}

/* Only the required items among what cannot hold make prune fail, in order. */
static void test_prune__only_required_unmet_items_count(void **state)
{
	struct kx_sym a, b, c;
	struct kx_req req[3];
	struct kx_profile p;
	struct kx_target t[3] = { { .sym = &a }, { .sym = &b }, { .sym = &c } };
	struct kx_unmet u[3], out[3];

	(void)state;
	memset(req, 0, sizeof(req));
	memset(&p, 0, sizeof(p));
	memset(u, 0, sizeof(u));
	req[0].sym = &a;
	req[0].level = KX_LEVEL_RECOMMENDED;
	req[1].sym = &b;
	req[1].level = KX_LEVEL_REQUIRED;
	req[2].sym = &c;
	req[2].level = KX_LEVEL_REQUIRED;
	p.v = req;
	p.n = 3;
	for (int i = 0; i < 3; i++)
		u[i].target = &t[2 - i];	/* c, b, a */
	assert_int_equal(kx_profile_required_unmet(&p, u, 3, out), 2);
	assert_ptr_equal(out[0].target->sym, &c);
	assert_ptr_equal(out[1].target->sym, &b);
	assert_int_equal(kx_profile_required_unmet(&p, u + 2, 1, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune__hardware_goes_the_rest_stays),
		cmocka_unit_test(test_prune__closure_keeps_what_the_profile_needs),
		cmocka_unit_test(test_prune__every_change_accounted),
		cmocka_unit_test(test_prune__only_required_unmet_items_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
