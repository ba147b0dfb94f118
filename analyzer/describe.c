// SPDX-License-Identifier: MIT
/*
 * describe.c - menu paths and symbol descriptions.
 */
#include "analyzer/describe.h"

#include <string.h>

#include "analyzer/eval.h"

const char *kx_sym_display_name(const struct kx_sym *s)
{
	return s->name ? s->name : "<choice>";
}

void kx_menu_path_json(struct kx_buf *b, const struct kx_menu *m)
{
	const struct kx_menu *chain[256];
	int n = 0;

	for (const struct kx_menu *p = m; p && !(p->flags & KX_MENU_ROOT) && n < 256;
	     p = p->parent)
		chain[n++] = p;
	kx_buf_putc(b, '[');
	for (int i = n - 1; i >= 0; i--) {
		kx_json_str(b, kx_menu_prompt_text(chain[i]));
		if (i)
			kx_buf_putc(b, ',');
	}
	kx_buf_putc(b, ']');
}

struct kx_menu *kx_sym_main_menu(const struct kx_sym *s)
{
	for (struct kx_menu *m = s->menus; m; m = m->sym_next)
		if (m->prompt)
			return m;
	return s->menus;
}

static const char *menu_label(const struct kx_menu *m)
{
	const char *t = kx_menu_prompt_text(m);

	return t ? t : "?";
}

void kx_menu_path(struct kx_buf *b, const struct kx_menu *m, const char *sep)
{
	const struct kx_menu *chain[256];
	int n = 0;

	for (; m && !(m->flags & KX_MENU_ROOT) && n < 256; m = m->parent)
		chain[n++] = m;
	while (n-- > 0) {
		kx_buf_puts(b, menu_label(chain[n]));
		if (n)
			kx_buf_puts(b, sep);
	}
}

static const char *value_text(void *ctx, struct kx_sym *s)
{
	return kx_sym_string_value(ctx, s);
}

static void expr_line(struct kx_kconfig *kc, struct kx_buf *b, const char *label,
		      const struct kx_expr *e)
{
	kx_buf_printf(b, "  %-13s", label);
	kx_expr_print(b, e, value_text, kc);
	kx_buf_putc(b, '\n');
}

void kx_describe_sym(struct kx_kconfig *kc, struct kx_buf *b, struct kx_sym *s)
{
	kx_sym_calc_value(kc, s);
	kx_buf_printf(b, "%s: %s = %s\n", kx_sym_display_name(s),
		      kx_symtype_name(s->type), kx_sym_string_value(kc, s));
	if (s->flags & KX_SYM_TRANS)
		kx_buf_puts(b, "  transitional (an old name: read from .config, never written)\n");
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		kx_buf_printf(b, "  defined at   %s:%d\n", m->file, m->line);
		if (m->prompt) {
			kx_buf_printf(b, "  prompt       \"%s\"\n", m->prompt->text);
			kx_buf_puts(b, "  menu         ");
			kx_menu_path(b, m, " -> ");
			kx_buf_putc(b, '\n');
		}
		if (m->dep && !kx_expr_is_yes(kc, m->dep))
			expr_line(kc, b, "depends on", m->dep);
	}
	for (struct kx_prop *p = s->prop; p; p = p->next) {
		switch (p->type) {
		case KX_P_DEFAULT:
			kx_buf_puts(b, "  default      ");
			kx_expr_print(b, p->expr, value_text, kc);
			if (p->cond) {
				kx_buf_puts(b, " if ");
				kx_expr_print(b, p->cond, value_text, kc);
			}
			kx_buf_printf(b, "  (%s:%d)\n", p->file, p->line);
			break;
		case KX_P_SELECT:
		case KX_P_IMPLY:
			kx_buf_printf(b, "  %-13s", p->type == KX_P_SELECT ? "selects" : "implies");
			kx_expr_print(b, p->expr, NULL, NULL);
			if (p->cond) {
				kx_buf_puts(b, " if ");
				kx_expr_print(b, p->cond, value_text, kc);
			}
			kx_buf_printf(b, "  (%s:%d)\n", p->file, p->line);
			break;
		case KX_P_RANGE:
			kx_buf_printf(b, "  range        %s %s", p->expr->left.sym->name,
				      p->expr->right.sym->name);
			if (p->cond) {
				kx_buf_puts(b, " if ");
				kx_expr_print(b, p->cond, value_text, kc);
			}
			kx_buf_printf(b, "  (%s:%d)\n", p->file, p->line);
			break;
		default:
			break;
		}
	}
	if (s->rev_dep)
		expr_line(kc, b, "selected by", s->rev_dep);
	if (s->implied)
		expr_line(kc, b, "implied by", s->implied);
}

