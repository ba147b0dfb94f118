// SPDX-License-Identifier: MIT
/*
 * make.c - just enough of GNU make to evaluate how arch/$(SRCARCH)/Makefile sets
 * CROSS_COMPILE: conditionals (ifdef, ifndef, ifeq/ifneq with parentheses,
 * else, else if..., endif), variable assignments (=, :=, ::=, ?=, +=, with
 * export/override), recipe lines and define blocks skipped, and expansion
 * of $(VAR), ${VAR}, $$, $(foreach v,list,text) and
 * $(call cc-cross-prefix,list).  Anything else ($(shell ...), other
 * functions) is "unknown": a conditional on it selects no branch for sure,
 * and a variable assigned from it, or in such a branch, is unknown too.
 *
 * Variable lookup follows make: foreach variables, then the command line,
 * then the variables the file assigned so far (seeded with make's SUBARCH
 * and cross_compiling), then the environment.  The file is read in a
 * config-target make, where include/config/auto.conf is not included, so
 * CONFIG_* are normally undefined.
 */
#include "parser/make.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/env.h"
#include "util/util.h"

enum { MK_FALSE, MK_TRUE, MK_UNKNOWN };

#define MK_MAX_DEPTH	32

struct mk_var {
	char *name;
	char *value;
	bool recursive;
	bool unknown;
	bool assigned;		/* by the file (not a seed) */
};

struct kx_mk {
	struct kx_mk_input in;
	struct mk_var *vars;
	size_t nvars, cap;
	const char *bind_name[MK_MAX_DEPTH];
	const char *bind_val[MK_MAX_DEPTH];
	size_t nbind;
	int depth;
};

static struct mk_var *mk_find(struct kx_mk *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nvars; i++)
		if (!strcmp(m->vars[i].name, name))
			return &m->vars[i];
	return NULL;
}

/* Sets a file variable (copies 'value'). */
static struct mk_var *mk_set(struct kx_mk *m, const char *name, const char *value,
			     bool recursive, bool unknown)
{
	struct mk_var *v = mk_find(m, name);

	if (!v) {
		if (m->nvars == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->vars = kx_xrealloc(m->vars, m->cap * sizeof(*m->vars));
		}
		v = &m->vars[m->nvars++];
		v->name = kx_xstrdup(name);
		v->value = NULL;
		v->assigned = false;
	}
	free(v->value);
	v->value = kx_xstrdup(value);
	v->recursive = recursive;
	v->unknown = unknown;
	return v;
}

/*
 * The raw value of variable 'name' (NULL: undefined), whether it must be
 * expanded (*recursive) and whether it is unknown.
 */
