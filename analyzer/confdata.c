// SPDX-License-Identifier: MIT
/*
 * confdata.c - .config reading/writing and conf's configuration modes.
 *
 * Reading: each "CONFIG_X=value" or "# CONFIG_X is not set" line sets the
 * symbol's user value (def[KX_DEF_USER]); conf's warnings are kept
 * verbatim ("FILE:LINE:warning: override: reassigning to symbol X").  The
 * two generations of choice semantics differ here too: 6.11+ moves a
 * member read from the file to the front of its choice's priority list;
 * older trees record the selected member in the choice symbol.
 *
 * Writing walks the menu tree in order and prints every symbol flagged
 * KX_SYM_WRITE by the evaluator, with menu comments, exactly as conf.
 */
#include "analyzer/confdata.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "parser/env.h"

#define V2(kc) (KX_SEM(kc, CHOICE_V2))

static int default_open(void *ctx, const char *name, char **data, size_t *len)
{
	(void)ctx;
	return kx_read_file(data, len, name);
}

static const char *env_get(const struct kx_env *env, const char *name)
{
	return env ? kx_env_get(env, name) : NULL;
}

void kx_confio_init(struct kx_confio *io, struct kx_kconfig *kc,
		    const struct kx_env *env)
{
	const char *s;

	memset(io, 0, sizeof(*io));
	io->kc = kc;
	io->open = default_open;
	s = env_get(env, "CONFIG_");
	io->prefix = s ? s : "CONFIG_";
	io->warn_unknown = env_get(env, "KCONFIG_WARN_UNKNOWN_SYMBOLS") != NULL;
	s = env_get(env, "KCONFIG_WARN_CHANGED_INPUT");
	io->warn_changed_input = s && *s && KX_SEM(kc, WARN_CHANGED_INPUT);
	io->defconfig_list = env_get(env, "KCONFIG_DEFCONFIG_LIST");
	s = env_get(env, "KCONFIG_OVERWRITECONFIG");
	io->overwrite = s && *s;
	s = env_get(env, "KCONFIG_AUTOCONFIG");
	io->autoconfig_name = s ? s : "include/config/auto.conf";
	s = env_get(env, "KCONFIG_AUTOHEADER");
	io->autoheader_name = s ? s : "include/generated/autoconf.h";
	s = env_get(env, "KCONFIG_RUSTCCFG");
	io->rustccfg_name = s ? s : "include/generated/rustc_cfg";
	s = env_get(env, "KCONFIG_CONFIG");
	io->config_name = s ? s : ".config";
}

static void message(struct kx_confio *io, const char *fmt, const char *arg)
{
	char *msg;

	if (!io->message)
		return;
	msg = kx_xasprintf(fmt, arg);
	io->message(io->message_ctx, msg);
	free(msg);
}

/* ---- reading ------------------------------------------------------------- */

static int touch_dep(struct kx_confio *io, const char *sym);

struct reader {
	struct kx_confio *io;
	const char *name;
	int lineno;
};

static void conf_warning(struct reader *rd, const char *fmt, const char *a,
			 const char *b)
{
	struct kx_buf msg = KX_BUF_INIT;

	kx_buf_printf(&msg, fmt, a, b);
	if (rd->io->kc->diags)
		kx_diags_add(rd->io->kc->diags, KX_DIAG_WARNING, rd->name,
			     rd->lineno, "%s:%d:warning: %s", rd->name,
			     rd->lineno, kx_buf_cstr(&msg));
	kx_buf_free(&msg);
	rd->io->warnings++;
}

