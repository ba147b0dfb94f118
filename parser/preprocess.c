// SPDX-License-Identifier: MIT
/*
 * preprocess.c - the Kconfig macro language
 * (Documentation/kbuild/kconfig-macro-language.rst), with the behaviour of
 * the kernel's scripts/kconfig/preprocess.c.
 *
 * The model, in conf's terms:
 *
 *   - "$(" starts a reference that ends at the matching ")"; every '(' and
 *     ')' in between counts, quoted or not.  '$' not followed by '(' is a
 *     literal '$'.
 *   - The text of a reference (a "clause") is first checked for being an
 *     argument number of the enclosing user-function call ($(1)...; the
 *     unexpanded clause is read with strtoul, so "$( 1)" is argument 1 too),
 *     then split at the commas that are outside parentheses into a name and
 *     arguments (at most 16 parts in all: "too many function arguments"),
 *     each part is expanded in order (name first), and the name is looked up
 *     as a variable (user function), then as a built-in function (with its
 *     argument count checked), then - only without arguments - in the
 *     environment.  Anything else expands to "".
 *   - A recursive variable is expanded on each use with the call's
 *     arguments; using it without arguments while it is being expanded is
 *     "Recursive variable 'X' references itself (eventually)"; more than
 *     1000 nested expansions of one variable is "Too deep recursive
 *     expansion".  On top of conf's rules, the total nesting of references
 *     is bounded (KX_PP_MAX_DEPTH) so that hostile input cannot exhaust the
 *     C stack; exceeding it gives the same "Too deep recursive expansion".
 *   - Environment variables are looked up once: the first value seen for a
 *     name is remembered (and reported by kx_pp_env_ref_*), later lookups
 *     of the same name return the remembered value, as conf's env_list does.
 *
 * Errors that conf reports with pperror() ("FILE:LINE: message", then
 * exit) become a KX_DIAG_ERROR diagnostic with that text and a KX_ESYNTAX
 * return; a probe refused or killed by the shell layer is a diagnostic
 * "FILE:LINE: <reason>" and KX_EDENIED/KX_ELIMIT/KX_EIO.  After an error the
 * preprocessor stays consistent (usable), but the caller is expected to
 * stop, as conf does.
 *
 * Deviation from conf, on purpose: "X := $(X) more" expands the right-hand
 * side with the old value of X before replacing it (conf frees the old
 * value first and then reads freed memory; make gives the old value).
 */
#include "preprocess.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "parser/env.h"
#include "parser/shell.h"

/* conf's FUNCTION_MAX_ARGS: name + arguments, in all */
#define PP_MAX_PARTS		16
/* conf: a variable already expanded more than this many times, nested */
#define PP_MAX_VAR_NESTING	1000
/*
 * Our own bound on nested references (clauses being evaluated at once).
 * Each level costs a few hundred bytes of C stack (less than 1 KiB even
 * under ASan); 1100 levels keep conf's per-variable limit reachable for a
 * directly self-recursive function, so such input fails with conf's own
 * message at the same point.
 */
#define KX_PP_MAX_DEPTH		1100
/*
 * Robustness: the most text one expansion may produce.  Without it
 * "X1 = $(X0)$(X0)", "X2 = $(X1)$(X1)", ... doubles per line and $(X64)
 * would need 2^64 bytes.  conf has no such limit; no real Kconfig comes
 * near it (the longest expansions are compiler flag lists).
 */
#define KX_PP_MAX_OUTPUT	(16u << 20)

struct pp_var {		/* a macro variable, in kx_pp.vars by name */
	char *value;
	enum kx_var_flavor flavor;	/* RECURSIVE or SIMPLE */
	int exp_count;			/* expansions in progress */
};

struct pp_env_ref {
	char *name;
	char *value;
};

struct kx_pp {
	struct kx_env *env;
	struct kx_shell *sh;
	struct kx_diags *diags;
	void (*info)(void *ctx, const char *line);
	void *info_ctx;
	const char *file;
	int line;
	int depth;