static const char *mk_lookup(struct kx_mk *m, const char *name, bool *recursive,
			     bool *unknown)
{
	struct mk_var *v;
	size_t i;

	*recursive = false;
	*unknown = false;
	for (i = m->nbind; i-- > 0;)
		if (!strcmp(m->bind_name[i], name))
			return m->bind_val[i];
	if (m->in.cmdline(m->in.ctx, name))
		return kx_env_get(m->in.env, name);
	v = mk_find(m, name);
	if (v) {
		*recursive = v->recursive;
		*unknown = v->unknown;
		return v->value;
	}
	return kx_env_get(m->in.env, name);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim_range(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Length of the reference that starts with the '(' or '{' at s[0]; 0 if unterminated. */
static size_t match_close(const char *s, size_t len)
{
	char open = s[0], close = open == '(' ? ')' : '}';
	size_t i;
	int depth = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return 0;
}

/* Splits at top-level commas into at most 'max' arguments (the last takes the rest). */
static size_t split_args(const char *s, size_t len, const char **arg,
			 size_t *alen, size_t max)
{
	size_t n = 0, i, start = 0;
	int depth = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && (s[i] == '(' || s[i] == '{')) {
			depth++;
		} else if (i < len && (s[i] == ')' || s[i] == '}')) {
			depth--;
		} else if (i == len || (s[i] == ',' && !depth && n + 1 < max)) {
			arg[n] = s + start;
			alen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* The next blank-separated word of *p (advanced); false at the end. */
static bool next_word(const char **p, const char **w, size_t *wlen)
{
	const char *s = *p;

	while (*s && (is_blank(*s) || *s == '\n'))
		s++;
	if (!*s)
		return false;
	*w = s;
	while (*s && !is_blank(*s) && *s != '\n')
		s++;
	*wlen = s - *w;
	*p = s;
	return true;
}

static bool mk_expand(struct kx_mk *m, const char *s, size_t len, struct kx_buf *out);

/* Expands a variable's value into 'out'; false when unknown. */
static bool mk_expand_var(struct kx_mk *m, const char *name, struct kx_buf *out)
{
	bool recursive, unknown, ok;
	const char *v = mk_lookup(m, name, &recursive, &unknown);

	if (unknown)
		return false;
	if (!v)
		return true;
	if (!recursive) {
		kx_buf_puts(out, v);
		return true;
	}
	if (m->depth >= MK_MAX_DEPTH)
		return false;
	m->depth++;
	ok = mk_expand(m, v, strlen(v), out);
	m->depth--;
	return ok;
}

/* Expands s[0..len) into a new string; NULL when unknown. */
static char *mk_expand_str(struct kx_mk *m, const char *s, size_t len)
{
	struct kx_buf b = KX_BUF_INIT;

	if (!mk_expand(m, s, len, &b)) {
		kx_buf_free(&b);
		return NULL;
	}
	return kx_buf_detach(&b);
}

/* $(foreach var,list,text) */
static bool mk_foreach(struct kx_mk *m, const char *args, size_t len,
		       struct kx_buf *out)
{
	const char *arg[3], *p, *w;
	size_t alen[3], wlen;
	char *var = NULL, *list = NULL;
	bool ok = false, first = true;

	if (split_args(args, len, arg, alen, 3) != 3 || m->nbind >= MK_MAX_DEPTH)
		return false;
	var = mk_expand_str(m, arg[0], alen[0]);
	list = mk_expand_str(m, arg[1], alen[1]);
	if (!var || !list)
		goto out;
	{
		const char *vn = var;
		size_t vl = strlen(var);

		trim_range(&vn, &vl);
		var[vn - var + vl] = '\0';
		memmove(var, vn, vl + 1);
	}
	for (p = list; next_word(&p, &w, &wlen);) {
		char *word = kx_xstrndup(w, wlen);
		bool r;

		m->bind_name[m->nbind] = var;
		m->bind_val[m->nbind] = word;
		m->nbind++;
		if (!first)
			kx_buf_putc(out, ' ');
		first = false;
		r = mk_expand(m, arg[2], alen[2], out);
		m->nbind--;
		free(word);
		if (!r)
			goto out;
	}
	ok = true;
out:
	free(var);
	free(list);
	return ok;
}

/*
 * $(call cc-cross-prefix,list): scripts/Makefile.compiler's "the first
 * word c of list for which `command -v -- $(c)gcc` finds something", or "".
 */
static bool mk_call(struct kx_mk *m, const char *args, size_t len,
		    struct kx_buf *out)
{
	const char *arg[2], *fn, *p, *w;
	size_t alen[2], fl, wlen;
	char *list;

	if (split_args(args, len, arg, alen, 2) != 2)
		return false;
	fn = arg[0];
	fl = alen[0];
	trim_range(&fn, &fl);
	if (fl != strlen("cc-cross-prefix") || strncmp(fn, "cc-cross-prefix", fl))
		return false;
	list = mk_expand_str(m, arg[1], alen[1]);
	if (!list)
		return false;
	for (p = list; next_word(&p, &w, &wlen);) {
		char *gcc = kx_xasprintf("%.*sgcc", (int)wlen, w);
		char *found = kx_env_which(m->in.env, gcc);

		free(gcc);
		if (found) {
			free(found);
			kx_buf_add(out, w, wlen);
			break;
		}
	}
	free(list);
	return true;
}

/* GNU make's built-in functions (a reference "$(NAME args)" calls one). */
static bool is_make_function(const char *s, size_t n)
{
	static const char *const fns[] = {
		"abspath", "addprefix", "addsuffix", "and", "basename", "call",
		"dir", "error", "eval", "file", "filter", "filter-out",
		"findstring", "firstword", "flavor", "foreach", "guile", "if",
		"info", "intcmp", "join", "lastword", "let", "notdir", "or",
		"origin", "patsubst", "realpath", "shell", "sort", "strip",
		"subst", "suffix", "value", "warning", "wildcard", "word",
		"wordlist", "words",
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i]) == n && !strncmp(s, fns[i], n))
			return true;
	return false;
}

/* A $(...) or ${...} reference with content s[0..len). */
static bool mk_reference(struct kx_mk *m, const char *s, size_t len,
			 struct kx_buf *out)
{
	size_t n = 0;
	char *name;
	bool ok;

	while (n < len && ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '-'))
		n++;
	if (n < len && is_blank(s[n]) && is_make_function(s, n)) {
		if (n == 7 && !strncmp(s, "foreach", 7))
			return mk_foreach(m, s + n + 1, len - n - 1, out);
		if (n == 4 && !strncmp(s, "call", 4))
			return mk_call(m, s + n + 1, len - n - 1, out);
		return false;	/* not evaluated: unknown */
	}
	name = mk_expand_str(m, s, len);
	if (!name)
		return false;
	ok = mk_expand_var(m, name, out);
	free(name);
	return ok;
}