/* conf_set_sym_val: parses 'p' for symbol s into def[which] */
static int set_sym_val(struct reader *rd, struct kx_sym *s, int which,
		       unsigned def_flags, char *p)
{
	struct kx_kconfig *kc = rd->io->kc;
	char *p2;

	switch (s->type) {
	case KX_S_TRISTATE:
		if (p[0] == 'm') {
			s->def[which].tri = KX_MOD;
			s->flags |= def_flags;
			break;
		}
		/* fall through */
	case KX_S_BOOLEAN:
		if (p[0] == 'y') {
			s->def[which].tri = KX_YES;
			s->flags |= def_flags;
			break;
		}
		if (p[0] == 'n') {
			s->def[which].tri = KX_NO;
			s->flags |= def_flags;
			break;
		}
		if (which != KX_DEF_AUTO)
			conf_warning(rd, "symbol value '%s' invalid for %s", p, s->name);
		return 1;
	case KX_S_STRING:
		/* no escaping in auto.conf (5.17 on) */
		if (which != KX_DEF_AUTO || !KX_SEM(kc, AUTOCONF_UNQUOTED)) {
			char *w;

			if (*p++ != '"')
				break;
			/*
			 * Unescape in place up to the closing quote: '\' takes
			 * the next byte literally.  Robustness: one linear pass
			 * (a memmove per backslash was quadratic: 10 MB of
			 * backslashes took minutes); a '\' or no quote at the
			 * end is an unterminated string, as before.
			 */
			for (p2 = w = p; *p2 && *p2 != '"'; p2++) {
				if (*p2 == '\\' && !*++p2)
					break;
				*w++ = *p2;
			}
			if (*p2 != '"')
				p2 = NULL;
			*w = 0;
			if (!p2) {
				if (which != KX_DEF_AUTO)
					conf_warning(rd, "invalid string found%s%s", "", "");
				return 1;
			}
		}
		/* fall through */
	case KX_S_INT:
	case KX_S_HEX:
		if (kx_sym_string_valid(s, p)) {
			s->def[which].val = kx_arena_strdup(kc->arena, p);
			s->flags |= def_flags;
		} else {
			if (which != KX_DEF_AUTO)
				conf_warning(rd, "symbol value '%s' invalid for %s",
					     p, s->name);
			return 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* 6.11+: a member read from a file gets the highest priority */
static void move_to_front(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_menu *cm = kx_sym_choice_menu(s);
	struct kx_menu *old = s->member_of;

	(void)kc;
	if (!cm)
		return;
	if (old) {
		for (size_t i = 0; i < old->nprio; i++) {
			if (old->prio[i] != s)
				continue;
			memmove(old->prio + i, old->prio + i + 1,
				(old->nprio - i - 1) * sizeof(*old->prio));
			old->nprio--;
			break;
		}
	}
	if (cm->nprio == cm->capprio) {
		size_t cap = cm->capprio ? cm->capprio * 2 : 8;
		struct kx_sym **v = kx_arena_alloc(kc->arena, cap * sizeof(*v));

		if (cm->nprio)
			memcpy(v, cm->prio, cm->nprio * sizeof(*v));
		cm->prio = v;
		cm->capprio = cap;
	}
	memmove(cm->prio + 1, cm->prio, cm->nprio * sizeof(*cm->prio));
	cm->prio[0] = s;
	cm->nprio++;
	s->member_of = cm;
}

/* <= 6.10: a choice value read from a file sets the choice's state */
static void v1_choice_state(struct reader *rd, struct kx_sym *s, int which,
			    unsigned def_flags)
{
	struct kx_sym *cs = s->choice_sym;

	switch (s->def[which].tri) {
	case KX_NO:
		break;
	case KX_MOD:
		if (cs->def[which].tri == KX_YES) {
			conf_warning(rd, "%s creates inconsistent choice state%s",
				     s->name, "");
			cs->flags &= ~def_flags;
		}
		break;
	case KX_YES:
		if (cs->def[which].tri != KX_NO)
			conf_warning(rd, "override: %s changes choice state%s",
				     s->name, "");
		cs->choice_def[which] = s;
		break;
	}
	cs->def[which].tri = KX_TRI_OR(cs->def[which].tri, s->def[which].tri);
}

static void reset_defs(struct kx_kconfig *kc, int which, unsigned def_flags)
{
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		if (which == KX_DEF_USER)
			s->flags &= ~KX_SYM_FROM_TRANS;
		if (V2(kc)) {
			s->flags &= ~def_flags;
		} else {
			s->flags |= KX_SYM_CHANGED;
			s->flags &= ~(def_flags | KX_SYM_VALID);
			if (kx_sym_is_choice(s))
				s->flags |= def_flags;
		}
		s->def[which].val = NULL;
		s->def[which].tri = KX_NO;
		s->choice_def[which] = NULL;
	}
	/* (eval.c: every value may change now) */
	if (!V2(kc))
		kx_expr_invalidate_all(kc);
	if (V2(kc) && which == KX_DEF_USER) {
		for (size_t i = 0; i < kc->nsyms; i++)
			kc->syms[i]->flags &= ~KX_SYM_VALID;
		kx_expr_invalidate_all(kc);
	}
}

/* one line: returns the symbol name and value, or NULL to skip */
static const char *split_line(struct reader *rd, char *line, char **val)
{
	struct kx_confio *io = rd->io;
	size_t plen = strlen(io->prefix);
	char *p, *name;

	if (line[0] == '#') {
		/* until 5.17 any byte after the '#' will do ("#\tCONFIG_X") */
		if (line[1] != ' ' && (KX_SEM(io->kc, NOTSET_SPACE) || !line[1]))
			return NULL;
		p = line + 2;
		/* strncmp, not memcmp: the line may be shorter than the
		 * prefix and end at the end of the buffer (found by fuzzing) */
		if (strncmp(p, io->prefix, plen))
			return NULL;
		name = p + plen;
		p = strchr(name, ' ');
		if (!p)
			return NULL;
		*p++ = 0;
		if (KX_SEM(io->kc, READ_STRICT) ? strcmp(p, "is not set")
						: strncmp(p, "is not set", 10))
			return NULL;
		*val = (char *)"n";
		return name;
	}
	if (KX_SEM(io->kc, READ_STRICT)) {
		if (!line[0])
			return NULL;
		if (strncmp(line, io->prefix, plen)) {	/* see above */
			conf_warning(rd, "unexpected data: %s%s", line, "");
			return NULL;
		}
		name = line + plen;
		p = strchr(name, '=');
		if (!p) {
			conf_warning(rd, "unexpected data: %s%s", line, "");
			return NULL;
		}
		*p = 0;
		*val = p + 1;
		return name;
	}
	if (!strncmp(line, io->prefix, plen)) {	/* see above */
		name = line + plen;
		p = strchr(name, '=');
		if (!p)
			return NULL;
		*p++ = 0;
		*val = p;
		return name;
	}
	if (line[0] != '\r' && line[0] != '\n' && line[0])
		conf_warning(rd, "unexpected data: %s%s", line, "");
	return NULL;
}

int kx_conf_read_buf(struct kx_confio *io, const char *name, char *data,
		     size_t len, int which)
{
	struct kx_kconfig *kc = io->kc;
	struct reader rd = { io, name, 0 };
	unsigned def_flags = KX_SYM_DEF_USER << which;
	size_t pos = 0;

	io->warnings = 0;
	reset_defs(kc, which, def_flags);
	while (pos < len) {
		char *line = data + pos, *val = NULL, *nl;
		size_t n;
		const char *sname;
		struct kx_sym *s;

		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		line[n] = 0;
		/* conf strips "\n" and one "\r" before it */
		if (n && line[n - 1] == '\r' && nl)
			line[--n] = 0;
		rd.lineno++;
		/* a NUL byte ends the line for conf's string functions */
		sname = split_line(&rd, line, &val);
		if (!sname)
			continue;
		s = kx_sym_find(kc, sname);
		if (!s || (s->flags & KX_SYM_CONST)) {
			if (which == KX_DEF_AUTO) {
				/* gone from the tree since auto.conf was
				 * written: what depended on it must rebuild */
				touch_dep(io, sname);
			} else {
				if (io->warn_unknown && KX_SEM(kc, WARN_UNKNOWN))
					conf_warning(&rd, "unknown symbol: %s%s", sname, "");
				kc->changed = true;
			}
			continue;
		}
		if (s->flags & def_flags)
			conf_warning(&rd, "override: reassigning to symbol %s%s",
				     s->name, "");
		if (set_sym_val(&rd, s, which, def_flags, val))
			continue;
		if (V2(kc)) {
			if (which == KX_DEF_USER)
				move_to_front(kc, s);
		} else if (s->flags & KX_SYM_CHOICEVAL) {
			v1_choice_state(&rd, s, which, def_flags);
		}
	}
	return 0;
}

/*
 * Before 5.13, without a .config conf reads the first file that exists
 * among the defaults of the 'option defconfig_list' symbol (those whose
 * condition holds and that are a single symbol or string).  Returns 0
 * (name and contents set) or KX_ENOTFOUND.
 */
static int read_defconfig_symbol(struct kx_confio *io, const char **name,
				 char **data, size_t *len)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_sym *list = NULL;

	for (size_t i = 0; i < kc->nsyms && !list; i++)
		if (kc->syms[i]->flags & KX_SYM_DEFCONFIG_LIST)
			list = kc->syms[i];
	if (!list)
		return KX_ENOTFOUND;
	for (struct kx_prop *pr = list->prop; pr; pr = pr->next) {
		const char *file;

		if (pr->type != KX_P_DEFAULT || kx_expr_calc(kc, pr->visible) == KX_NO ||
		    pr->expr->type != KX_E_SYMBOL)
			continue;
		kx_sym_calc_value(kc, pr->expr->left.sym);
		file = kx_sym_string_value(kc, pr->expr->left.sym);
		if (io->open(io->open_ctx, file, data, len) == 0) {
			*name = kx_arena_strdup(kc->arena, file);
			message(io, "using defaults found in %s", *name);
			return 0;
		}
	}
	return KX_ENOTFOUND;
}

int kx_conf_read_simple(struct kx_confio *io, const char *name, int which)
{
	char *data = NULL;
	size_t len = 0;
	int err;

	if (name) {
		err = io->open(io->open_ctx, name, &data, &len);
	} else {
		name = io->config_name;
		err = io->open(io->open_ctx, name, &data, &len);
		if (err == KX_ENOTFOUND && !KX_SEM(io->kc, DEFCONFIG_ENV)) {
			io->kc->changed = true;
			err = read_defconfig_symbol(io, &name, &data, &len);
		} else if (err == KX_ENOTFOUND) {
			const char *list = io->defconfig_list;

			io->kc->changed = true;
			/* each word of KCONFIG_DEFCONFIG_LIST, first that exists */
			while (list && *list && err == KX_ENOTFOUND) {
				size_t n;
				char *word;

				while (*list == ' ' || *list == '\t' || *list == '\n')
					list++;
				n = strcspn(list, " \t\n");
				if (!n)
					break;
				word = kx_arena_strndup(io->kc->arena, list, n);
				list += n;
				err = io->open(io->open_ctx, word, &data, &len);
				if (!err) {
					name = word;
					message(io, "using defaults found in %s", name);
				}
			}
		}
	}
	if (err == KX_ENOTFOUND)
		return KX_READ_NOT_FOUND;
	if (err < 0)
		return err;
	err = kx_conf_read_buf(io, name, data, len, which);
	free(data);
	return err;
}

/* the part of conf_read after the file was loaded: evaluate everything */
static void after_read(struct kx_confio *io)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_sym **order;
	size_t n;
	int unsaved = 0;

	kx_sym_calc_value(kc, kc->modules_sym);
	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *s = order[i];

		kx_sym_calc_value(kc, s);
		if (kx_sym_is_choice(s) || (s->flags & KX_SYM_NO_WRITE))
			continue;
		if (kx_sym_has_value(s) && (s->flags & KX_SYM_WRITE)) {
			/* does the computed value agree with the file? */
			if (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) {
				if (s->def[KX_DEF_USER].tri == s->curr.tri)
					continue;
			} else if (s->curr.val && s->def[KX_DEF_USER].val &&
				   !strcmp(s->curr.val, s->def[KX_DEF_USER].val)) {
				continue;
			}
		} else if (!kx_sym_has_value(s) && !(s->flags & KX_SYM_WRITE)) {
			continue;
		}
		unsaved++;
	}
	if (!KX_SEM(kc, READ_NO_RESET)) {
		for (size_t i = 0; i < n; i++) {
			struct kx_sym *s = order[i];

			if (!kx_sym_has_value(s) || (s->flags & KX_SYM_CHOICEVAL))
				continue;
			/* generated values re-appear as new when they become visible */
			if (s->visible == KX_NO && !unsaved)
				s->flags &= ~KX_SYM_DEF_USER;
			if (s->type == KX_S_STRING || s->type == KX_S_INT ||
			    s->type == KX_S_HEX) {
				/* a value out of range is dropped */
				if (kx_sym_string_within_range(kc, s, s->def[KX_DEF_USER].val))
					continue;
				s->flags &= ~(KX_SYM_VALID | KX_SYM_DEF_USER);
				unsaved++;
			}
		}
		kx_expr_invalidate_all(kc);
	}
	if (unsaved || io->warnings)
		kc->changed = true;
}

