// SPDX-License-Identifier: MIT
/*
 * cmd_generate.c - `generate` (a slim domU config) and `prune` (hardware
 * drivers off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/generate.h"
#include "analyzer/merge.h"
#include "analyzer/profile.h"
#include "analyzer/prune.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/report.h"
#include "cli/session.h"

static void prune_report(struct kx_buf *b, const struct kx_prune_result *p, bool verbose)
{
	kx_buf_printf(b, "  %11s %11s   %s\n", "before y/m", "after y/m", "menu");
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct kx_prune_group *g = &p->groups[i];
		char before[32], after[32];

		if (!g->pruned && !verbose)
			continue;
		snprintf(before, sizeof(before), "%u/%u", g->y_before, g->m_before);
		snprintf(after, sizeof(after), "%u/%u", g->y_after, g->m_after);
		kx_buf_printf(b, "  %11s %11s   %s\n", before, after, g->menu);
	}
	{
		char before[32], after[32];

		snprintf(before, sizeof(before), "%u/%u", p->y_before, p->m_before);
		snprintf(after, sizeof(after), "%u/%u", p->y_after, p->m_after);
		kx_buf_printf(b, "  %11s %11s   %s\n", before, after, "total");
	}
	{
		size_t n[3] = { 0, 0, 0 };

		for (size_t i = 0; i < p->nchanges; i++)
			n[p->changes[i].how]++;
		kx_buf_printf(b, "%zu options pruned", p->npruned);
		if (p->nkept)
			kx_buf_printf(b, ", %zu kept although the policy calls them hardware",
				      p->nkept);
		kx_buf_printf(b, "\n%zu lines changed (%zu pruned, %zu set for the profile, "
			      "%zu consequences%s)\n", p->nchanges, n[KX_PRUNE_BY_POLICY],
			      n[KX_PRUNE_RESTORED], n[KX_PRUNE_FOLLOWS],
			      verbose ? "" : "; -v lists each");
	}
	if (verbose) {
		static const char *const how[] = { "pruned", "set", "follows" };

		for (size_t i = 0; i < p->nchanges; i++) {
			const struct kx_prune_change *c = &p->changes[i];

			kx_buf_printf(b, "  %-7s %s (%s -> %s): %s\n", how[c->how], c->sym->name,
				      c->before ? c->before : "unset",
				      c->after ? c->after : "unset", c->why);
		}
		for (size_t i = 0; i < p->nkept; i++)
			kx_buf_printf(b, "  kept    %s: %s\n", p->kept[i]->name, p->kept_why[i]);
	}
}

/* The prune result as JSON (see docs/json-schema.md, "prune"). */
static void prune_json(struct kx_buf *b, const struct kx_prune_result *p)
{
	kx_buf_printf(b, "{\"before\":{\"y\":%u,\"m\":%u},\"after\":{\"y\":%u,\"m\":%u}",
		      p->y_before, p->m_before, p->y_after, p->m_after);
	kx_buf_puts(b, ",\"menus\":[");
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct kx_prune_group *g = &p->groups[i];

		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"menu\":");
		kx_json_str(b, g->menu);
		kx_buf_printf(b, ",\"pruned\":%u,\"before\":{\"y\":%u,\"m\":%u},"
			      "\"after\":{\"y\":%u,\"m\":%u}}", (unsigned)g->pruned,
			      g->y_before, g->m_before, g->y_after, g->m_after);
	}
	kx_buf_puts(b, "],\"pruned\":[");
	for (size_t i = 0; i < p->npruned; i++) {
		if (i)
			kx_buf_putc(b, ',');
		kx_json_str(b, p->pruned[i]->name);
	}
	kx_buf_puts(b, "],\"kept\":[");
	for (size_t i = 0; i < p->nkept; i++) {
		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, p->kept[i]->name);
		kx_buf_puts(b, ",\"why\":");
		kx_json_str(b, p->kept_why[i]);
		kx_buf_putc(b, '}');
	}
	kx_buf_puts(b, "],\"changes\":[");
	for (size_t i = 0; i < p->nchanges; i++) {
		static const char *const how[] = { "policy", "set", "follows" };
		const struct kx_prune_change *c = &p->changes[i];

		kx_buf_puts(b, i ? ",{\"symbol\":" : "{\"symbol\":");
		kx_json_str(b, c->sym->name);
		kx_buf_puts(b, ",\"before\":");
		kx_json_str(b, c->before);
		kx_buf_puts(b, ",\"after\":");
		kx_json_str(b, c->after);
		kx_buf_printf(b, ",\"how\":\"%s\",\"why\":", how[c->how]);
		kx_json_str(b, c->why);
		kx_buf_putc(b, '}');
	}
	kx_buf_putc(b, ']');
	kx_buf_printf(b, ",\"restored\":%zu}", p->fix ? p->fix->nchanges : (size_t)0);
}

