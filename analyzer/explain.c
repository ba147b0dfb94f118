// SPDX-License-Identifier: MIT
/*
 * explain.c - why a symbol has its value (see explain.h).
 *
 * The rule that decided is found the way the evaluator decided it
 * (eval.c): a visible symbol with a user value takes it; otherwise the
 * first default whose condition holds, raised by 'imply'; any symbol is
 * raised by an active 'select'.  Every expression is printed with the
 * value of each symbol in it, as menuconfig's help does ("X [=y]").
 */
#include "analyzer/explain.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"

static const char *tri_name(kx_tri t)
{
	return t == KX_YES ? "y" : t == KX_MOD ? "m" : "n";
}

static const char *value_text(void *ctx, struct kx_sym *s)
{
	return kx_sym_string_value(ctx, s);
}

static void add_who(struct kx_who **v, size_t *n, struct kx_sym *sym,
		    const char *value, const struct kx_prop *p, kx_tri active)
{
	*v = kx_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].sym = sym;
	(*v)[*n].value = value;
	(*v)[*n].file = p->file;
	(*v)[*n].line = p->line;
	(*v)[*n].active = active;
	(*n)++;
}

void kx_why_compute(struct kx_kconfig *kc, struct kx_sym *s, struct kx_why *w)
{
	bool tri = s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE;

	memset(w, 0, sizeof(*w));
	w->sym = s;
	kx_sym_calc_value(kc, s);
	w->value = kx_sym_string_value(kc, s);
	w->visible = s->visible;
	w->dep_tri = s->dir_dep_tri;
	for (struct kx_prop *p = s->prop; p; p = p->next)
		if (p->text)
			w->has_prompt = true;
	w->user_set = kx_sym_has_value(s);
	if (w->user_set)
		w->user_value = tri ? tri_name(s->def[KX_DEF_USER].tri)
				    : s->def[KX_DEF_USER].val;
	if (!s->menus) {
		w->rule = KX_WHY_UNDEFINED;
		return;
	}
	/* who selects / implies it */
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *o = kc->syms[i];

		for (struct kx_prop *p = o->prop; p; p = p->next) {
			kx_tri act;

			if ((p->type != KX_P_SELECT && p->type != KX_P_IMPLY) ||
			    p->expr->left.sym != s)
				continue;
			kx_sym_calc_value(kc, o);
			act = KX_TRI_AND(o->curr.tri, kx_expr_calc(kc, p->visible));
			if (p->type == KX_P_SELECT)
				add_who(&w->selectors, &w->nselectors, o,
					kx_sym_string_value(kc, o), p, act);
			else
				add_who(&w->impliers, &w->nimpliers, o,
					kx_sym_string_value(kc, o), p, act);
		}
	}
	w->choice = kx_sym_value_choice(kc, s);
	if (w->choice) {
		w->rule = KX_WHY_CHOICE;
		w->choice_sel = kx_choice_selected(kc, w->choice);
		return;
	}
	if (s->visible != KX_NO && w->user_set) {
		w->rule = KX_WHY_USER;
		if (tri && s->rev_dep_tri > KX_TRI_AND(s->def[KX_DEF_USER].tri, s->visible))
			w->rule = KX_WHY_SELECT;
		if (!tri && (!s->curr.val || !s->def[KX_DEF_USER].val ||
			     strcmp(s->curr.val, s->def[KX_DEF_USER].val))) {
			w->rule = KX_WHY_RANGE;
			w->user_ignored = true;
		}
		return;
	}
	if (w->user_set)
		w->user_ignored = true;
	/* the first default whose condition holds */
	for (struct kx_prop *p = s->prop; p; p = p->next) {
		if (p->type != KX_P_DEFAULT)
			continue;
		if (kx_expr_calc(kc, p->visible) != KX_NO) {
			w->prop = p;
			break;
		}
	}
	w->rule = w->prop ? KX_WHY_DEFAULT : KX_WHY_NO_DEFAULT;
	if (tri) {
		kx_tri dv = KX_NO;

		if (w->prop)
			dv = KX_TRI_AND(kx_expr_calc(kc, w->prop->expr),
					kx_expr_calc(kc, w->prop->visible));
		if (s->rev_dep_tri > dv && s->rev_dep_tri == s->curr.tri)
			w->rule = KX_WHY_SELECT;
		else if (s->implied_tri > dv && s->curr.tri > dv)
			w->rule = KX_WHY_IMPLY;
	}
}

void kx_why_free(struct kx_why *w)
{
	free(w->selectors);
	free(w->impliers);
	memset(w, 0, sizeof(*w));
}