int kx_conf_read(struct kx_confio *io, const char *name)
{
	struct kx_kconfig *kc = io->kc;
	int err;

	kc->changed = false;
	err = kx_conf_read_simple(io, name, KX_DEF_USER);
	if (err) {
		int e = errno;	/* KX_EIO's reason, for the caller */

		kx_sym_calc_value(kc, kc->modules_sym);
		errno = e;
		return err;
	}
	after_read(io);
	return 0;
}

int kx_conf_read_mem(struct kx_confio *io, const char *name, const char *text,
		     size_t len)
{
	char *copy = kx_xstrndup(text, len);
	int err;

	io->kc->changed = false;
	err = kx_conf_read_buf(io, name, copy, len, KX_DEF_USER);
	free(copy);
	if (err)
		return err;
	after_read(io);
	return 0;
}

/* ---- writing -------------------------------------------------------------- */

static void escape_string(struct kx_buf *out, const char *in)
{
	kx_buf_putc(out, '"');
	for (; *in; in++) {
		if (*in == '"' || *in == '\\')
			kx_buf_putc(out, '\\');
		kx_buf_putc(out, *in);
	}
	kx_buf_putc(out, '"');
}

void kx_conf_format_symbol(struct kx_confio *io, struct kx_buf *out,
			   struct kx_sym *s, bool n_as_unset)
{
	const char *val;

