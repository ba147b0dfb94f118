/* SPDX-License-Identifier: MIT */
/*
 * eval.h - symbol values exactly as the tree's own conf computes them.
 *
 * Values are computed lazily and memoised per symbol (KX_SYM_VALID), as
 * conf does; kx_sym_clear_all_valid() starts over.  The rules follow the
 * tree's semantics (kc->sem): the choice rework of 6.11 changed how a
 * choice's value is found, and int/hex symbols without a value read "" on
 * older trees and "0"/"0x0" on newer ones.
 *
 * The names mirror conf's (sym_calc_value -> kx_sym_calc_value, ...), so
 * that a reader who knows scripts/kconfig/symbol.c finds the same
 * structure; the code is ours.
 */
#ifndef KX_EVAL_H
#define KX_EVAL_H

#include "parser/model.h"

/* Computes s->curr (and visibility, WRITE flag) if not valid yet. */
void kx_sym_calc_value(struct kx_kconfig *kc, struct kx_sym *s);

/* The tristate value of an expression (NULL is y). */
kx_tri kx_expr_calc(struct kx_kconfig *kc, const struct kx_expr *e);
/* Forgets every cached expression value (conf's expr_invalidate_all). */
void kx_expr_invalidate_all(struct kx_kconfig *kc);

/* conf's sym_get_type: tristate reads as bool without modules. */
enum kx_symtype kx_sym_get_type(const struct kx_kconfig *kc,
				const struct kx_sym *s);

static inline kx_tri kx_sym_tristate(const struct kx_sym *s)
{
	return s->curr.tri;
}

static inline bool kx_sym_has_value(const struct kx_sym *s)
{
	return s->flags & KX_SYM_DEF_USER;
}

/* The value as text: "y"/"m"/"n" or the string/number (never NULL). */
const char *kx_sym_string_value(const struct kx_kconfig *kc,
				const struct kx_sym *s);
/* The value the symbol would have without a user value (savedefconfig). */
const char *kx_sym_string_default(struct kx_kconfig *kc, struct kx_sym *s);

bool kx_sym_is_changeable(const struct kx_kconfig *kc, const struct kx_sym *s);
bool kx_sym_tristate_within_range(const struct kx_kconfig *kc,
				  const struct kx_sym *s, kx_tri val);
/* conf's sym_string_valid / sym_string_within_range */
bool kx_sym_string_valid(const struct kx_sym *s, const char *str);
bool kx_sym_string_within_range(struct kx_kconfig *kc, struct kx_sym *s,
				const char *str);

/* Setting values as a user would (menuconfig, interactive conf). */
bool kx_sym_set_tristate_value(struct kx_kconfig *kc, struct kx_sym *s,
			       kx_tri val);
bool kx_sym_set_string_value(struct kx_kconfig *kc, struct kx_sym *s,
			     const char *val);
/* 6.11+: select 's' in 'choice' (conf's choice_set_value); older trees:
 * sets s=y through kx_sym_set_tristate_value. */
void kx_choice_set_value(struct kx_kconfig *kc, struct kx_menu *choice,
			 struct kx_sym *s);

void kx_sym_clear_all_valid(struct kx_kconfig *kc);

/* The default member of a choice (sym_choice_default). */
struct kx_sym *kx_choice_default(struct kx_kconfig *kc, struct kx_menu *choice);
/* The selected member of a choice, computing it (sym_calc_choice). */
struct kx_sym *kx_choice_selected(struct kx_kconfig *kc, struct kx_menu *choice);

/* menu_is_visible */
bool kx_menu_is_visible(struct kx_kconfig *kc, struct kx_menu *m);

/* Resets every symbol's user values and evaluation state (a fresh load). */
void kx_eval_reset(struct kx_kconfig *kc);

/* The choice symbol (menu) of a choice value, per the tree's semantics. */
struct kx_menu *kx_sym_value_choice(const struct kx_kconfig *kc,
				    const struct kx_sym *s);

#endif /* KX_EVAL_H */