static void print_deps(struct kx_kconfig *kc, struct kx_buf *b, struct kx_sym *s)
{
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		kx_buf_printf(b, "  defined at %s:%d", m->file, m->line);
		if (m->prompt)
			kx_buf_printf(b, ": \"%s\"", m->prompt->text);
		kx_buf_putc(b, '\n');
		if (m->prompt) {
			kx_buf_puts(b, "    menu: ");
			kx_menu_path(b, m, " -> ");
			kx_buf_putc(b, '\n');
		}
		if (m->dep && !kx_expr_is_yes(kc, m->dep)) {
			kx_buf_printf(b, "    depends on [%s]: ", tri_name(kx_expr_calc(kc, m->dep)));
			kx_expr_print_readable(b, m->dep, value_text, kc);
			kx_buf_putc(b, '\n');
		}
		if (m->prompt && m->prompt->visible && m->prompt->visible != m->dep &&
		    !kx_expr_is_yes(kc, m->prompt->visible)) {
			kx_buf_printf(b, "    prompt visible if [%s]: ",
				      tri_name(kx_expr_calc(kc, m->prompt->visible)));
			kx_expr_print_readable(b, m->prompt->visible, value_text, kc);
			kx_buf_putc(b, '\n');
		}
	}
}

void kx_why_text(struct kx_kconfig *kc, const struct kx_why *w, struct kx_buf *b)
{
	struct kx_sym *s = w->sym;

	kx_buf_printf(b, "%s=%s", kx_sym_display_name(s), w->value);
	if (w->rule == KX_WHY_UNDEFINED) {
		kx_buf_puts(b, ": not defined in this tree for this architecture\n");
		return;
	}
	kx_buf_printf(b, " (%s)\n", kx_symtype_name(s->type));
	switch (w->rule) {
	case KX_WHY_USER:
		if (s->flags & KX_SYM_FROM_TRANS) {
			/* 6.18: conf made the old name's value this one's */
			kx_buf_printf(b, "  %s in the configuration, from the transitional symbol "
				      "of its first default:", w->user_value);
			for (struct kx_prop *p = s->prop; p; p = p->next) {
				if (p->type == KX_P_DEFAULT && p->expr->type == KX_E_SYMBOL &&
				    (p->expr->left.sym->flags & KX_SYM_TRANS)) {
					kx_buf_printf(b, " default %s (%s:%d)",
						      p->expr->left.sym->name, p->file, p->line);
					break;
				}
			}
			kx_buf_puts(b, "; conf keeps it as if you had set it\n");
			break;
		}
		kx_buf_printf(b, "  set to %s in the configuration (the prompt is visible)\n",
			      w->user_value);
		break;
	case KX_WHY_RANGE:
		kx_buf_printf(b, "  the configuration says %s, but that is outside the range; clamped\n",
			      w->user_value);
		break;
	case KX_WHY_DEFAULT:
		kx_buf_puts(b, "  from the default ");
		kx_expr_print_readable(b, w->prop->expr, value_text, kc);
		if (w->prop->cond) {
			kx_buf_puts(b, " if ");
			kx_expr_print_readable(b, w->prop->cond, value_text, kc);
		}
		kx_buf_printf(b, "  (%s:%d)\n", w->prop->file, w->prop->line);
		break;
	case KX_WHY_NO_DEFAULT:
		kx_buf_puts(b, "  no default applies and nothing selects it\n");
		break;
	case KX_WHY_SELECT:
		kx_buf_puts(b, "  selected (see below)\n");
		break;
	case KX_WHY_IMPLY:
		kx_buf_puts(b, "  implied (see below)\n");
		break;
	case KX_WHY_CHOICE:
		kx_buf_printf(b, "  a member of the choice \"%s\" (%s:%d); selected: %s\n",
			      w->choice->prompt ? w->choice->prompt->text : "?",
			      w->choice->file, w->choice->line,
			      w->choice_sel ? w->choice_sel->name : "none");
		break;
	default:
		break;
	}
	if (w->user_ignored && w->rule != KX_WHY_RANGE)
		kx_buf_printf(b, "  the configuration's value %s is ignored: %s\n",
			      w->user_value, w->has_prompt ? "the prompt is not visible"
							   : "it has no prompt");
	if (!w->has_prompt)
		kx_buf_puts(b, "  it has no prompt: only defaults and selects set it\n");
	else if (w->visible == KX_NO)
		kx_buf_puts(b, "  its prompt is not visible in menuconfig now\n");
	print_deps(kc, b, s);
	for (size_t i = 0; i < w->nselectors; i++) {
		const struct kx_who *x = &w->selectors[i];

		if (!i)
			kx_buf_puts(b, "  selected by:\n");
		kx_buf_printf(b, "    %s [=%s]%s  (%s:%d)\n", x->sym->name, x->value,
			      x->active ? "  active" : "", x->file, x->line);
	}
	for (size_t i = 0; i < w->nimpliers; i++) {
		const struct kx_who *x = &w->impliers[i];

		if (!i)
			kx_buf_puts(b, "  implied by:\n");
		kx_buf_printf(b, "    %s [=%s]%s  (%s:%d)\n", x->sym->name, x->value,
			      x->active ? "  active" : "", x->file, x->line);
	}
}