	if (s->type == KX_S_UNKNOWN)
		return;
	val = kx_sym_string_value(io->kc, s);
	if ((s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) &&
	    n_as_unset && *val == 'n') {
		kx_buf_printf(out, "# %s%s is not set", io->prefix, s->name);
		return;
	}
	kx_buf_printf(out, "%s%s=", io->prefix, s->name);
	if (s->type == KX_S_STRING)
		escape_string(out, val);
	else
		kx_buf_puts(out, val);
}

static void print_dotconfig_sym(struct kx_confio *io, struct kx_buf *out,
				struct kx_sym *s)
{
	if (s->type == KX_S_UNKNOWN)
		return;
	kx_conf_format_symbol(io, out, s, true);
	kx_buf_putc(out, '\n');
}

/*
 * 7.3, KCONFIG_WARN_CHANGED_INPUT: a user value the evaluation changed
 * (a dependency unmet, a select, a range...) is listed, once per symbol, as
 * conf lists it while writing .config or the defconfig file.
 */
static void note_changed_input(struct kx_confio *io, struct kx_buf *b,
			       struct kx_sym *s)
{
	struct kx_kconfig *kc = io->kc;
	const char *user, *now = kx_sym_string_value(kc, s);

	if (!kx_sym_has_value(s) || s->type == KX_S_UNKNOWN)
		return;
	if (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) {
		if (s->def[KX_DEF_USER].tri == s->curr.tri)
			return;
		user = s->def[KX_DEF_USER].tri == KX_YES ? "y" :
		       s->def[KX_DEF_USER].tri == KX_MOD ? "m" : "n";
	} else {
		user = s->def[KX_DEF_USER].val ? s->def[KX_DEF_USER].val : "";
		if (!strcmp(user, now))
			return;
	}
	if (!b->len)
		kx_buf_puts(b, "warning: user-provided values changed by Kconfig:\n");
	kx_buf_printf(b, "  %s%s: %s -> %s\n", io->prefix, s->name, user, now);
}

/* conf prints the list on stderr once the file is written */
static void report_changed_input(struct kx_confio *io, struct kx_buf *b)
{
	if (b->len && io->kc->diags)
		kx_diags_add(io->kc->diags, KX_DIAG_WARNING, NULL, 0, "%.*s",
			     (int)b->len - 1, kx_buf_cstr(b));
	kx_buf_free(b);
}

void kx_conf_format(struct kx_confio *io, struct kx_buf *out)
{
	struct kx_buf changed = KX_BUF_INIT;
	struct kx_kconfig *kc = io->kc;
	struct kx_menu *m, *root = &kc->rootmenu;
	bool need_newline = false;

	kx_buf_printf(out, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n",
		      kc->rootmenu.prompt->text);
	if (!kc->changed)
		kx_sym_clear_all_valid(kc);
	m = root->list;
	while (m) {
		struct kx_sym *s = m->sym;

		if (!s) {
			if (!kx_menu_is_visible(kc, m))
				goto next;
			kx_buf_printf(out, "\n#\n# %s\n#\n", kx_menu_prompt_text(m));
			need_newline = false;
		} else if (!kx_sym_is_choice(s) && !(s->flags & KX_SYM_WRITTEN)) {
			kx_sym_calc_value(kc, s);
			if (io->warn_changed_input) {
				/* 7.3 marks every symbol seen, written or not */
				note_changed_input(io, &changed, s);
				s->flags |= KX_SYM_WRITTEN;
			}
			if (!(s->flags & KX_SYM_WRITE))
				goto next;
			if (need_newline) {
				kx_buf_putc(out, '\n');
				need_newline = false;
			}
			s->flags |= KX_SYM_WRITTEN;
			print_dotconfig_sym(io, out, s);
		}
next:
		if (m->list) {
			m = m->list;
			continue;
		}
		/* before 5.18 only a menu with entries gets its "# end of" */
		for (bool leaf = !KX_SEM(kc, END_OF_EMPTY_MENU);; leaf = false) {
			if (!leaf && !m->sym && m != root && kx_menu_is_visible(kc, m) &&
			    m->prompt->type == KX_P_MENU) {
				kx_buf_printf(out, "# end of %s\n", kx_menu_prompt_text(m));
				need_newline = true;
			}
			if (m->next) {
				m = m->next;
				break;
			}
			m = m->parent;
			if (!m)
				break;
		}
	}
	for (size_t i = 0; i < kc->nsyms; i++)
		kc->syms[i]->flags &= ~KX_SYM_WRITTEN;
	report_changed_input(io, &changed);
}