static bool mk_expand(struct kx_mk *m, const char *s, size_t len, struct kx_buf *out)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] != '$') {
			kx_buf_putc(out, s[i++]);
			continue;
		}
		if (i + 1 >= len)
			return true;	/* a lone '$' at the end expands to nothing */
		if (s[i + 1] == '$') {
			kx_buf_putc(out, '$');
			i += 2;
		} else if (s[i + 1] == '(' || s[i + 1] == '{') {
			size_t n = match_close(s + i + 1, len - i - 1);

			if (!n)
				return false;
			if (!mk_reference(m, s + i + 2, n - 2, out))
				return false;
			i += 1 + n;
		} else {
			char name[2] = { s[i + 1], '\0' };

			if (!mk_expand_var(m, name, out))
				return false;
			i += 2;
		}
	}
	return true;
}

/* A conditional directive's test ("ifdef X", "ifeq (a,b)", ...). */
static int mk_condition(struct kx_mk *m, const char *kw, const char *rest)
{
	size_t len = strlen(rest);
	int r = MK_UNKNOWN;

	trim_range(&rest, &len);
	if (!strcmp(kw, "ifdef") || !strcmp(kw, "ifndef")) {
		bool recursive, unknown;
		char *name = mk_expand_str(m, rest, len);
		const char *v;

		if (!name)
			return MK_UNKNOWN;
		/* ifdef does not expand the value: "defined and non-empty" */
		v = mk_lookup(m, name, &recursive, &unknown);
		free(name);
		if (unknown)
			return MK_UNKNOWN;
		r = v && *v ? MK_TRUE : MK_FALSE;
		if (!strcmp(kw, "ifndef"))
			r = r == MK_TRUE ? MK_FALSE : MK_TRUE;
		return r;
	}
	if (len >= 2 && rest[0] == '(' && rest[len - 1] == ')' &&
	    match_close(rest, len) == len) {
		const char *arg[2];
		size_t alen[2];
		char *a = NULL, *b = NULL;

		if (split_args(rest + 1, len - 2, arg, alen, 2) != 2)
			return MK_UNKNOWN;
		trim_range(&arg[0], &alen[0]);
		trim_range(&arg[1], &alen[1]);
		a = mk_expand_str(m, arg[0], alen[0]);
		b = mk_expand_str(m, arg[1], alen[1]);
		if (a && b) {
			r = !strcmp(a, b) ? MK_TRUE : MK_FALSE;
			if (!strcmp(kw, "ifneq"))
				r = r == MK_TRUE ? MK_FALSE : MK_TRUE;
		}
		free(a);
		free(b);
	}
	return r;
}

static int mk_and(int a, int b)
{
	if (a == MK_FALSE || b == MK_FALSE)
		return MK_FALSE;
	if (a == MK_UNKNOWN || b == MK_UNKNOWN)
		return MK_UNKNOWN;
	return MK_TRUE;
}

static bool is_cond_kw(const char *w)
{
	return !strcmp(w, "ifdef") || !strcmp(w, "ifndef") ||
	       !strcmp(w, "ifeq") || !strcmp(w, "ifneq");
}

/* Cuts a line at its first unescaped '#'. */
static void strip_comment(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '#') {
			*p = '\0';
			return;
		}
	}
}

/*
 * A variable assignment line (after export/override): returns true with
 * *name, *op ("=", ":=", "?=", "+=", "!=") and *value pointing into 'p'
 * (which is modified).
 */