/* ---- generate --------------------------------------------------------------- */

static const char generate_usage[] =
"Usage: kxen-config [global options] generate --arch ARCH -o OUT [options]\n"
"\n"
"Writes a slim Xen domU kernel configuration for this tree: the base, the\n"
"Xen domU profile and the boot essentials (fragments/domu-boot.config), the\n"
"fewest changes that make them hold, then hardware drivers pruned.  The\n"
"result is conf-stable (`make olddefconfig` changes nothing) and passes\n"
"`check`.  The default kernel boots without an initramfs from an ext4 root\n"
"on xvda, with the frontends, the hvc0 console and ext4 built in.\n"
"\n"
"  --base B       tinyconfig (default) | allnoconfig | defconfig | a .config\n"
"  --profile P    server (default: the required Xen items + SMP, balloon,\n"
"                 xenfs, PCI/SCSI frontends, ...) | minimal (the required\n"
"                 items only: one vCPU; the output lists what it leaves out)\n"
"                 | desktop (+ framebuffer, keyboard, DRM, sound frontends);\n"
"                 the default of check, prune and preflight too\n"
"  --modules      MODULES=y; the optional tristate items as modules\n"
"  --no-modules   everything built in (default)\n"
"  --no-prune     keep the base's hardware drivers\n"
"  --add FRAG     also require every entry of fragment FRAG (repeatable; e.g.\n"
"                 a serial console for testing in QEMU); its values win\n"
"  -o FILE        where to write the configuration (required)\n"
"\n"
"Exit status: 0 done; 1 a required item cannot hold in this tree; 2 usage.\n";

enum {
	OPT_BASE = KX_OPT_LONG, OPT_PROFILE, OPT_MODULES, OPT_NO_MODULES, OPT_NO_PRUNE,
	OPT_ADD, OPT_POLICY,
};

static const struct option generate_longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "modules", no_argument, NULL, OPT_MODULES },
	{ "no-modules", no_argument, NULL, OPT_NO_MODULES },
	{ "no-prune", no_argument, NULL, OPT_NO_PRUNE },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

static const struct kx_optspec generate_spec = {
	.cmd = "generate", .shortopts = "o:", .longopts = generate_longopts,
	.usage = generate_usage, .json = true,
};