void kx_conf_format_defconfig(struct kx_confio *io, struct kx_buf *out)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_menu *m, *root = &kc->rootmenu;
	struct kx_buf changed = KX_BUF_INIT;

	kx_sym_clear_all_valid(kc);
	for (m = kx_menu_next(root, root); m; m = kx_menu_next(m, root)) {
		struct kx_sym *s = m->sym;

		if (!s) {
			/* older conf evaluates menus here (with a side effect) */
			if (!V2(kc))
				kx_menu_is_visible(kc, m);
			continue;
		}
		if (kx_sym_is_choice(s) || (s->flags & KX_SYM_WRITTEN))
			continue;
		kx_sym_calc_value(kc, s);
		if (io->warn_changed_input) {
			note_changed_input(io, &changed, s);
			s->flags |= KX_SYM_WRITTEN;
		}
		if (!(s->flags & KX_SYM_WRITE))
			continue;
		s->flags &= ~KX_SYM_WRITE;
		if (!kx_sym_is_changeable(kc, s))
			continue;
		if (!strcmp(kx_sym_string_value(kc, s), kx_sym_string_default(kc, s)))
			continue;
		if (V2(kc)) {
			struct kx_menu *cm = kx_sym_choice_menu(s);

			if (cm && s == kx_choice_default(kc, cm) && s->curr.tri == KX_YES)
				continue;
		} else if (s->flags & KX_SYM_CHOICEVAL) {
			struct kx_sym *cs = s->choice_sym;

			if (!(cs->flags & KX_SYM_OPTIONAL) &&
			    s == kx_choice_default(kc, cs->menus) &&
			    s->type == KX_S_BOOLEAN && s->curr.tri == KX_YES)
				continue;
		}
		print_dotconfig_sym(io, out, s);
	}
	if (io->warn_changed_input) {
		for (size_t i = 0; i < kc->nsyms; i++)
			kc->syms[i]->flags &= ~KX_SYM_WRITTEN;
		report_changed_input(io, &changed);
	}
}

static bool same_contents(const char *path, const struct kx_buf *b)
{
	char *data = NULL;
	size_t len = 0;
	bool same;

	if (kx_read_file(&data, &len, path) < 0)
		return false;
	same = len == b->len && !memcmp(data, kx_buf_cstr(b), len);
	free(data);
	return same;
}

/* conf's make_parent_dir: creates the directories leading to 'path' */
static int make_parent_dir(const char *path)
{
	char *tmp = kx_xstrdup(path), *p;

	p = strrchr(tmp, '/');
	if (!p) {
		free(tmp);
		return 0;
	}
	p[1] = 0;
	for (p = tmp; *p == '/'; p++)
		;
	while ((p = strchr(p, '/'))) {
		struct stat st;

		*p = 0;
		if ((stat(tmp, &st) || !S_ISDIR(st.st_mode)) && mkdir(tmp, 0755)) {
			free(tmp);
			return -1;
		}
		*p = '/';
		while (*p == '/')
			p++;
	}
	free(tmp);
	return 0;
}

/*
 * KCONFIG_OVERWRITECONFIG: the file is rewritten in place (it may be a
 * symlink or a file whose inode must not change).  Robustness: conf
 * truncates first, so a full disk leaves an empty or partial .config; here
 * the space is reserved first (posix_fallocate) and the old contents are
 * only overwritten once the new ones are sure to fit, then the file is cut
 * to size and synced.  Returns 0 or KX_EIO (errno set; on a reservation
 * failure the file is untouched).
 */
static int write_in_place(const char *name, const char *data, size_t len)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), e, saved;
	size_t done = 0;

	if (fd < 0)
		return KX_EIO;
	if (len) {
		e = posix_fallocate(fd, 0, (off_t)len);
		/* file systems without fallocate: write and hope, as conf */
		if (e && e != EOPNOTSUPP && e != EINVAL) {
			close(fd);
			errno = e;
			return KX_EIO;
		}
	}
	while (done < len) {
		ssize_t n = pwrite(fd, data + done, len - done, (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)n;
	}
	if (ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)
		goto fail;
	return close(fd) < 0 ? KX_EIO : 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return KX_EIO;
}

int kx_conf_write(struct kx_confio *io, const char *name)
{
	struct kx_buf out = KX_BUF_INIT;
	struct stat st;
	char *old;
	int err;

	if (!name)
		name = io->config_name;
	if (!*name) {
		kx_diags_add(io->kc->diags, KX_DIAG_ERROR, NULL, 0,
			     "config name is empty");
		errno = EINVAL;
		return KX_EIO;
	}
	if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
		kx_diags_add(io->kc->diags, KX_DIAG_ERROR, NULL, 0,
			     "%s: Is a directory", name);
		errno = EISDIR;
		return KX_EIO;
	}
	if (make_parent_dir(name)) {
		kx_diags_add(io->kc->diags, KX_DIAG_ERROR, NULL, 0, "%s: %s",
			     name, strerror(errno));
		return KX_EIO;
	}
	kx_conf_format(io, &out);
	if (!io->overwrite && same_contents(name, &out)) {
		message(io, "No change to %s", name);
		io->kc->changed = false;
		kx_buf_free(&out);
		return 0;
	}
	if (io->overwrite) {
		err = write_in_place(name, kx_buf_cstr(&out), out.len);
	} else {
		old = kx_xasprintf("%s.old", name);
		err = kx_write_file_atomic(name, kx_buf_cstr(&out), out.len, old);
		free(old);
	}
	kx_buf_free(&out);
	if (err) {
		/* say why (conf only says it failed) */
		int saved = errno;

		kx_diags_add(io->kc->diags, KX_DIAG_ERROR, NULL, 0, "%s: %s",
			     name, strerror(saved));
		errno = saved;
		return err;
	}
	message(io, "configuration written to %s", name);
	io->kc->changed = false;
	return 0;
}

int kx_conf_write_defconfig(struct kx_confio *io, const char *filename)
{
	struct kx_buf out = KX_BUF_INIT;
	int err;

	kx_conf_format_defconfig(io, &out);
	err = kx_write_file_atomic(filename, kx_buf_cstr(&out), out.len, NULL);
	kx_buf_free(&out);
	if (err) {
		/* say why, as kx_conf_write */
		int saved = errno;

		kx_diags_add(io->kc->diags, KX_DIAG_ERROR, NULL, 0, "%s: %s",
			     filename, strerror(saved));
		errno = saved;
	}
	return err;
}

/* ---- autoconf ------------------------------------------------------------------ */

static void print_c_symbol(struct kx_confio *io, struct kx_buf *b, struct kx_sym *s)
{
	const char *val = kx_sym_string_value(io->kc, s), *suffix = "", *prefix = "";

	switch (s->type) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		if (*val == 'n')
			return;
		if (*val == 'm')
			suffix = "_MODULE";
		val = "1";
		break;
	case KX_S_HEX:
		if (val[0] != '0' || (val[1] != 'x' && val[1] != 'X'))
			prefix = "0x";
		break;
	default:
		break;
	}
	kx_buf_printf(b, "#define %s%s%s %s", io->prefix, s->name, suffix, prefix);
	if (s->type == KX_S_STRING)
		escape_string(b, val);
	else
		kx_buf_puts(b, val);
	kx_buf_putc(b, '\n');
}

