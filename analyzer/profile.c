// SPDX-License-Identifier: MIT
/* profile.c - loading the Xen domU profiles (see profile.h). */
#include "analyzer/profile.h"
#include "parser/env.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "analyzer/merge.h"
#include "analyzer/solve.h"

const char *kx_level_name(enum kx_level l)
{
	switch (l) {
	case KX_LEVEL_REQUIRED: return "required";
	case KX_LEVEL_RECOMMENDED: return "recommended";
	case KX_LEVEL_DESKTOP: return "desktop";
	}
	return "?";
}

static bool is_dir(const char *p)
{
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *kx_fragments_dir(const struct kx_env *e)
{
	const char *env = e ? kx_env_get(e, "KX_FRAGMENTS_DIR") : NULL;
	char exe[PATH_MAX], *slash, *d;
	ssize_t n;

	if (env && *env)
		return is_dir(env) ? kx_xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			d = kx_xasprintf("%s/fragments", exe);
			if (is_dir(d))
				return d;
			free(d);
			/* build/san/kxen-config in a checkout */
			d = kx_xasprintf("%s/../../fragments", exe);
			if (is_dir(d))
				return d;
			free(d);
			d = kx_xasprintf("%s/../share/kxen-config/fragments", exe);
			if (is_dir(d))
				return d;
			free(d);
		}
	}
	if (is_dir("/usr/share/kxen-config/fragments"))
		return kx_xstrdup("/usr/share/kxen-config/fragments");
	return NULL;
}

static void add_file(struct kx_profile *p, struct kx_kconfig *kc, const char *path,
		     const char *label, enum kx_level level)
{
	char *text = NULL;
	size_t len;
	struct kx_cfglines l;

	if (kx_read_file(&text, &len, path) < 0)
		return;
	kx_cfglines_parse(&l, "CONFIG_", label, text);
	for (size_t i = 0; i < l.n; i++) {
		struct kx_req *r;
		const char *why = NULL;
		size_t whylen = 0;
		int lineno = 0;

		bool at_least = false;

		/* the "# why:" and "# at least" comments right before the entry */
		for (const char *q = text; *q; lineno++) {
			const char *e = strchr(q, '\n');
			size_t ll = e ? (size_t)(e - q) : strlen(q);

			if (lineno + 1 == l.v[i].line)
				break;
			if (!strncmp(q, "# why:", 6)) {
				why = q + 6;
				whylen = ll - 6;
				while (whylen && *why == ' ')
					why++, whylen--;
			} else if (ll == 10 && !strncmp(q, "# at least", 10)) {
				at_least = true;
			} else if (ll && q[0] != '#') {
				why = NULL;
				at_least = false;
			} else if (!ll) {
				at_least = false;
			}
			q += ll + (e ? 1 : 0);
		}
		/* a later file overrides an earlier entry for the same symbol */
		for (size_t k = 0; k < p->n; k++) {
			if (!strcmp(p->v[k].name, l.v[i].name)) {
				free(p->v[k].name);
				free(p->v[k].value);
				free(p->v[k].file);
				free(p->v[k].why);
				p->v[k] = p->v[--p->n];
				break;
			}
		}
		p->v = kx_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
		r = &p->v[p->n++];
		r->name = kx_xstrdup(l.v[i].name);
		r->value = kx_xstrdup(l.v[i].value);
		r->level = level;
		r->file = kx_xstrdup(label);
		r->line = l.v[i].line;
		r->why = why ? kx_xstrndup(why, whylen) : NULL;
		r->sym = kx_sym_find(kc, r->name);
		if (r->sym && !r->sym->menus)
			r->sym = NULL;
		r->at_least = at_least && r->sym &&
			      (r->sym->type == KX_S_INT || r->sym->type == KX_S_HEX);
	}
	kx_cfglines_free(&l);
	free(text);
}