static bool parse_assignment(char *p, char **name, const char **op,
			     char **value, bool *override)
{
	char *n, *e;

	*override = false;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!strncmp(p, "export", 6) && is_blank(p[6])) {
			p += 7;
		} else if (!strncmp(p, "override", 8) && is_blank(p[8])) {
			*override = true;
			p += 9;
		} else {
			break;
		}
	}
	n = p;
	while (*p && !is_blank(*p) && !strchr(":?+!=$#()", *p))
		p++;
	if (p == n)
		return false;
	e = p;
	while (is_blank(*p))
		p++;
	if (p[0] == '=') {
		*op = "=";
		p += 1;
	} else if (!strncmp(p, ":::=", 4)) {
		*op = ":=";
		p += 4;
	} else if (!strncmp(p, "::=", 3)) {
		*op = ":=";
		p += 3;
	} else if (!strncmp(p, ":=", 2)) {
		*op = ":=";
		p += 2;
	} else if (!strncmp(p, "?=", 2)) {
		*op = "?=";
		p += 2;
	} else if (!strncmp(p, "+=", 2)) {
		*op = "+=";
		p += 2;
	} else if (!strncmp(p, "!=", 2)) {
		*op = "!=";
		p += 2;
	} else {
		return false;
	}
	*e = '\0';
	while (is_blank(*p))
		p++;
	*name = n;
	*value = p;
	return true;
}

static void mk_assign(struct kx_mk *m, const char *name, const char *op,
		      const char *value, bool override, int state)
{
	bool unknown = state == MK_UNKNOWN, recursive, vu;
	struct mk_var *v;
	const char *old;
	char *x;

	if (m->in.cmdline(m->in.ctx, name) && !override)
		return;		/* the command line wins */
	if (!strcmp(op, "=")) {
		mk_set(m, name, value, true, unknown);
	} else if (!strcmp(op, ":=")) {
		x = mk_expand_str(m, value, strlen(value));
		mk_set(m, name, x ? x : "", false, unknown || !x);
		free(x);
	} else if (!strcmp(op, "?=")) {
		old = mk_lookup(m, name, &recursive, &vu);
		if (!old)
			mk_set(m, name, value, true, unknown);
		else if (unknown)
			mk_set(m, name, old, recursive, true);
	} else if (!strcmp(op, "+=")) {
		v = mk_find(m, name);
		if (v && !v->recursive) {
			x = mk_expand_str(m, value, strlen(value));
			if (x) {
				char *nv = kx_xasprintf("%s%s%s", v->value,
							*v->value ? " " : "", x);

				mk_set(m, name, nv, false, v->unknown || unknown);
				free(nv);
			} else {
				v->unknown = true;
			}
			free(x);
		} else {
			old = v ? v->value : kx_env_get(m->in.env, name);
			x = kx_xasprintf("%s%s%s", old ? old : "",
					 old && *old ? " " : "", value);
			mk_set(m, name, x, true, (v && v->unknown) || unknown);
			free(x);
		}
	} else {
		mk_set(m, name, "", false, true);	/* != runs the shell */
	}
	v = mk_find(m, name);
	if (v)
		v->assigned = true;
}

struct mk_frame {
	int parent;	/* state around the conditional */
	int state;	/* state of the current branch */
	bool taken;	/* some branch was certainly taken */
	bool maybe;	/* some branch may have been taken */
};

