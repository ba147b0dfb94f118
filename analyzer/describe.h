/* SPDX-License-Identifier: MIT */
/*
 * describe.h - presenting symbols to people and programs: menu paths as
 * menuconfig shows them, and a symbol's full description (text or JSON)
 * used by `dump`, `find`, `why`.
 */
#ifndef KX_DESCRIBE_H
#define KX_DESCRIBE_H

#include <stdbool.h>

#include "parser/model.h"

/*
 * The menu path of entry 'm' as the user walks it in menuconfig, from the
 * top: each enclosing menu's prompt (a symbol's menu shows as its prompt),
 * ending with the entry itself, joined by 'sep' (e.g. " -> ").  Entries
 * without a prompt show their symbol name.
 */
void kx_menu_path(struct kx_buf *b, const struct kx_menu *m, const char *sep);

/* The same path as a JSON array of strings (top first); [] for NULL. */
void kx_menu_path_json(struct kx_buf *b, const struct kx_menu *m);

/* The entry of 's' that has a prompt (first), else its first entry. */
struct kx_menu *kx_sym_main_menu(const struct kx_sym *s);

/* Human-readable description of a symbol (multi-line, ends with '\n'). */
void kx_describe_sym(struct kx_kconfig *kc, struct kx_buf *b, struct kx_sym *s);

/* JSON object describing a symbol (see docs/json-schema.md, "symbol"). */
void kx_describe_sym_json(struct kx_kconfig *kc, struct kx_buf *b,
			  struct kx_sym *s);

/*
 * conf's help text for an entry (menu_get_ext_help): the help, then
 * "Symbol: X [=v]", type, range, "Defined at", prompt, dependencies,
 * location in the menus, selects and reverse dependencies, in conf's
 * exact format (used by `conf --helpnewconfig` and '?' answers).
 */
void kx_conf_help_text(struct kx_kconfig *kc, struct kx_menu *m, struct kx_buf *b);

/* Printable name: the symbol name or "<choice>". */
const char *kx_sym_display_name(const struct kx_sym *s);

#endif /* KX_DESCRIBE_H */