static void print_rust_symbol(struct kx_confio *io, struct kx_buf *b, struct kx_sym *s)
{
	const char *val = kx_sym_string_value(io->kc, s);
	char *tmp = NULL;

	switch (s->type) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		if (*val == 'n')
			return;
		kx_buf_printf(b, "--cfg=%s%s\n", io->prefix, s->name);
		break;
	case KX_S_HEX:
		if (val[0] != '0' || (val[1] != 'x' && val[1] != 'X'))
			val = tmp = kx_xasprintf("0x%s", val);
		break;
	default:
		break;
	}
	kx_buf_printf(b, "--cfg=%s%s=", io->prefix, s->name);
	escape_string(b, val);
	kx_buf_putc(b, '\n');
	free(tmp);
}

static int write_autoconf_file(struct kx_confio *io, const char *name, int kind)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_buf b = KX_BUF_INIT;
	struct kx_sym **order;
	size_t n;
	int err = 0;

	if (make_parent_dir(name))
		return KX_EIO;
	if (kind == 0)
		kx_buf_printf(&b, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n",
			      kc->rootmenu.prompt->text);
	else if (kind == 1 && KX_SEM(kc, HEADER_STYLE))
		kx_buf_printf(&b, "/*\n * Automatically generated file; DO NOT EDIT.\n * %s\n */\n",
			      kc->rootmenu.prompt->text);
	else if (kind == 1)	/* before 5.17: the pound heading's blank lines too */
		kx_buf_printf(&b, "/*\n *\n * Automatically generated file; DO NOT EDIT.\n * %s\n *\n */\n",
			      kc->rootmenu.prompt->text);
	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *s = order[i];

		if (!(s->flags & KX_SYM_WRITE) || !s->name || (s->flags & KX_SYM_CONST))
			continue;
		if (kind == 0) {
			if (s->type == KX_S_UNKNOWN)
				continue;
			const char *val = kx_sym_string_value(kc, s);

			if ((s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) &&
			    *val == 'n')
				continue;
			/* strings are quoted and escaped until 5.17 */
			if (s->type == KX_S_STRING && !KX_SEM(kc, AUTOCONF_UNQUOTED)) {
				kx_buf_printf(&b, "%s%s=", io->prefix, s->name);
				escape_string(&b, val);
				kx_buf_putc(&b, '\n');
				continue;
			}
			kx_buf_printf(&b, "%s%s=%s\n", io->prefix, s->name, val);
		} else if (kind == 1) {
			if (s->type != KX_S_UNKNOWN)
				print_c_symbol(io, &b, s);
		} else if (s->type != KX_S_UNKNOWN) {
			print_rust_symbol(io, &b, s);
		}
	}
	/* robustness: temporary file, fsync, rename (was unsynced, with a
	 * fixed temporary name shared by concurrent runs) */
	err = kx_write_file_atomic(name, kx_buf_cstr(&b), b.len, NULL);
	kx_buf_free(&b);
	return err;
}

/* kc->files[i] is not the first inclusion of its file */
static bool included_before(const struct kx_kconfig *kc, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (kc->files[j] == kc->files[i])
			return true;
	return false;
}

/*
 * include/config/auto.conf.cmd, make's rule to rerun syncconfig when a
 * Kconfig file or a referenced environment variable changed.  Three forms:
 * 6.2 on ("autoconfig :=", files in the order they were first read), 5.17
 * to 6.1 (files newest first, every line continued), and before 5.17
 * (the same, the last line not continued, written to the fixed path
 * include/config/auto.conf.cmd whatever KCONFIG_AUTOCONFIG says).
 */
static int write_autoconf_cmd(struct kx_confio *io)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_buf b = KX_BUF_INIT;
	const char *name = io->autoconfig_name;
	char *path;
	int err = 0;

	if (KX_SEM(kc, AUTOCONF_CMD_V3)) {
		kx_buf_printf(&b, "autoconfig := %s\n\ndeps_config := \\\n", name);
		for (size_t i = 0; i < kc->nfiles; i++)
			if (!included_before(kc, i))
				kx_buf_printf(&b, "\t%s \\\n", kc->files[i]);
		kx_buf_puts(&b, "\n$(autoconfig): $(deps_config)\n$(deps_config): ;\n");
		for (size_t i = 0; i < kc->nenv; i++)
			kx_buf_printf(&b, "\nifneq \"$(%s)\" \"%s\"\n$(autoconfig): FORCE\nendif\n",
				      kc->env_names[i], kc->env_values[i]);
	} else {
		bool v2 = KX_SEM(kc, AUTOCONF_CMD_V2);

		kx_buf_puts(&b, "deps_config := \\\n");
		for (size_t i = kc->nfiles; i-- > 0;) {
			if (included_before(kc, i))
				continue;
			/* the top file (first read) ends the list */
			kx_buf_printf(&b, "\t%s%s\n", kc->files[i],
				      v2 || i ? " \\" : "");
		}
		if (v2)
			kx_buf_printf(&b, "\n%s: $(deps_config)\n\n", name);
		else
			kx_buf_printf(&b, "\n%s: \\\n\t$(deps_config)\n\n", name);
		for (size_t i = 0; i < kc->nenv; i++)
			kx_buf_printf(&b, "ifneq \"$(%s)\" \"%s\"\n%s: FORCE\nendif\n",
				      kc->env_names[i], kc->env_values[i], name);
		kx_buf_puts(&b, "\n$(deps_config): ;\n");
	}
	if (KX_SEM(kc, AUTOCONF_CMD_V2))
		path = kx_xasprintf("%s.cmd", name);
	else
		path = kx_xstrdup("include/config/auto.conf.cmd");
	if (make_parent_dir(path) < 0)
		err = KX_EIO;
	/* robustness: as write_autoconf_file */
	if (!err)
		err = kx_write_file_atomic(path, kx_buf_cstr(&b), b.len, NULL);
	free(path);
	kx_buf_free(&b);
	return err;
}

