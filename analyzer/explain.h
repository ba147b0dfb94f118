/* SPDX-License-Identifier: MIT */
/*
 * explain.h - why a symbol has its value: which rule of conf decided it
 * (the user's value, a default, a select, an imply, a choice), the
 * values of every operand involved, who selects or implies it, where it
 * is defined and where it is in menuconfig.
 */
#ifndef KX_EXPLAIN_H
#define KX_EXPLAIN_H

#include <stdbool.h>

#include "parser/model.h"

enum kx_why_rule {
	KX_WHY_USER,		/* visible, and set in the .config */
	KX_WHY_DEFAULT,		/* a default applied */
	KX_WHY_NO_DEFAULT,	/* no default applied: the type's default */
	KX_WHY_SELECT,		/* raised by a select */
	KX_WHY_IMPLY,		/* raised by an imply */
	KX_WHY_CHOICE,		/* a choice member: the selection decided */
	KX_WHY_RANGE,		/* clamped into its range */
	KX_WHY_UNDEFINED,	/* not defined in this tree/arch */
};

/* one selector / implier: SYM at VALUE, through the line FILE:LINE */
struct kx_who {
	struct kx_sym *sym;
	const char *value;
	const char *file;
	int line;
	kx_tri active;		/* the term's value (the selector AND its condition) */
};

struct kx_why {
	struct kx_sym *sym;
	const char *value;
	enum kx_why_rule rule;
	kx_tri visible;			/* the prompt's visibility */
	bool has_prompt;
	bool user_set;			/* the .config sets it */
	const char *user_value;
	bool user_ignored;		/* set, but not visible (or out of range) */
	struct kx_prop *prop;		/* the default or range that decided */
	struct kx_sym *choice_sel;	/* for choice members: the selected one */
	struct kx_menu *choice;
	struct kx_who *selectors, *impliers;
	size_t nselectors, nimpliers;
	kx_tri dep_tri;			/* direct dependencies' value */
};

/* Fills 'w' for symbol 's' in the current evaluation (caller frees with
 * kx_why_free). */
void kx_why_compute(struct kx_kconfig *kc, struct kx_sym *s, struct kx_why *w);
void kx_why_free(struct kx_why *w);

/* Human text (lines for an 80-column terminal) and JSON. */
void kx_why_text(struct kx_kconfig *kc, const struct kx_why *w, struct kx_buf *b);
void kx_why_json(struct kx_kconfig *kc, const struct kx_why *w, struct kx_buf *b);

/* A one-line reason why 's' is not VALUE ("depends on X [=n]", ...). */
char *kx_why_not_brief(struct kx_kconfig *kc, struct kx_sym *s, const char *value);

#endif /* KX_EXPLAIN_H */