	struct kx_map vars;		/* name -> struct pp_var */
	struct pp_env_ref *refs;
	size_t nrefs, caprefs;
	/* what else the expansion depended on, for the model cache
	 * (parser/snapshot.c): variables looked up while unset, and every
	 * $(shell,...) command with its answer */
	char **misses;
	size_t nmisses, capmisses;
	struct pp_env_ref *probes;	/* name = command, value = answer */
	size_t nprobes, capprobes;
};

/* argument context of the user-function call being expanded */
struct pp_args {
	int argc;
	char **argv;
};

static int expand_until(struct kx_pp *pp, const char **str, const char *end,
			bool (*is_end)(char c), const struct pp_args *args,
			struct kx_buf *out);

/* ---- errors ----------------------------------------------------------- */

static int pp_error(struct kx_pp *pp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds "FILE:LINE: message" as an error; returns 'err'. */
static int pp_error(struct kx_pp *pp, int err, const char *fmt, ...)
{
	struct kx_buf b = KX_BUF_INIT;
	va_list ap;

	kx_buf_printf(&b, "%s:%d: ", pp->file ? pp->file : "", pp->line);
	va_start(ap, fmt);
	kx_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (pp->diags)
		kx_diags_add(pp->diags, KX_DIAG_ERROR, pp->file, pp->line,
			     "%s", kx_buf_cstr(&b));
	kx_buf_free(&b);
	return err;
}

/* ---- variables -------------------------------------------------------- */

static struct pp_var *var_lookup(struct kx_pp *pp, const char *name)
{
	return kx_map_gets(&pp->vars, name);
}

/*
 * Expands variable 'name' with 'args' into 'out'.  *found tells whether the
 * variable exists.
 */
static int var_expand(struct kx_pp *pp, const char *name,
		      const struct pp_args *args, struct kx_buf *out, bool *found)
{
	struct pp_var *v = var_lookup(pp, name);
	const char *p;
	int err;

	*found = false;
	if (!v)
		return 0;
	*found = true;

	if (args->argc == 0 && v->exp_count)
		return pp_error(pp, KX_ESYNTAX,
				"Recursive variable '%s' references itself (eventually)",
				name);
	if (v->exp_count > PP_MAX_VAR_NESTING)
		return pp_error(pp, KX_ESYNTAX, "Too deep recursive expansion");

	if (v->flavor != KX_VAR_RECURSIVE) {
		kx_buf_puts(out, v->value);
		return 0;
	}
	v->exp_count++;
	p = v->value;
	err = expand_until(pp, &p, NULL, NULL, args, out);
	v->exp_count--;
	return err;
}

/* ---- environment ------------------------------------------------------ */

static struct pp_env_ref *ref_add(struct pp_env_ref **v, size_t *n, size_t *cap,
				  const char *name, const char *value)
{
	struct pp_env_ref *r;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*v = kx_xrealloc(*v, *cap * sizeof(**v));
	}
	r = &(*v)[(*n)++];
	r->name = kx_xstrdup(name);
	r->value = kx_xstrdup(value);
	return r;
}

/* conf's env_expand(): remembered values first, then the environment. */
static const char *env_expand(struct kx_pp *pp, const char *name)
{
	struct pp_env_ref *r;
	const char *value;
	size_t i;

	if (!*name)
		return NULL;
	for (i = 0; i < pp->nrefs; i++)
		if (!strcmp(pp->refs[i].name, name))
			return pp->refs[i].value;
	value = pp->env ? kx_env_get(pp->env, name) : NULL;
	if (!value) {
		for (i = 0; i < pp->nmisses; i++)
			if (!strcmp(pp->misses[i], name))
				return NULL;
		if (pp->nmisses == pp->capmisses) {
			pp->capmisses = pp->capmisses ? 2 * pp->capmisses : 16;
			pp->misses = kx_xrealloc(pp->misses,
						 pp->capmisses * sizeof(*pp->misses));
		}
		pp->misses[pp->nmisses++] = kx_xstrdup(name);
		return NULL;
	}
	r = ref_add(&pp->refs, &pp->nrefs, &pp->caprefs, name, value);
	return r->value;
}