/* Evaluates a makefile's text; see above. */
void kx_mk_eval(struct kx_mk *m, const char *text)
{
	struct mk_frame stack[MK_MAX_DEPTH];
	struct kx_buf line = KX_BUF_INIT;
	const char *p = text;
	size_t depth = 0, skipped = 0;
	bool in_rule = false, in_define = false;

	while (*p) {
		char *s, *kw_end, kw[16], *name, *value;
		const char *op;
		bool tab = *p == '\t', override;
		int cur = depth ? stack[depth - 1].state : MK_TRUE;
		size_t kl;

		/* a logical line: backslash-newline joins with one space */
		kx_buf_reset(&line);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (n && p[n - 1] == '\\') {
				kx_buf_add(&line, p, n - 1);
				while (line.len && is_blank(line.s[line.len - 1]))
					line.len--;
				kx_buf_putc(&line, ' ');
				p += n + (nl ? 1 : 0);
				while (is_blank(*p))
					p++;
				continue;
			}
			kx_buf_add(&line, p, n);
			p += n + (nl ? 1 : 0);
			break;
		}
		s = (char *)kx_buf_cstr(&line);

		if (tab && in_rule)
			continue;	/* a recipe line */
		while (is_blank(*s))
			s++;
		if (in_define) {
			if (!strncmp(s, "endef", 5) && (!s[5] || is_blank(s[5])))
				in_define = false;
			continue;
		}
		strip_comment(s);
		if (!*s)
			continue;
		for (kw_end = s; *kw_end && !is_blank(*kw_end) &&
		     *kw_end != '('; kw_end++)
			;
		kl = kw_end - s;
		snprintf(kw, sizeof(kw), "%.*s", (int)(kl < sizeof(kw) ? kl : 0), s);

		if (is_cond_kw(kw)) {
			int c;

			if (depth == MK_MAX_DEPTH) {
				skipped++;
				continue;
			}
			c = cur == MK_FALSE ? MK_FALSE : mk_condition(m, kw, kw_end);
			stack[depth].parent = cur;
			stack[depth].state = mk_and(cur, c);
			stack[depth].taken = c == MK_TRUE;
			stack[depth].maybe = c != MK_FALSE;
			depth++;
			continue;
		}
		if (!strcmp(kw, "else")) {
			struct mk_frame *f;
			char *r = kw_end, sub[16];
			int c = MK_TRUE;

			if (!depth || skipped)
				continue;
			f = &stack[depth - 1];
			while (is_blank(*r))
				r++;
			if (*r) {
				/* "else ifeq (...)" and friends */
				char *se = r;
				int sl;

				while (*se && !is_blank(*se) && *se != '(')
					se++;
				sl = se - r < (long)sizeof(sub) ? (int)(se - r) : 0;
				snprintf(sub, sizeof(sub), "%.*s", sl, r);
				if (is_cond_kw(sub) && f->parent != MK_FALSE &&
				    !f->taken)
					c = mk_condition(m, sub, se);
				else
					c = MK_UNKNOWN;
			}
			if (f->taken)
				c = MK_FALSE;
			else if (f->maybe && c != MK_FALSE)
				c = MK_UNKNOWN;
			f->state = mk_and(f->parent, c);
			f->taken = f->taken || c == MK_TRUE;
			f->maybe = f->maybe || c != MK_FALSE;
			continue;
		}
		if (!strcmp(kw, "endif")) {
			if (skipped)
				skipped--;
			else if (depth)
				depth--;
			continue;
		}
		if (skipped || cur == MK_FALSE)
			continue;
		if (!strcmp(kw, "define")) {
			in_define = true;
			continue;
		}
		if (parse_assignment(s, &name, &op, &value, &override)) {
			mk_assign(m, name, op, value, override, cur);
			in_rule = false;
			continue;
		}
		/* a rule: tab-indented lines after it are its recipe */
		if (strchr(s, ':') && strcmp(kw, "include") &&
		    strcmp(kw, "-include") && strcmp(kw, "sinclude") &&
		    strcmp(kw, "export") && strcmp(kw, "unexport") &&
		    strcmp(kw, "vpath"))
			in_rule = true;
	}
	kx_buf_free(&line);
}

/* ---- the interface (make.h) --------------------------------------------- */

struct kx_mk *kx_mk_new(const struct kx_mk_input *in)
{
	struct kx_mk *m = kx_xcalloc(1, sizeof(*m));

	m->in = *in;
	return m;
}

void kx_mk_free(struct kx_mk *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nvars; i++) {
		free(m->vars[i].name);
		free(m->vars[i].value);
	}
	free(m->vars);
	free(m);
}

void kx_mk_seed(struct kx_mk *m, const char *name, const char *value,
		bool recursive)
{
	mk_set(m, name, value, recursive, false);
}

enum kx_mk_result kx_mk_assigned(struct kx_mk *m, const char *name,
				 char **value)
{
	struct mk_var *v = mk_find(m, name);

	*value = NULL;
	if (!v || !v->assigned)
		return KX_MK_UNSET;
	if (v->unknown)
		return KX_MK_UNKNOWN;
	*value = v->recursive ? mk_expand_str(m, v->value, strlen(v->value)) :
				kx_xstrdup(v->value);
	return KX_MK_VALUE;
}