static const char *rule_name(enum kx_why_rule r)
{
	switch (r) {
	case KX_WHY_USER: return "user";
	case KX_WHY_DEFAULT: return "default";
	case KX_WHY_NO_DEFAULT: return "no-default";
	case KX_WHY_SELECT: return "select";
	case KX_WHY_IMPLY: return "imply";
	case KX_WHY_CHOICE: return "choice";
	case KX_WHY_RANGE: return "range";
	case KX_WHY_UNDEFINED: return "undefined";
	}
	return "?";
}

static void json_expr(struct kx_kconfig *kc, struct kx_buf *b, const struct kx_expr *e)
{
	struct kx_buf t = KX_BUF_INIT;

	if (!e) {
		kx_buf_puts(b, "null");
		return;
	}
	kx_expr_print_readable(&t, e, value_text, kc);
	kx_json_str(b, kx_buf_cstr(&t));
	kx_buf_free(&t);
}

static void json_who(struct kx_buf *b, const struct kx_who *v, size_t n)
{
	kx_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, v[i].sym->name);
		kx_buf_puts(b, ",\"value\":");
		kx_json_str(b, v[i].value);
		kx_buf_printf(b, ",\"active\":%s,\"file\":", v[i].active ? "true" : "false");
		kx_json_str(b, v[i].file);
		kx_buf_printf(b, ",\"line\":%d}", v[i].line);
	}
	kx_buf_putc(b, ']');
}