int kx_cmd_generate(struct kx_session *s, int argc, char **argv)
{
	struct kx_generate_opts go = { 0 };
	struct kx_generate_result gr;
	const char *out = NULL;
	const char **add = kx_xcalloc((size_t)argc + 1, sizeof(*add));
	struct kx_buf b = KX_BUF_INIT;
	struct kx_opts o;
	int rc, c;

	memset(&gr, 0, sizeof(gr));
	kx_opts_begin(&o, s, argc, argv, &generate_spec);
	while ((c = kx_opts_next(&o)) > 0)
		switch (c) {
		case OPT_BASE:
			go.base = o.arg;
			break;
		case OPT_PROFILE:
			go.profile = o.arg;
			break;
		case OPT_MODULES:
			go.modules = true;
			break;
		case OPT_NO_MODULES:
			go.modules = false;
			break;
		case OPT_NO_PRUNE:
			go.no_prune = true;
			break;
		case OPT_ADD:
			add[go.nadd++] = o.arg;
			break;
		case 'o':
			out = o.arg;
			break;
		default:
			kx_errorf("generate: unexpected argument '%s'\n%s", o.arg,
				  generate_usage);
			c = KX_OPT_ERROR;
			break;
		}
	kx_opts_end(&o);
	if (c < 0) {
		free(add);
		return kx_opts_exit(c);
	}
	go.add = add;
	if (!out) {
		kx_errorf("generate needs -o FILE\n%s", generate_usage);
		free(add);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s))) {
		free(add);
		return rc;
	}
	go.arch = kx_env_get(s->env, "ARCH");
	if (go.arch && !strcmp(go.arch, "x86"))
		go.arch = NULL;
	rc = kx_generate(&s->io, s->env, &go, &gr);
	free(add);
	go.add = NULL;
	if (rc < 0) {
		/* the diagnostics already said what; only say it otherwise */
		if (!s->diags.nerrors)
			kx_errorf("generate: %s", kx_strerror(rc));
		kx_generate_result_free(&gr);
		return rc == KX_EINTERNAL ? KX_EXIT_INTERNAL : KX_EXIT_USAGE;
	}
	if (kx_write_user_file(out, gr.config_text, KX_OUT_KEEP_OLD)) {
		kx_generate_result_free(&gr);
		return KX_EXIT_USAGE;
	}
	if (s->json) {
		kx_buf_puts(&b, "{\"output\":");
		kx_json_str(&b, out);
		kx_buf_puts(&b, ",\"profile\":");
		kx_json_str(&b, gr.profile.name);
		kx_buf_puts(&b, ",\"arch\":");
		kx_json_str(&b, gr.profile.arch);
		kx_buf_printf(&b, ",\"options_y\":%u,\"options_m\":%u,\"closure\":",
			      gr.n_y, gr.n_m);
		kx_closure_json(s, &b, gr.closure, gr.targets, gr.ntargets);
		kx_buf_puts(&b, ",\"prune\":");
		prune_json(&b, &gr.prune);
		kx_buf_puts(&b, ",\"left_out\":[");
		for (size_t i = 0; i < gr.nleft_out; i++) {
			kx_buf_puts(&b, i ? "," : "");
			kx_json_str(&b, gr.left_out[i]->name);
		}
		kx_buf_puts(&b, "],\"overridden\":[");
		for (size_t i = 0; i < gr.nbroken; i++) {
			const struct kx_req *q = gr.broken[i];

			kx_buf_puts(&b, i ? ",{\"symbol\":" : "{\"symbol\":");
			kx_json_str(&b, q->name);
			kx_buf_puts(&b, ",\"value\":");
			kx_json_str(&b, q->value);
			kx_buf_puts(&b, ",\"file\":");
			kx_json_str(&b, q->file);
			kx_buf_printf(&b, ",\"line\":%d,\"now\":", q->line);
			kx_json_str(&b, kx_sym_string_value(s->kc, q->sym));
			kx_buf_puts(&b, ",\"origin\":");
			kx_json_str(&b, kx_generate_target_origin(&gr, q->sym));
			kx_buf_putc(&b, '}');
		}
		kx_buf_puts(&b, "]}\n");
	} else {
		kx_buf_printf(&b, "Generated %s: Xen domU, profile \"%s\" for %s, base %s, %s\n",
			      out, gr.profile.name, gr.profile.arch,
			      go.base ? go.base : "tinyconfig",
			      go.modules ? "with modules" : "no modules");
		kx_buf_printf(&b, "  %zu items requested, %zu changes from the base, %u options =y, %u =m\n",
			      gr.ntargets, gr.closure->nchanges, gr.n_y, gr.n_m);
		if (gr.prune.npruned || s->verbose > 0) {
			kx_buf_puts(&b, "Pruned hardware drivers:\n");
			prune_report(&b, &gr.prune, s->verbose > 0);
		}
		if (gr.closure->nunmet) {
			kx_buf_puts(&b, "Cannot hold in this tree:\n");
			kx_unmet_text(&b, gr.closure->unmet, gr.closure->nunmet, true);
		}
		if (gr.nleft_out) {
			kx_buf_printf(&b, "Left out by profile \"%s\" (--profile %s adds them):\n ",
				      gr.profile.name, KX_PROFILE_DEFAULT);
			for (size_t i = 0; i < gr.nleft_out; i++)
				kx_buf_printf(&b, " %s", gr.left_out[i]->name);
			kx_buf_putc(&b, '\n');
		}
		if (gr.nbroken) {
			kx_buf_puts(&b, "Required by the profile but overridden (the result "
				    "fails `check`):\n");
			for (size_t i = 0; i < gr.nbroken; i++) {
				const struct kx_req *q = gr.broken[i];
				const char *by = kx_generate_target_origin(&gr, q->sym);

				kx_buf_printf(&b, "  %s=%s (%s:%d), now %s=", q->name, q->value,
					      q->file, q->line, q->name);
				kx_put_value(&b, q->sym, kx_sym_string_value(s->kc, q->sym));
				kx_buf_printf(&b, "%s%s\n", by ? ": asked by " : "", by ? by : "");
			}
		}
		if (s->verbose > 0) {
			kx_buf_puts(&b, "Changes from the base:\n");
			kx_closure_text(s, &b, gr.closure, "  ");
		}
	}
	fputs(kx_buf_cstr(&b), stdout);
	kx_buf_free(&b);
	kx_generate_result_free(&gr);
	return rc == 1 ? KX_EXIT_NO : 0;
}

