// SPDX-License-Identifier: MIT
/*
 * report.c - how closures are shown: concise text that fits an 80-column
 * terminal, and JSON (docs/json-schema.md).
 */
#include "cli/report.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "cli/session.h"

static const char *cause_name(enum kx_cause c)
{
	switch (c) {
	case KX_CAUSE_FIXED: return "fixed";
	case KX_CAUSE_CONFLICT: return "conflict";
	case KX_CAUSE_NOT_FOUND: return "not-found";
	default: return "unknown";
	}
}

static void where(struct kx_buf *b, const struct kx_sym *sym)
{
	struct kx_menu *m = kx_sym_main_menu(sym);

	if (!m)
		return;
	kx_buf_printf(b, "%s:%d", m->file, m->line);
}

/* a value as a .config line has it: strings quoted and escaped */
void kx_put_value(struct kx_buf *b, const struct kx_sym *sym, const char *v)
{
	if (sym->type != KX_S_STRING) {
		kx_buf_puts(b, v);
		return;
	}
	kx_buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			kx_buf_putc(b, '\\');
		kx_buf_putc(b, *v);
	}
	kx_buf_putc(b, '"');
}

void kx_closure_text(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const char *indent)
{
	(void)s;
	for (size_t i = 0; i < cl->nchanges; i++) {
		const struct kx_change *c = &cl->changes[i];
		struct kx_menu *m = kx_sym_main_menu(c->sym);

		kx_buf_printf(b, "%s%s=", indent, c->sym->name);
		kx_put_value(b, c->sym, c->value);
		if (c->old_value && strcmp(c->old_value, c->value)) {
			kx_buf_puts(b, " (was ");
			kx_put_value(b, c->sym, c->old_value);
			kx_buf_putc(b, ')');
		}
		kx_buf_puts(b, "   ");
		where(b, c->sym);
		kx_buf_putc(b, '\n');
		if (c->is_target)
			kx_buf_printf(b, "%s    requested\n", indent);
		else if (c->need.by)
			kx_buf_printf(b, "%s    %s=%s needs it%s%s:%d%s\n", indent,
				      kx_sym_display_name(c->need.by), c->need.by_value,
				      c->need.file ? " (" : "",
				      c->need.file ? c->need.file : "", c->need.line,
				      c->need.file ? ")" : "");
		if (c->choice)
			kx_buf_printf(b, "%s    selected in the choice \"%s\"\n", indent,
				      c->choice->prompt ? c->choice->prompt->text : "?");
		if (m && m->prompt) {
			kx_buf_printf(b, "%s    menu: ", indent);
			kx_menu_path(b, m, " -> ");
			kx_buf_putc(b, '\n');
		}
	}
}

const char *kx_unmet_cause_text(enum kx_cause c)
{
	switch (c) {
	case KX_CAUSE_FIXED: return "fixed by the architecture or toolchain";
	case KX_CAUSE_CONFLICT: return "excluded by other targets or choices";
	case KX_CAUSE_NOT_FOUND: return "not found: the search could not reach it, "
					"which does not prove it impossible";
	default: return "cause unknown";
	}
}

void kx_unmet_text(struct kx_buf *b, const struct kx_unmet *u, size_t n,
		   bool origin)
{
	for (size_t i = 0; i < n; i++, u++) {
		const struct kx_target *t = u->target;

		kx_buf_printf(b, "  %s=%s (%s", t->sym->name, t->value,
			      kx_unmet_cause_text(u->cause));
		if (origin && t->origin)
			kx_buf_printf(b, "; from %s", t->origin);
		kx_buf_puts(b, ")\n");
		if (u->conflict_with)
			kx_buf_printf(b, "    conflicts with: %s\n", u->conflict_with);
		for (size_t k = 0; k < u->nchain; k++) {
			const struct kx_blocker *bl = &u->chain[k];

			kx_buf_printf(b, "    %s %s", kx_sym_display_name(bl->sym), bl->text);
			if (bl->file)
				kx_buf_printf(b, "  (%s:%d)", bl->file, bl->line);
			kx_buf_putc(b, '\n');
		}
	}
}

void kx_unmet_json(struct kx_buf *b, const struct kx_unmet *u, size_t n)
{
	kx_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++, u++) {
		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, u->target->sym->name);
		kx_buf_puts(b, ",\"value\":");
		kx_json_str(b, u->target->value);
		kx_buf_puts(b, ",\"cause\":");
		kx_json_str(b, cause_name(u->cause));
		kx_buf_puts(b, ",\"conflicts_with\":");
		kx_json_str(b, u->conflict_with);
		kx_buf_puts(b, ",\"chain\":[");
		for (size_t k = 0; k < u->nchain; k++) {
			const struct kx_blocker *bl = &u->chain[k];

			if (k)
				kx_buf_putc(b, ',');
			kx_buf_puts(b, "{\"symbol\":");
			kx_json_str(b, bl->sym->name);
			kx_buf_puts(b, ",\"needs\":");
			kx_json_str(b, bl->needs);
			kx_buf_puts(b, ",\"reason\":");
			kx_json_str(b, bl->text);
			kx_buf_puts(b, ",\"file\":");
			kx_json_str(b, bl->file);
			kx_buf_printf(b, ",\"line\":%d,\"fixed\":%s}", bl->line,
				      bl->fixed ? "true" : "false");
		}
		kx_buf_puts(b, "]}");
	}
	kx_buf_putc(b, ']');
}