/* ---- built-in functions ------------------------------------------------ */

typedef int (*pp_builtin_fn)(struct kx_pp *pp, int argc, char **argv,
			     struct kx_buf *out);

static int do_error_if(struct kx_pp *pp, int argc, char **argv,
		       struct kx_buf *out)
{
	(void)argc;
	(void)out;
	if (!strcmp(argv[0], "y"))
		return pp_error(pp, KX_ESYNTAX, "%s", argv[1]);
	return 0;
}

static int do_filename(struct kx_pp *pp, int argc, char **argv,
		       struct kx_buf *out)
{
	(void)argc;
	(void)argv;
	kx_buf_puts(out, pp->file ? pp->file : "");
	return 0;
}

static int do_info(struct kx_pp *pp, int argc, char **argv, struct kx_buf *out)
{
	(void)argc;
	(void)out;
	kx_info_out(pp->info, pp->info_ctx, argv[0]);
	return 0;
}

static int do_lineno(struct kx_pp *pp, int argc, char **argv,
		     struct kx_buf *out)
{
	(void)argc;
	(void)argv;
	kx_buf_printf(out, "%d", pp->line);
	return 0;
}

static int do_shell(struct kx_pp *pp, int argc, char **argv, struct kx_buf *out)
{
	char *res = NULL;
	int err;

	(void)argc;
	if (!pp->sh)
		return pp_error(pp, KX_EDENIED,
				"$(shell,...) is not available (no probe runner): %s",
				argv[0]);
	err = kx_shell_run(pp->sh, argv[0], &res);
	if (err < 0) {
		const char *why = kx_shell_last_error(pp->sh);

		if (why && *why)
			return pp_error(pp, err, "%s", why);
		return pp_error(pp, err, "$(shell,...) failed (%s): %s",
				kx_strerror(err), argv[0]);
	}
	kx_buf_puts(out, res);
	ref_add(&pp->probes, &pp->nprobes, &pp->capprobes, argv[0], res);
	free(res);
	return 0;
}

static int do_warning_if(struct kx_pp *pp, int argc, char **argv,
			 struct kx_buf *out)
{
	(void)argc;
	(void)out;
	if (!strcmp(argv[0], "y") && pp->diags)
		kx_diags_add(pp->diags, KX_DIAG_WARNING, pp->file, pp->line,
			     "%s:%d: %s", pp->file ? pp->file : "", pp->line,
			     argv[1]);
	return 0;
}

static const struct pp_builtin {
	const char *name;
	int min_args;
	int max_args;
	pp_builtin_fn fn;
} pp_builtins[] = {
	{ "error-if",	2, 2, do_error_if },
	{ "filename",	0, 0, do_filename },
	{ "info",	1, 1, do_info },
	{ "lineno",	0, 0, do_lineno },
	{ "shell",	1, 1, do_shell },
	{ "warning-if",	2, 2, do_warning_if },
};

static int builtin_expand(struct kx_pp *pp, const char *name, int argc,
			  char **argv, struct kx_buf *out, bool *found)
{
	size_t i;

	*found = false;
	for (i = 0; i < sizeof(pp_builtins) / sizeof(pp_builtins[0]); i++) {
		const struct pp_builtin *f = &pp_builtins[i];

		if (strcmp(f->name, name))
			continue;
		*found = true;
		if (argc < f->min_args)
			return pp_error(pp, KX_ESYNTAX,
					"too few function arguments passed to '%s'",
					name);
		if (argc > f->max_args)
			return pp_error(pp, KX_ESYNTAX,
					"too many function arguments passed to '%s'",
					name);
		return f->fn(pp, argc, argv, out);
	}
	return 0;
}