static void json_expr(struct kx_kconfig *kc, struct kx_buf *b,
		      const struct kx_expr *e)
{
	struct kx_buf t = KX_BUF_INIT;

	(void)kc;
	if (!e) {
		kx_buf_puts(b, "null");
		return;
	}
	kx_expr_print(&t, e, NULL, NULL);
	kx_json_str(b, kx_buf_cstr(&t));
	kx_buf_free(&t);
}

void kx_describe_sym_json(struct kx_kconfig *kc, struct kx_buf *b,
			  struct kx_sym *s)
{
	bool first = true;

	kx_sym_calc_value(kc, s);
	kx_buf_puts(b, "{\"name\":");
	kx_json_str(b, kx_sym_display_name(s));
	kx_buf_printf(b, ",\"choice\":%s", kx_sym_is_choice(s) ? "true" : "false");
	kx_buf_puts(b, ",\"type\":");
	kx_json_str(b, kx_symtype_name(s->type));
	if (s->flags & KX_SYM_TRANS)
		kx_buf_puts(b, ",\"transitional\":true");
	kx_buf_puts(b, ",\"value\":");
	kx_json_str(b, kx_sym_string_value(kc, s));
	kx_buf_puts(b, ",\"definitions\":[");
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		if (!first)
			kx_buf_putc(b, ',');
		first = false;
		kx_buf_puts(b, "{\"file\":");
		kx_json_str(b, m->file);
		kx_buf_printf(b, ",\"line\":%d,\"prompt\":", m->line);
		kx_json_str(b, m->prompt ? m->prompt->text : NULL);
		kx_buf_puts(b, ",\"menu_path\":");
		kx_menu_path_json(b, m);
		kx_buf_puts(b, ",\"depends_on\":");
		json_expr(kc, b, m->dep && !kx_expr_is_yes(kc, m->dep) ? m->dep : NULL);
		kx_buf_putc(b, '}');
	}
	kx_buf_puts(b, "],\"properties\":[");
	first = true;
	for (struct kx_prop *p = s->prop; p; p = p->next) {
		if (p->type == KX_P_MENU)
			continue;
		if (!first)
			kx_buf_putc(b, ',');
		first = false;
		kx_buf_puts(b, "{\"kind\":");
		kx_json_str(b, kx_prop_type_name(p->type));
		if (p->type == KX_P_PROMPT) {
			kx_buf_puts(b, ",\"text\":");
			kx_json_str(b, p->text);
		}
		kx_buf_puts(b, ",\"expr\":");
		json_expr(kc, b, p->expr);
		kx_buf_puts(b, ",\"if\":");
		json_expr(kc, b, p->cond);
		kx_buf_puts(b, ",\"file\":");
		kx_json_str(b, p->file);
		kx_buf_printf(b, ",\"line\":%d}", p->line);
	}
	kx_buf_puts(b, "],\"selected_by\":");
	json_expr(kc, b, s->rev_dep);
	kx_buf_puts(b, ",\"implied_by\":");
	json_expr(kc, b, s->implied);
	kx_buf_putc(b, '}');
}

/* ---- conf's help text ------------------------------------------------------ */

static void dep_str(struct kx_kconfig *kc, struct kx_buf *b,
		    const struct kx_expr *e, const char *prefix)
{
	if (kx_expr_is_yes(kc, e))
		return;
	kx_buf_puts(b, prefix);
	kx_expr_print(b, e, value_text, kc);
	kx_buf_putc(b, '\n');
}