/*
 * Touches the file make's dependencies name for symbol NAME, next to
 * auto.conf: include/config/NAME (5.13 on), else include/config/n/a/m/e.h
 * (the name in lower case, each '_' a directory level).  Returns 0 or -1.
 */
static int touch_dep(struct kx_confio *io, const char *sym)
{
	const char *name = io->autoconfig_name, *slash = strrchr(name, '/');
	int plen = slash ? (int)(slash - name + 1) : 0, fd;
	char *path;

	if (KX_SEM(io->kc, TOUCH_FLAT)) {
		path = kx_xasprintf("%.*s%s", plen, name, sym);
	} else {
		char *d;

		path = kx_xasprintf("%.*s%s.h", plen, name, sym);
		for (d = path + plen; *d && strcmp(d, ".h"); d++)
			*d = *d == '_' ? '/' : (char)tolower((unsigned char)*d);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && !make_parent_dir(path))
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* include/config/<SYMBOL>: touched when a symbol's value changed */
static int touch_deps(struct kx_confio *io)
{
	struct kx_kconfig *kc = io->kc;
	const char *name = io->autoconfig_name;
	struct kx_sym **order;
	size_t n;

	kx_conf_read_simple(io, name, KX_DEF_AUTO);
	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *s = order[i];

		if (kx_sym_is_choice(s) || !s->name || (s->flags & KX_SYM_CONST))
			continue;
		if (s->flags & KX_SYM_WRITE) {
			if (s->flags & KX_SYM_DEF_AUTO) {
				if (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) {
					if (s->curr.tri == s->def[KX_DEF_AUTO].tri)
						continue;
				} else if (s->type == KX_S_STRING || s->type == KX_S_HEX ||
					   s->type == KX_S_INT) {
					if (!strcmp(kx_sym_string_value(kc, s),
						    s->def[KX_DEF_AUTO].val))
						continue;
				}
			} else if ((s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) &&
				   s->curr.tri == KX_NO) {
				continue;
			}
		} else if (!(s->flags & KX_SYM_DEF_AUTO)) {
			continue;
		}
		if (touch_dep(io, s->name))
			return KX_EIO;
	}
	return 0;
}

int kx_conf_write_autoconf(struct kx_confio *io, bool overwrite)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_sym **order;
	struct stat st;
	size_t n;
	int err;

	if (!overwrite && stat(io->autoconfig_name, &st) == 0)
		return 0;
	if ((err = write_autoconf_cmd(io)))
		return err;
	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++)
		kx_sym_calc_value(kc, order[i]);
	if ((err = touch_deps(io)))
		return err;
	if ((err = write_autoconf_file(io, io->autoheader_name, 1)))
		return err;
	if (KX_SEM(kc, RUSTC_CFG) &&
	    (err = write_autoconf_file(io, io->rustccfg_name, 2)))
		return err;
	return write_autoconf_file(io, io->autoconfig_name, 0);
}

/* ---- modes ---------------------------------------------------------------------- */

void kx_rand_seed(struct kx_rand *r, unsigned seed)
{
	int32_t word = (int32_t)seed;
	int32_t v[34];

	if (word == 0)
		word = 1;
	v[0] = word;
	for (int i = 1; i < 31; i++) {
		int32_t hi = word / 127773, lo = word % 127773;

		word = 16807 * lo - 2836 * hi;
		if (word < 0)
			word += 2147483647;
		v[i] = word;
	}
	for (int i = 31; i < 34; i++)
		v[i] = v[i - 31];
	memcpy(r->r, v, sizeof(v));
	r->i = 34;
	/* glibc discards the first 310 outputs */
	for (int i = 0; i < 310; i++)
		kx_rand_next(r);
}

int kx_rand_next(struct kx_rand *r)
{
	int k = r->i;
	uint32_t a = (uint32_t)r->r[(k - 31) % 34], b = (uint32_t)r->r[(k - 3) % 34];
	uint32_t v = a + b;

	r->r[k % 34] = (int32_t)v;
	r->i = k + 1;
	if (r->i >= 34 * 1000)
		r->i = r->i % 34 + 34;
	return (int)(v >> 1);
}

static kx_tri random_value(struct kx_sym *s, struct kx_rand *rnd, int pby,
			   int pty, int ptm)
{
	int cnt = kx_rand_next(rnd) % 100;

	if (s->type == KX_S_TRISTATE) {
		if (cnt < pty)
			return KX_YES;
		if (cnt < pty + ptm)
			return KX_MOD;
		return KX_NO;
	}
	return cnt < pby ? KX_YES : KX_NO;
}

/* 6.11+: pick a random member for choices without user input */
static void v2_randomize_choice(struct kx_kconfig *kc, struct kx_menu *choice,
				struct kx_rand *rnd)
{
	struct kx_menu *m;
	int cnt = 0;

	(void)kc;
	for (m = kx_menu_next(choice, choice); m; m = kx_menu_next(m, choice))
		if (m->sym && !kx_sym_has_value(m->sym))
			cnt++;
	while (cnt > 0) {
		int x = kx_rand_next(rnd) % cnt;

		for (m = kx_menu_next(choice, choice); m; m = kx_menu_next(m, choice)) {
			struct kx_sym *s = m->sym;

			if (s && !kx_sym_has_value(s))
				x--;
			if (x < 0) {
				s->def[KX_DEF_USER].tri = KX_YES;
				s->flags |= KX_SYM_DEF_USER;
				/* lower priority than KCONFIG_ALLCONFIG input */
				for (size_t i = 0; i < choice->nprio; i++) {
					if (choice->prio[i] != s)
						continue;
					memmove(choice->prio + i, choice->prio + i + 1,
						(choice->nprio - i - 1) * sizeof(*choice->prio));
					choice->prio[choice->nprio - 1] = s;
					break;
				}
				break;
			}
		}
		cnt--;
	}
}