/* ---- expansion ----------------------------------------------------------- */

/*
 * strtoul(s, &end, 10) on the range [s, e) followed by "must consume
 * everything": the argument number of "$(1)" as conf computes it (leading
 * white space and a sign are accepted; no digits or trailing text is "not a
 * number", i.e. 0; overflow saturates).
 */
static unsigned long clause_number(const char *s, const char *e)
{
	unsigned long n = 0;
	bool neg = false, digits = false, over = false;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\v' ||
			 *s == '\f' || *s == '\r'))
		s++;
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	for (; s < e && *s >= '0' && *s <= '9'; s++) {
		unsigned d = *s - '0';

		digits = true;
		if (n > (ULONG_MAX - d) / 10)
			over = true;
		else
			n = n * 10 + d;
	}
	if (!digits || s != e)
		return 0;
	if (over)
		return ULONG_MAX;
	return neg ? -n : n;
}

/*
 * Evaluates the clause [str, end) (the text between "$(" and its ")") with
 * the arguments of the enclosing call, appending the result to 'out'.
 */
static int eval_clause(struct kx_pp *pp, const char *str, const char *end,
		       const struct pp_args *args, struct kx_buf *out)
{
	const char *pstart[PP_MAX_PARTS], *pend[PP_MAX_PARTS];
	char *argv[PP_MAX_PARTS];
	struct pp_args call = { 0, argv };
	struct kx_buf name = KX_BUF_INIT;
	int nparts = 0, nargs = 0, nest = 0;
	unsigned long n;
	const char *p, *prev, *value;
	bool found;
	int err = 0, i;

	/* $(1), $(2), ...: an argument of the enclosing call */
	if (args->argc > 0) {
		n = clause_number(str, end);
		if (n > 0 && n <= (unsigned long)args->argc) {
			kx_buf_puts(out, args->argv[n - 1]);
			return 0;
		}
	}

	/* split at top-level commas; conf counts every parenthesis */
	for (prev = p = str; p < end; p++) {
		if (nest == 0 && *p == ',') {
			if (nparts >= PP_MAX_PARTS)
				return pp_error(pp, KX_ESYNTAX,
						"too many function arguments");
			pstart[nparts] = prev;
			pend[nparts++] = p;
			prev = p + 1;
		} else if (*p == '(') {
			nest++;
		} else if (*p == ')') {
			nest--;
		}
	}
	if (nparts >= PP_MAX_PARTS)
		return pp_error(pp, KX_ESYNTAX, "too many function arguments");
	pstart[nparts] = prev;
	pend[nparts++] = end;

	/* expand the name, then each argument, in order */
	p = pstart[0];
	err = expand_until(pp, &p, pend[0], NULL, args, &name);
	if (err < 0)
		goto out;
	for (i = 1; i < nparts; i++) {
		struct kx_buf a = KX_BUF_INIT;

		p = pstart[i];
		err = expand_until(pp, &p, pend[i], NULL, args, &a);
		argv[nargs++] = kx_buf_detach(&a);
		if (err < 0)
			goto out;
	}
	call.argc = nargs;

	err = var_expand(pp, kx_buf_cstr(&name), &call, out, &found);
	if (err < 0 || found)
		goto out;
	err = builtin_expand(pp, kx_buf_cstr(&name), nargs, argv, out, &found);
	if (err < 0 || found)
		goto out;
	if (nargs == 0) {
		value = env_expand(pp, kx_buf_cstr(&name));
		if (value)
			kx_buf_puts(out, value);
	}
out:
	for (i = 0; i < nargs; i++)
		free(argv[i]);
	kx_buf_free(&name);
	return err;
}

/*
 * Expands the reference at *str (just after a '$'), appending to 'out';
 * advances *str past it.  '$' not followed by '(' is a literal '$'.  The
 * text ends at 'end' (NULL: at the NUL).
 */