/* ---- prune ---------------------------------------------------------------------- */

static const char prune_usage[] =
"Usage: kxen-config [global options] prune [--base CONFIG] [--profile P] -o OUT\n"
"\n"
"Switches off hardware drivers a Xen domU cannot use (the hypervisor hides\n"
"the real hardware: PCI/USB/SATA/NVMe controllers, NICs, sound cards, GPUs,\n"
"wireless, platform drivers, ...), built-in ones as well as modules, by the\n"
"policy in fragments/prune-policy.conf; everything the profile needs stays\n"
"(the closure restores it).  Reports what was pruned per menu, with counts\n"
"before and after, and accounts for every line that differs from the base\n"
"(as conf writes it): pruned by a policy rule (named with its line), set\n"
"for the profile (what needs it), or a consequence (the options it follows).\n"
"Needs no access to the target machine.\n"
"\n"
"  --base CONFIG  the configuration to prune (default --config/.config)\n"
"  --profile P    minimal | server (default) | desktop | a fragment file\n"
"  --policy FILE  another prune policy\n"
"  -o FILE        where to write the result (required)\n"
"  -v             list every changed line with its cause, and every option\n"
"                 the policy calls hardware that stays on, with what keeps it\n"
"\n"
"Exit status: 0 done; 1 a required profile item cannot hold; 2 usage.\n";

static const struct option prune_longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

static const struct kx_optspec prune_spec = {
	.cmd = "prune", .shortopts = "o:", .longopts = prune_longopts,
	.usage = prune_usage, .json = true,
};