/* <= 6.10: a random member of a choice that is y */
static bool v1_randomize_choice(struct kx_kconfig *kc, struct kx_sym *cs,
				struct kx_rand *rnd)
{
	struct kx_sym **v;
	size_t n;
	int def;

	(void)kc;
	if (cs->curr.tri != KX_YES)
		return false;
	v = cs->menus ? cs->menus->members : NULL;
	n = cs->menus ? cs->menus->nmembers : 0;
	if (!n)
		return false;
	def = kx_rand_next(rnd) % (int)n;
	for (size_t i = 0; i < n; i++) {
		if ((int)i == def) {
			v[i]->def[KX_DEF_USER].tri = KX_YES;
			cs->choice_def[KX_DEF_USER] = v[i];
		} else {
			v[i]->def[KX_DEF_USER].tri = KX_NO;
		}
		v[i]->flags |= KX_SYM_DEF_USER;
		v[i]->flags &= ~KX_SYM_VALID;
	}
	cs->flags |= KX_SYM_DEF_USER;
	cs->flags &= ~KX_SYM_VALID;
	kx_expr_invalidate_all(kc);
	return true;
}

static bool v1_set_all_new_symbols(struct kx_kconfig *kc, enum kx_def_mode mode,
				   struct kx_rand *rnd, int pby, int pty, int ptm)
{
	struct kx_sym **order;
	size_t n;
	bool changed = false;

	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *s = order[i];
		enum kx_symtype t;

		if (kx_sym_has_value(s) || (s->flags & KX_SYM_VALID))
			continue;
		t = kx_sym_get_type(kc, s);
		if (t != KX_S_BOOLEAN && t != KX_S_TRISTATE)
			continue;
		changed = true;
		switch (mode) {
		case KX_DEF_YES:
			s->def[KX_DEF_USER].tri = KX_YES;
			break;
		case KX_DEF_MOD:
			s->def[KX_DEF_USER].tri = KX_MOD;
			break;
		case KX_DEF_NO:
			/* 'option allnoconfig_y' (until 5.12): y even so */
			s->def[KX_DEF_USER].tri = s->flags & KX_SYM_ALLNOCONFIG_Y ?
						  KX_YES : KX_NO;
			break;
		case KX_DEF_RANDOM:
			s->def[KX_DEF_USER].tri = random_value(s, rnd, pby, pty, ptm);
			break;
		default:
			continue;
		}
		if (!(kx_sym_is_choice(s) && mode == KX_DEF_RANDOM))
			s->flags |= KX_SYM_DEF_USER;
	}
	kx_sym_clear_all_valid(kc);
	if (mode != KX_DEF_RANDOM) {
		for (size_t i = 0; i < n; i++) {
			struct kx_sym *s = order[i];

			if ((kx_sym_is_choice(s) && !kx_sym_has_value(s)) ||
			    (s->flags & KX_SYM_CHOICEVAL))
				s->flags |= KX_SYM_NEED_SET_CHOICE_VALUES;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *cs = order[i];

		if (kx_sym_has_value(cs) || !kx_sym_is_choice(cs))
			continue;
		kx_sym_calc_value(kc, cs);
		if (mode == KX_DEF_RANDOM) {
			changed |= v1_randomize_choice(kc, cs, rnd);
		} else {
			struct kx_sym **v = cs->menus ? cs->menus->members : NULL;
			size_t nm = cs->menus ? cs->menus->nmembers : 0;

			for (size_t j = 0; j < nm; j++)
				if (!kx_sym_has_value(v[j]))
					v[j]->def[KX_DEF_USER].tri = KX_NO;
			cs->flags |= KX_SYM_DEF_USER;
			cs->flags &= ~(KX_SYM_VALID | KX_SYM_NEED_SET_CHOICE_VALUES);
			kx_expr_invalidate_all(kc);
			changed = true;
		}
	}
	return changed;
}

bool kx_conf_set_all_new_symbols(struct kx_kconfig *kc, enum kx_def_mode mode,
				 struct kx_rand *rnd, int pby, int pty, int ptm)
{
	struct kx_menu *m, *root = &kc->rootmenu;

	if (!V2(kc))
		return v1_set_all_new_symbols(kc, mode, rnd, pby, pty, ptm);
	for (m = kx_menu_next(root, root); m; m = kx_menu_next(m, root)) {
		struct kx_sym *s = m->sym;
		kx_tri val;

		if (!s || !m->prompt || kx_sym_has_value(s) ||
		    (s->type != KX_S_BOOLEAN && s->type != KX_S_TRISTATE) ||
		    kx_sym_is_choice_value(kc, s))
			continue;
		if (kx_sym_is_choice(s)) {
			if (mode == KX_DEF_RANDOM)
				v2_randomize_choice(kc, m, rnd);
			continue;
		}
		switch (mode) {
		case KX_DEF_YES:
			val = KX_YES;
			break;
		case KX_DEF_MOD:
			val = KX_MOD;
			break;
		case KX_DEF_NO:
			val = KX_NO;
			break;
		case KX_DEF_RANDOM:
			val = random_value(s, rnd, pby, pty, ptm);
			break;
		default:
			continue;
		}
		s->def[KX_DEF_USER].tri = val;
		s->flags |= KX_SYM_DEF_USER;
	}
	kx_sym_clear_all_valid(kc);
	return true;
}

void kx_conf_rewrite_tristates(struct kx_kconfig *kc, kx_tri from, kx_tri to)
{
	struct kx_sym **order;
	size_t n;

	order = kx_syms_conf_order(kc, &n);
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *s = order[i];

		if (kx_sym_get_type(kc, s) == KX_S_TRISTATE &&
		    s->def[KX_DEF_USER].tri == from)
			s->def[KX_DEF_USER].tri = to;
	}
	kx_sym_clear_all_valid(kc);
}