static int expand_dollar(struct kx_pp *pp, const char **str, const char *end,
			 const struct pp_args *args, struct kx_buf *out)
{
	const char *p = *str, *q;
	int nest = 0, err;

	if (p == end || *p != '(') {
		kx_buf_putc(out, '$');
		return 0;
	}
	p++;
	for (q = p; q != end && *q; q++) {
		if (*q == '(')
			nest++;
		else if (*q == ')' && nest-- == 0)
			break;
	}
	if (q == end || !*q) {
		/* only at the top level: clauses are balanced */
		return pp_error(pp, KX_ESYNTAX,
				"unterminated reference to '%.*s': missing ')'",
				(int)(q - p), p);
	}
	*str = q + 1;

	if (pp->depth >= KX_PP_MAX_DEPTH)
		return pp_error(pp, KX_ESYNTAX, "Too deep recursive expansion");
	pp->depth++;
	err = eval_clause(pp, p, q, args, out);
	pp->depth--;
	if (!err && out->len > KX_PP_MAX_OUTPUT)
		return pp_error(pp, KX_ELIMIT,
				"macro expansion too long (more than %u bytes)",
				KX_PP_MAX_OUTPUT);
	return err;
}

/*
 * Copies *str to 'out', expanding references, until 'end' (NULL: the NUL)
 * or a character outside references for which is_end() is true.  *str is
 * left where it stopped.
 */
static int expand_until(struct kx_pp *pp, const char **str, const char *end,
			bool (*is_end)(char c), const struct pp_args *args,
			struct kx_buf *out)
{
	const char *in = *str, *p = *str;
	int err;

	for (;;) {
		if (p == end || !*p)
			break;
		if (*p == '$') {
			kx_buf_add(out, in, p - in);
			p++;
			err = expand_dollar(pp, &p, end, args, out);
			if (err < 0)
				return err;
			in = p;
			continue;
		}
		if (is_end && is_end(*p))
			break;
		p++;
	}
	kx_buf_add(out, in, p - in);
	*str = p;
	return 0;
}

