// SPDX-License-Identifier: MIT
/* check.c - a configuration against a Xen domU profile (see check.h). */
#include "analyzer/check.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/explain.h"

/* The verdict of one item in the current evaluation, before the closure. */
static enum kx_verdict item_verdict(struct kx_kconfig *kc, const struct kx_req *r,
				    bool initramfs)
{
	if (!r->sym)
		return KX_VERDICT_NOT_IN_TREE;
	if (kx_req_holds(kc, r))
		return KX_VERDICT_HOLDS;
	/* with an initramfs, a module loads before the root is mounted */
	if (initramfs && r->sym->type == KX_S_TRISTATE && !strcmp(r->value, "y")) {
		struct kx_target tm = { r->sym, "m", r->file, false };

		if (kx_target_holds(kc, &tm))
			return KX_VERDICT_HOLDS_AS_MODULE;
	}
	return KX_VERDICT_FIXABLE;
}

int kx_check(const struct kx_check_in *in, struct kx_check_result *res)
{
	const struct kx_profile *p = in->profile;
	size_t *target_of;
	int err = 0;

	memset(res, 0, sizeof(*res));
	res->items = kx_xcalloc(p->n + 1, sizeof(*res->items));
	res->targets = kx_xcalloc(p->n + 1, sizeof(*res->targets));
	target_of = kx_xcalloc(p->n + 1, sizeof(*target_of));
	res->nitems = p->n;
	for (size_t i = 0; i < p->n; i++) {
		const struct kx_req *r = &p->v[i];
		struct kx_check_item *it = &res->items[i];

		it->req = r;
		it->verdict = item_verdict(in->kc, r, in->initramfs);
		res->total[r->level]++;
		if (it->verdict == KX_VERDICT_HOLDS ||
		    it->verdict == KX_VERDICT_HOLDS_AS_MODULE) {
			res->held[r->level]++;
			continue;
		}
		if (it->verdict == KX_VERDICT_NOT_IN_TREE)
			continue;
		/* the reason in the checked configuration, before any fix */
		it->reason = kx_why_not_brief(in->kc, r->sym, r->value);
		target_of[i] = res->ntargets;
		res->targets[res->ntargets++] = (struct kx_target){
			r->sym, r->value, r->file, false
		};
		if (r->level == KX_LEVEL_REQUIRED)
			res->missing_required++;
	}
	res->ok = !res->missing_required;
	if (res->ntargets) {
		err = kx_closure_solve(&res->fix, in->kc, res->targets, res->ntargets, NULL);
		if (err < 0) {
			free(target_of);
			kx_check_result_free(res);
			return err;
		}
	}
	/* the failing items the closure cannot make hold */
	for (size_t k = 0; res->fix && k < res->fix->nunmet; k++) {
		const struct kx_unmet *u = &res->fix->unmet[k];

		for (size_t i = 0; i < p->n; i++) {
			struct kx_check_item *it = &res->items[i];

			if (it->verdict == KX_VERDICT_FIXABLE &&
			    u->target == &res->targets[target_of[i]]) {
				it->verdict = KX_VERDICT_UNMET;
				it->unmet = u;
			}
		}
	}
	free(target_of);
	return 0;
}

void kx_check_result_free(struct kx_check_result *res)
{
	for (size_t i = 0; i < res->nitems; i++)
		free(res->items[i].reason);
	free(res->items);
	free(res->targets);
	kx_closure_free(res->fix);
	memset(res, 0, sizeof(*res));
}