void kx_report_closure(struct kx_session *s, const struct kx_closure *cl,
		       const struct kx_target *t, size_t nt, const char *base)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t held = nt - cl->nunmet;

	(void)t;
	if (!cl->nchanges && !cl->nunmet)
		kx_buf_printf(&b, "All %zu targets already hold in %s.\n", nt,
			      base ? base : "the base configuration");
	else if (cl->nchanges)
		kx_buf_printf(&b, "%zu change%s make%s %zu of %zu targets hold:\n",
			      cl->nchanges, cl->nchanges == 1 ? "" : "s",
			      cl->nchanges == 1 ? "s" : "", held, nt);
	kx_closure_text(s, &b, cl, "  ");
	if (cl->nunmet) {
		kx_buf_printf(&b, "%s%zu target%s cannot hold:\n", cl->nchanges ? "\n" : "",
			      cl->nunmet, cl->nunmet == 1 ? "" : "s");
		kx_unmet_text(&b, cl->unmet, cl->nunmet, false);
	}
	if (s->verbose > 0)
		kx_buf_printf(&b, "(%u SAT variables, %u clauses, %d round%s, %.3f s)\n",
			      cl->sat_vars, cl->sat_clauses, cl->rounds,
			      cl->rounds == 1 ? "" : "s", cl->seconds);
	fputs(kx_buf_cstr(&b), stdout);
	kx_buf_free(&b);
}

static void json_sym_loc(struct kx_buf *b, const struct kx_sym *sym)
{
	struct kx_menu *m = kx_sym_main_menu(sym);

	kx_buf_puts(b, ",\"file\":");
	kx_json_str(b, m ? m->file : NULL);
	kx_buf_printf(b, ",\"line\":%d,\"menu_path\":", m ? m->line : 0);
	kx_menu_path_json(b, m);
}

void kx_closure_json(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const struct kx_target *t,
		     size_t nt)
{
	(void)s;
	kx_buf_puts(b, "{\"targets\":[");
	for (size_t i = 0; i < nt; i++) {
		bool ok = true;

		for (size_t k = 0; k < cl->nunmet; k++)
			ok = ok && cl->unmet[k].target != &t[i];
		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, t[i].sym->name);
		kx_buf_puts(b, ",\"value\":");
		kx_json_str(b, t[i].value);
		kx_buf_printf(b, ",\"holds\":%s}", ok ? "true" : "false");
	}
	kx_buf_puts(b, "],\"changes\":[");
	for (size_t i = 0; i < cl->nchanges; i++) {
		const struct kx_change *c = &cl->changes[i];

		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, c->sym->name);
		kx_buf_puts(b, ",\"value\":");
		kx_json_str(b, c->value);
		kx_buf_puts(b, ",\"old_value\":");
		kx_json_str(b, c->old_value);
		json_sym_loc(b, c->sym);
		kx_buf_printf(b, ",\"requested\":%s", c->is_target ? "true" : "false");
		kx_buf_puts(b, ",\"choice\":");
		kx_json_str(b, c->choice && c->choice->prompt ? c->choice->prompt->text : NULL);
		kx_buf_puts(b, ",\"needed_by\":");
		if (c->need.by) {
			kx_buf_puts(b, "{\"symbol\":");
			kx_json_str(b, c->need.by->name);
			kx_buf_puts(b, ",\"value\":");
			kx_json_str(b, c->need.by_value);
			kx_buf_puts(b, ",\"file\":");
			kx_json_str(b, c->need.file);
			kx_buf_printf(b, ",\"line\":%d}", c->need.line);
		} else {
			kx_buf_puts(b, "null");
		}
		kx_buf_putc(b, '}');
	}
	kx_buf_puts(b, "],\"unmet\":");
	kx_unmet_json(b, cl->unmet, cl->nunmet);
	kx_buf_printf(b, ",\"verified\":%s,\"stats\":{\"sat_variables\":%u,"
		      "\"sat_clauses\":%u,\"rounds\":%d,\"seconds\":%.3f}}",
		      cl->verified ? "true" : "false", cl->sat_vars, cl->sat_clauses,
		      cl->rounds, cl->seconds);
}

void kx_report_closure_json(struct kx_session *s, const struct kx_closure *cl,
			    const struct kx_target *t, size_t nt,
			    char *const *unknown, size_t nunknown)
{
	struct kx_buf b = KX_BUF_INIT;

	if (cl) {
		kx_closure_json(s, &b, cl, t, nt);
		b.s[--b.len] = 0;	/* the closing brace: one more field */
	} else {
		/* nothing to solve: every target unknown */
		kx_buf_puts(&b, "{\"targets\":[],\"changes\":[],\"unmet\":[],"
			    "\"verified\":false");
	}
	kx_buf_puts(&b, ",\"unknown\":[");
	for (size_t i = 0; i < nunknown; i++) {
		if (i)
			kx_buf_putc(&b, ',');
		kx_json_str(&b, unknown[i]);
	}
	kx_buf_puts(&b, "]}\n");
	fputs(kx_buf_cstr(&b), stdout);
	kx_buf_free(&b);
}