/* conf: !(isalnum(c) || c == '_' || c == '-') in the C locale */
static bool is_end_of_token(char c)
{
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		 (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static const struct pp_args no_args = { 0, NULL };

/* ---- public interface ------------------------------------------------------ */

/* Returns 0 and a new preprocessor in *out (free with kx_pp_free). */
int kx_pp_new(struct kx_pp **out, struct kx_env *env, struct kx_shell *sh,
	      struct kx_diags *diags)
{
	struct kx_pp *pp = NULL;

	*out = NULL;
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return KX_ENOMEM;
	pp->env = env;
	pp->sh = sh;
	pp->diags = diags;
	*out = pp;
	return 0;
}

/* Frees the preprocessor, its variables and recorded environment refs. */
void kx_pp_free(struct kx_pp *pp)
{
	void *val;
	size_t i;

	if (!pp)
		return;
	for (i = 0; kx_map_next(&pp->vars, &i, &val);) {
		struct pp_var *v = val;

		free(v->value);
		free(v);
	}
	kx_map_free(&pp->vars);
	for (i = 0; i < pp->nrefs; i++) {
		free(pp->refs[i].name);
		free(pp->refs[i].value);
	}
	free(pp->refs);
	for (i = 0; i < pp->nprobes; i++) {
		free(pp->probes[i].name);
		free(pp->probes[i].value);
	}
	free(pp->probes);
	for (i = 0; i < pp->nmisses; i++)
		free(pp->misses[i]);
	free(pp->misses);
	free(pp);
}

/* Sets the $(info,...) callback (NULL: stdout). */
void kx_pp_set_info(struct kx_pp *pp, void (*info)(void *ctx, const char *line),
		    void *ctx)
{
	pp->info = info;
	pp->info_ctx = ctx;
}

/* Sets the file/line used by $(filename), $(lineno) and messages. */
void kx_pp_set_location(struct kx_pp *pp, const char *file, int line)
{
	pp->file = file;
	pp->line = line;
}

/*
 * Defines or appends to a variable (conf's variable_add).  Returns 0 or the
 * error of expanding the right-hand side (the variable is then unchanged).
 */
int kx_pp_assign(struct kx_pp *pp, const char *name, enum kx_var_flavor fl,
		 const char *value)
{
	struct pp_var *v = var_lookup(pp, name);
	struct kx_buf nv = KX_BUF_INIT;
	bool append = false;
	int err = 0;

	if (v && fl == KX_VAR_APPEND) {
		fl = v->flavor;		/* += inherits the flavour */
		append = true;
	} else if (fl == KX_VAR_APPEND) {
		fl = KX_VAR_RECURSIVE;	/* += on a new name: recursive */
	}

	if (append)
		kx_buf_printf(&nv, "%s ", v->value);
	if (fl == KX_VAR_SIMPLE) {
		const char *p = value;

		err = expand_until(pp, &p, NULL, NULL, &no_args, &nv);
		if (err < 0) {
			kx_buf_free(&nv);
			return err;
		}
	} else {
		kx_buf_puts(&nv, value);
	}

	if (!v) {
		v = kx_xcalloc(1, sizeof(*v));
		kx_map_sets(&pp->vars, name, v);	/* a new name: nothing replaced */
	} else {
		free(v->value);
	}
	v->flavor = fl;
	v->value = kx_buf_detach(&nv);
	return err;
}

/* Expands the reference after a '$'; *out is malloc'd (caller frees). */
int kx_pp_expand_dollar(struct kx_pp *pp, const char **str, char **out)
{
	struct kx_buf b = KX_BUF_INIT;
	int err;

	*out = NULL;
	err = expand_dollar(pp, str, NULL, &no_args, &b);
	if (err < 0) {
		kx_buf_free(&b);
		return err;
	}
	*out = kx_buf_detach(&b);
	return 0;
}

/* Expands one token (conf's expand_one_token); *out is malloc'd. */
int kx_pp_expand_token(struct kx_pp *pp, const char **str, char **out)
{
	struct kx_buf b = KX_BUF_INIT;
	int err;

	*out = NULL;
	err = expand_until(pp, str, NULL, is_end_of_token, &no_args, &b);
	if (err < 0) {
		kx_buf_free(&b);
		return err;
	}
	*out = kx_buf_detach(&b);
	return 0;
}

/* Expands every reference in 'in'; *out is malloc'd (caller frees). */
int kx_pp_expand_string(struct kx_pp *pp, const char *in, char **out)
{
	struct kx_buf b = KX_BUF_INIT;
	int err;

	*out = NULL;
	err = expand_until(pp, &in, NULL, NULL, &no_args, &b);
	if (err < 0) {
		kx_buf_free(&b);
		return err;
	}
	*out = kx_buf_detach(&b);
	return 0;
}

/* Number of environment variables referenced so far. */
size_t kx_pp_env_ref_count(const struct kx_pp *pp)
{
	return pp->nrefs;
}

/* The i-th referenced variable (first-use order); strings owned by pp. */
void kx_pp_env_ref_at(const struct kx_pp *pp, size_t i, const char **name,
		      const char **value)
{
	*name = pp->refs[i].name;
	*value = pp->refs[i].value;
}

/* Number of variables looked up while unset (each once). */
size_t kx_pp_env_miss_count(const struct kx_pp *pp)
{
	return pp->nmisses;
}

const char *kx_pp_env_miss_at(const struct kx_pp *pp, size_t i)
{
	return pp->misses[i];
}

/* Number of $(shell,...) expansions that succeeded, in order. */
size_t kx_pp_probe_count(const struct kx_pp *pp)
{
	return pp->nprobes;
}

void kx_pp_probe_at(const struct kx_pp *pp, size_t i, const char **cmd,
		    const char **answer)
{
	*cmd = pp->probes[i].name;
	*answer = pp->probes[i].value;
}