int kx_cmd_prune(struct kx_session *s, int argc, char **argv)
{
	const char *base = NULL, *profile = NULL, *policy = NULL, *out = NULL, *shown;
	struct kx_profile prof;
	struct kx_prune_policy pol;
	struct kx_prune_result pr;
	struct kx_target *t = NULL;
	struct kx_unmet *unmet = NULL;
	struct kx_buf b = KX_BUF_INIT;
	char *btext = NULL, *ppath = NULL;
	size_t nt = 0, nunmet = 0;
	struct kx_opts o;
	int rc, c;

	memset(&prof, 0, sizeof(prof));
	memset(&pol, 0, sizeof(pol));
	memset(&pr, 0, sizeof(pr));
	kx_opts_begin(&o, s, argc, argv, &prune_spec);
	while ((c = kx_opts_next(&o)) > 0)
		switch (c) {
		case OPT_BASE:
			base = o.arg;
			break;
		case OPT_PROFILE:
			profile = o.arg;
			break;
		case OPT_POLICY:
			policy = o.arg;
			break;
		case 'o':
			out = o.arg;
			break;
		default:
			kx_errorf("prune: unexpected argument '%s'\n%s", o.arg, prune_usage);
			c = KX_OPT_ERROR;
			break;
		}
	kx_opts_end(&o);
	if (c < 0)
		return kx_opts_exit(c);
	if (!out) {
		kx_errorf("prune needs -o FILE\n%s", prune_usage);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s)))
		return rc;
	rc = KX_EXIT_USAGE;
	if (kx_session_base(s, base, &btext))
		goto out;
	if (kx_profile_load(&prof, s->kc, profile, kx_session_profile_arch(s), s->env,
			    &s->diags) < 0)
		goto out;
	if (!policy) {
		if (!prof.dir)
			prof.dir = kx_fragments_dir(s->env);
		ppath = prof.dir ? kx_xasprintf("%s/prune-policy.conf", prof.dir) : NULL;
		policy = ppath;
	}
	if (!policy || kx_prune_policy_load(&pol, policy, &s->diags) < 0)
		goto out;
	t = kx_xcalloc(prof.n + 1, sizeof(*t));
	nt = kx_profile_targets(&prof, s->kc, t);
	if (kx_prune(&s->io, &pol, t, nt, &pr) < 0) {
		kx_errorf("prune: no result the evaluator could confirm");
		rc = KX_EXIT_INTERNAL;
		goto out;
	}
	if (kx_write_user_file(out, pr.config_text, KX_OUT_KEEP_OLD)) {
		rc = KX_EXIT_USAGE;
		goto out;
	}
	/* the default policy by its name, not by where it is installed */
	shown = ppath && s->verbose <= 0 ? "fragments/prune-policy.conf" : policy;
	if (s->json) {
		kx_buf_puts(&b, "{\"base\":");
		kx_json_str(&b, s->base_used);
		kx_buf_puts(&b, ",\"output\":");
		kx_json_str(&b, out);
		kx_buf_puts(&b, ",\"policy\":");
		kx_json_str(&b, shown);
		kx_buf_puts(&b, ",\"profile\":");
		kx_json_str(&b, prof.name);
		kx_buf_puts(&b, ",\"prune\":");
		prune_json(&b, &pr);
		kx_buf_puts(&b, ",\"unmet_required\":");
	} else {
		kx_buf_printf(&b, "Pruned %s into %s (policy %s, profile \"%s\"):\n",
			      s->base_used, out, shown, prof.name);
		prune_report(&b, &pr, s->verbose > 0);
		if (pr.fix && pr.fix->nchanges)
			kx_buf_printf(&b, "%zu options the profile or the kept Xen options need were switched back on.\n",
				      pr.fix->nchanges);
	}
	/* the required items that cannot hold: exit status 1 */
	unmet = kx_xcalloc(pr.fix ? pr.fix->nunmet + 1 : 1, sizeof(*unmet));
	if (pr.fix)
		nunmet = kx_profile_required_unmet(&prof, pr.fix->unmet, pr.fix->nunmet, unmet);
	if (s->json) {
		kx_unmet_json(&b, unmet, nunmet);
		kx_buf_puts(&b, "}\n");
	} else if (nunmet) {
		kx_buf_puts(&b, "Required items that cannot hold in this tree:\n");
		kx_unmet_text(&b, unmet, nunmet, false);
	}
	rc = nunmet ? KX_EXIT_NO : 0;
	fputs(kx_buf_cstr(&b), stdout);
out:
	kx_buf_free(&b);
	kx_prune_result_free(&pr);
	kx_prune_policy_free(&pol);
	kx_profile_free(&prof);
	free(t);
	free(unmet);
	free(btext);
	free(ppath);
	return rc;
}