int kx_profile_load(struct kx_profile *p, struct kx_kconfig *kc, const char *name,
		    const char *arch, const struct kx_env *env, struct kx_diags *diags)
{
	static const char *const levels[] = { "required", "recommended", "desktop" };
	int upto;

	memset(p, 0, sizeof(*p));
	if (!arch || !*arch || !strcmp(arch, "x86"))
		arch = "x86_64";
	p->arch = arch;
	if (!name)
		name = KX_PROFILE_DEFAULT;
	p->name = kx_xstrdup(name);
	if (strchr(name, '/') || strstr(name, ".config")) {
		struct stat st;

		if (stat(name, &st) < 0) {
			kx_diags_add(diags, KX_DIAG_ERROR, NULL, 0,
				     "profile file %s not found", name);
			return KX_ENOTFOUND;
		}
		add_file(p, kc, name, name, KX_LEVEL_REQUIRED);
		return 0;
	}
	if (!strcmp(name, "server"))
		upto = 1;
	else if (!strcmp(name, "minimal"))
		upto = 0;
	else if (!strcmp(name, "desktop"))
		upto = 2;
	else {
		kx_diags_add(diags, KX_DIAG_ERROR, NULL, 0,
			     "unknown profile '%s' (minimal, server, desktop or a fragment file)",
			     name);
		return KX_EINVAL;
	}
	p->dir = kx_fragments_dir(env);
	if (!p->dir) {
		kx_diags_add(diags, KX_DIAG_ERROR, NULL, 0,
			     "cannot find the fragments directory (set KX_FRAGMENTS_DIR)");
		return KX_ENOTFOUND;
	}
	for (int lv = 0; lv <= upto; lv++) {
		char *f = kx_xasprintf("%s/xen-domu-%s.config", p->dir, levels[lv]);
		char *fa = kx_xasprintf("%s/xen-domu-%s-%s.config", p->dir, levels[lv], arch);
		char *l1 = kx_xasprintf("fragments/xen-domu-%s.config", levels[lv]);
		char *l2 = kx_xasprintf("fragments/xen-domu-%s-%s.config", levels[lv], arch);

		add_file(p, kc, f, l1, (enum kx_level)lv);
		add_file(p, kc, fa, l2, (enum kx_level)lv);
		free(f);
		free(fa);
		free(l1);
		free(l2);
	}
	if (!p->n) {
		kx_diags_add(diags, KX_DIAG_ERROR, NULL, 0,
			     "the profile '%s' is empty in %s", p->name, p->dir);
		return KX_ENOTFOUND;
	}
	return 0;
}

void kx_profile_free(struct kx_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
		free(p->v[i].file);
		free(p->v[i].why);
	}
	free(p->v);
	free(p->dir);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

size_t kx_profile_required_unmet(const struct kx_profile *p, const struct kx_unmet *u,
				 size_t n, struct kx_unmet *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < p->n; k++)
			if (p->v[k].sym == u[i].target->sym &&
			    p->v[k].level == KX_LEVEL_REQUIRED) {
				out[m++] = u[i];
				break;
			}
	return m;
}

bool kx_req_holds(struct kx_kconfig *kc, const struct kx_req *q)
{
	struct kx_target t = { q->sym, q->value, q->file, false };

	if (!q->sym)
		return false;
	if (q->at_least) {
		int base = q->sym->type == KX_S_HEX ? 16 : 10;
		const char *cur;
		char *e1, *e2;
		long long have, want;

		kx_sym_calc_value(kc, q->sym);
		if (q->sym->visible == KX_NO && !(q->sym->flags & KX_SYM_WRITE))
			return false;	/* not in the configuration at all */
		cur = kx_sym_string_value(kc, q->sym);
		have = strtoll(cur, &e1, base);
		want = strtoll(q->value, &e2, base);
		if (*cur && !*e1 && !*e2 && have >= want)
			return true;
	}
	return kx_target_holds(kc, &t);
}

size_t kx_profile_targets(const struct kx_profile *p, struct kx_kconfig *kc,
			  struct kx_target *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct kx_req *q = &p->v[i];

		if (!q->sym || (q->at_least && kx_req_holds(kc, q)))
			continue;
		out[n++] = (struct kx_target){ q->sym, q->value, q->file, false };
	}
	return n;
}