static void prompt_str(struct kx_kconfig *kc, struct kx_buf *b, struct kx_prop *p)
{
	struct kx_menu *chain[8], *m;
	int i = 0;

	kx_buf_printf(b, "  Prompt: %s\n", p->text);
	dep_str(kc, b, p->menu->dep, "  Depends on: ");
	if (!kx_expr_eq(kc, p->menu->dep, p->visible))
		dep_str(kc, b, p->visible, "  Visible if: ");
	/* before 6.0 the chain starts at the entry's parent (and may be empty) */
	m = KX_SEM(kc, HELP_LOCATION_V2) ? p->menu : p->menu->parent;
	for (; m && !(m->flags & KX_MENU_ROOT) && i < 8; m = m->parent)
		chain[i++] = m;
	if (i || KX_SEM(kc, HELP_LOCATION_V2))
		kx_buf_puts(b, "  Location:\n");
	for (int j = 0; --i >= 0; j++) {
		m = chain[i];
		kx_buf_printf(b, "%*c-> %s", 2 * j + 4, ' ', menu_label(m));
		if (m->sym)
			kx_buf_printf(b, " (%s [=%s])", m->sym->name ? m->sym->name : "<choice>",
				      kx_sym_string_value(kc, m->sym));
		kx_buf_putc(b, '\n');
	}
}

static void props_str(struct kx_kconfig *kc, struct kx_buf *b, struct kx_sym *s,
		      enum kx_prop_type t, const char *prefix)
{
	bool hit = false;

	for (struct kx_prop *p = s->prop; p; p = p->next) {
		if (p->type != t)
			continue;
		kx_buf_puts(b, hit ? " && " : prefix);
		hit = true;
		kx_expr_print(b, p->expr, value_text, kc);
	}
	if (hit)
		kx_buf_putc(b, '\n');
}

static void revdep_str(struct kx_kconfig *kc, struct kx_buf *b, const struct kx_expr *e,
		       kx_tri want, const char **title)
{
	if (e->type == KX_E_OR) {
		revdep_str(kc, b, e->left.expr, want, title);
		revdep_str(kc, b, e->right.expr, want, title);
		return;
	}
	if (kx_expr_calc(kc, e) != want)
		return;
	if (*title) {
		kx_buf_puts(b, *title);
		*title = NULL;
	}
	kx_buf_puts(b, "  - ");
	kx_expr_print(b, e, value_text, kc);
	kx_buf_putc(b, '\n');
}

void kx_conf_help_text(struct kx_kconfig *kc, struct kx_menu *menu, struct kx_buf *b)
{
	struct kx_sym *s = menu->sym;
	const char *t;

	if (menu->help) {
		if (s && s->name)
			kx_buf_printf(b, "CONFIG_%s:\n\n", s->name);
		kx_buf_printf(b, "%s\n", menu->help);
	} else {
		kx_buf_puts(b, "There is no help available for this option.\n");
	}
	if (!s)
		return;
	if (s->name) {
		kx_buf_printf(b, "Symbol: %s [=%s]\n", s->name, kx_sym_string_value(kc, s));
		kx_buf_printf(b, "Type  : %s\n", kx_symtype_name(s->type));
		if (s->type == KX_S_INT || s->type == KX_S_HEX) {
			for (struct kx_prop *p = s->prop; p; p = p->next) {
				if (p->type != KX_P_RANGE || kx_expr_calc(kc, p->visible) == KX_NO)
					continue;
				kx_buf_puts(b, "Range : ");
				kx_expr_print(b, p->expr, value_text, kc);
				kx_buf_putc(b, '\n');
				break;
			}
		}
	}
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		if (!m->prompt)
			continue;
		kx_buf_printf(b, "Defined at %s:%d\n", m->file, m->line);
		prompt_str(kc, b, m->prompt);
	}
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		if (m->prompt)
			continue;
		kx_buf_printf(b, "Defined at %s:%d\n", m->file, m->line);
		dep_str(kc, b, m->dep, "  Depends on: ");
	}
	props_str(kc, b, s, KX_P_SELECT, "Selects: ");
	if (s->rev_dep) {
		t = "Selected by [y]:\n";
		revdep_str(kc, b, s->rev_dep, KX_YES, &t);
		t = "Selected by [m]:\n";
		revdep_str(kc, b, s->rev_dep, KX_MOD, &t);
		t = "Selected by [n]:\n";
		revdep_str(kc, b, s->rev_dep, KX_NO, &t);
	}
	props_str(kc, b, s, KX_P_IMPLY, "Implies: ");
	if (s->implied) {
		t = "Implied by [y]:\n";
		revdep_str(kc, b, s->implied, KX_YES, &t);
		t = "Implied by [m]:\n";
		revdep_str(kc, b, s->implied, KX_MOD, &t);
		t = "Implied by [n]:\n";
		revdep_str(kc, b, s->implied, KX_NO, &t);
	}
	kx_buf_puts(b, "\n\n");
}