void kx_why_json(struct kx_kconfig *kc, const struct kx_why *w, struct kx_buf *b)
{
	bool first = true;

	kx_buf_puts(b, "{\"symbol\":");
	kx_json_str(b, w->sym->name);
	kx_buf_puts(b, ",\"type\":");
	kx_json_str(b, kx_symtype_name(w->sym->type));
	kx_buf_puts(b, ",\"value\":");
	kx_json_str(b, w->value);
	kx_buf_puts(b, ",\"rule\":");
	kx_json_str(b, rule_name(w->rule));
	kx_buf_printf(b, ",\"has_prompt\":%s,\"visible\":\"%s\",\"user_value\":",
		      w->has_prompt ? "true" : "false", tri_name(w->visible));
	kx_json_str(b, w->user_set ? w->user_value : NULL);
	kx_buf_printf(b, ",\"user_value_ignored\":%s", w->user_ignored ? "true" : "false");
	kx_buf_puts(b, ",\"default\":");
	if (w->prop) {
		kx_buf_puts(b, "{\"expr\":");
		json_expr(kc, b, w->prop->expr);
		kx_buf_puts(b, ",\"if\":");
		json_expr(kc, b, w->prop->cond);
		kx_buf_puts(b, ",\"file\":");
		kx_json_str(b, w->prop->file);
		kx_buf_printf(b, ",\"line\":%d}", w->prop->line);
	} else {
		kx_buf_puts(b, "null");
	}
	kx_buf_puts(b, ",\"choice\":");
	if (w->choice) {
		kx_buf_puts(b, "{\"prompt\":");
		kx_json_str(b, w->choice->prompt ? w->choice->prompt->text : NULL);
		kx_buf_puts(b, ",\"selected\":");
		kx_json_str(b, w->choice_sel ? w->choice_sel->name : NULL);
		kx_buf_puts(b, ",\"file\":");
		kx_json_str(b, w->choice->file);
		kx_buf_printf(b, ",\"line\":%d}", w->choice->line);
	} else {
		kx_buf_puts(b, "null");
	}
	kx_buf_puts(b, ",\"definitions\":[");
	for (struct kx_menu *m = w->sym->menus; m; m = m->sym_next) {
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
	kx_buf_puts(b, "],\"selected_by\":");
	json_who(b, w->selectors, w->nselectors);
	kx_buf_puts(b, ",\"implied_by\":");
	json_who(b, w->impliers, w->nimpliers);
	kx_buf_putc(b, '}');
}

/* The conjuncts of 'e' that are n, each with its value, joined by "&&". */
static void failing_conjuncts(struct kx_kconfig *kc, struct kx_buf *b, const struct kx_expr *e)
{
	const struct kx_expr *stack[256];
	int n = 0, shown = 0;

	stack[n++] = e;
	while (n) {
		e = stack[--n];
		if (e->type == KX_E_AND && n < 254) {
			stack[n++] = e->right.expr;
			stack[n++] = e->left.expr;
			continue;
		}
		if (kx_expr_calc(kc, e) != KX_NO)
			continue;
		if (shown++)
			kx_buf_puts(b, " && ");
		if (e->type == KX_E_OR)
			kx_buf_putc(b, '(');
		kx_expr_print_readable(b, e, value_text, kc);
		if (e->type == KX_E_OR)
			kx_buf_putc(b, ')');
	}
}

char *kx_why_not_brief(struct kx_kconfig *kc, struct kx_sym *s, const char *value)
{
	struct kx_buf b = KX_BUF_INIT;
	struct kx_why w;

	kx_why_compute(kc, s, &w);
	if (w.rule == KX_WHY_UNDEFINED) {
		kx_buf_puts(&b, "not defined in this tree for this architecture");
	} else if (w.choice && value[0] == 'y' && w.choice->dep &&
		   kx_expr_calc(kc, w.choice->dep) == KX_NO) {
		/* a choice that is not shown: its dependency is the reason */
		kx_buf_printf(&b, "the choice \"%s\" (%s:%d) is not shown: depends on ",
			      w.choice->prompt ? w.choice->prompt->text : "<choice>",
			      w.choice->file, w.choice->line);
		failing_conjuncts(kc, &b, w.choice->dep);
	} else if (w.choice && (!w.choice_sel || w.choice_sel != s) && value[0] == 'y') {
		kx_buf_printf(&b, "the choice \"%s\" selects %s",
			      w.choice->prompt ? w.choice->prompt->text : "?",
			      w.choice_sel ? w.choice_sel->name : "nothing");
	} else if (s->dir_dep && s->dir_dep_tri == KX_NO && value[0] != 'n') {
		kx_buf_printf(&b, "depends on ");
		failing_conjuncts(kc, &b, s->dir_dep);
		{
			const char *f = NULL;
			int l = 0;

			/* the failing 'depends on' or 'if' line, as written */
			for (struct kx_menu *m = s->menus; m && !f; m = m->sym_next)
				for (struct kx_menu *up = m; up && !f; up = up->lexical_parent)
					for (struct kx_dep *d = up->deps; d && !f; d = d->next)
						if (kx_expr_calc(kc, d->expr) == KX_NO) {
							f = up->file;
							l = d->line;
						}
			if (f)
				kx_buf_printf(&b, " (%s:%d)", f, l);
		}
	} else if (w.has_prompt && w.visible == KX_NO && value[0] != 'n') {
		struct kx_menu *m = kx_sym_main_menu(s);

		kx_buf_puts(&b, "its prompt is not visible: ");
		kx_expr_print_readable(&b, m && m->prompt ? m->prompt->visible : NULL, value_text, kc);
	} else if (!w.has_prompt && value[0] != 'n') {
		kx_buf_puts(&b, "it has no prompt and nothing selects it");
	} else if (value[0] == 'n' && s->rev_dep_tri != KX_NO) {
		kx_buf_puts(&b, "it is selected by ");
		kx_expr_print_readable(&b, s->rev_dep, value_text, kc);
	} else if (value[0] == 'm' && s->type == KX_S_BOOLEAN) {
		kx_buf_puts(&b, "it is a bool: it cannot be m");
	} else if (value[0] == 'm' && kc->modules_val == KX_NO) {
		kx_buf_puts(&b, "modules are disabled (MODULES=n)");
	} else if (w.visible == KX_MOD && value[0] == 'y') {
		kx_buf_puts(&b, "its dependencies allow at most m: ");
		kx_expr_print_readable(&b, s->dir_dep, value_text, kc);
	} else if (value[0] != 'n' && w.has_prompt && w.visible != KX_NO) {
		kx_buf_printf(&b, "it is %s in the configuration; it can be switched on (menuconfig or the closure below)",
			      w.value);
	} else {
		kx_buf_printf(&b, "its value is %s", w.value);
	}
	kx_why_free(&w);
	return kx_buf_detach(&b);
}
