/* SPDX-License-Identifier: MIT */
/*
 * preprocess.h - the Kconfig macro language
 * (Documentation/kbuild/kconfig-macro-language.rst).
 *
 * Variables are recursively expanded (=), simply expanded (:=) or appended
 * to (+=); a reference is $(NAME) or a call $(NAME,arg,...) where $(1),
 * $(2)... are the arguments inside a user function.  Lookup order for
 * $(NAME,...): variables, then built-in functions (shell, info,
 * warning-if, error-if, filename, lineno), then (without arguments) the
 * environment; anything else expands to "".  '$' not followed by '(' is a
 * literal '$'.
 *
 * The lexer drives it the way conf's lexer does:
 *   - a word containing '$' is expanded with kx_pp_expand_token(),
 *   - inside a quoted string, each "$" is expanded with kx_pp_expand_dollar(),
 *   - "NAME = value" lines call kx_pp_assign() with the raw value.
 *
 * Errors that are fatal in conf (error-if firing, a recursive variable,
 * unterminated reference, wrong argument counts, a denied probe) return
 * KX_ESYNTAX or KX_EDENIED/KX_ELIMIT after adding an error diagnostic in
 * conf's words, "FILE:LINE: message"; the caller stops parsing.
 * $(info,...) output goes to the info callback (stdout in the CLI), and
 * $(warning-if,...) adds a warning diagnostic "FILE:LINE: message".
 */
#ifndef KX_PREPROCESS_H
#define KX_PREPROCESS_H

#include <stdio.h>

struct kx_env;
struct kx_shell;
struct kx_diags;

enum kx_var_flavor { KX_VAR_RECURSIVE, KX_VAR_SIMPLE, KX_VAR_APPEND };

struct kx_pp;

/*
 * Creates a preprocessor.  'env' provides environment variables (and
 * records which were referenced, see kx_pp_env_refs); 'sh' runs
 * $(shell,...) (may be NULL: every shell call is then KX_EDENIED);
 * diagnostics go to 'diags'.  All three must outlive the preprocessor.
 * 'info' receives $(info,...) text (a line without its newline); NULL
 * prints to stdout.
 */
int kx_pp_new(struct kx_pp **out, struct kx_env *env, struct kx_shell *sh,
	      struct kx_diags *diags);
void kx_pp_free(struct kx_pp *pp);
void kx_pp_set_info(struct kx_pp *pp, void (*info)(void *ctx, const char *line),
		    void *ctx);

/*
 * Sets the location $(filename), $(lineno) and error messages refer to:
 * the file being read and the lexer's current line (conf uses yylineno,
 * i.e. the line the lexer is on, not the statement's first line).
 * 'file' must stay valid until the next call (use interned names).
 */
void kx_pp_set_location(struct kx_pp *pp, const char *file, int line);

/*
 * Defines a variable as "NAME = value" (or := / +=) does.  'value' is the
 * raw right-hand side (leading blanks already skipped by the lexer).
 * := expands it now; = stores it; += appends " " + value, expanded now if
 * the existing variable is simple, and creates a recursive variable if
 * the name is new.
 */
int kx_pp_assign(struct kx_pp *pp, const char *name, enum kx_var_flavor fl,
		 const char *value);

/*
 * Expands the reference starting at **str, which points just after a '$'.
 * On return *str points after the reference (after the closing ')'; or
 * unchanged when the '$' is not followed by '(' and the result is "$").
 * *out is malloc'd.
 */
int kx_pp_expand_dollar(struct kx_pp *pp, const char **str, char **out);

/*
 * Expands one token starting at *str: copies characters and expands
 * references until a character that is not alphanumeric, '_' or '-'
 * (outside references).  *str is advanced past what was consumed; *out
 * is malloc'd.  (conf: expand_one_token.)
 */
int kx_pp_expand_token(struct kx_pp *pp, const char **str, char **out);

/* Expands every reference in 'in'; *out is malloc'd. */
int kx_pp_expand_string(struct kx_pp *pp, const char *in, char **out);

/*
 * Environment variables referenced by the Kconfig files (in first-use
 * order) with the values seen, for include/config/auto.conf.cmd.
 */
size_t kx_pp_env_ref_count(const struct kx_pp *pp);
void kx_pp_env_ref_at(const struct kx_pp *pp, size_t i, const char **name,
		      const char **value);

/*
 * The rest of what the expansion depended on (for the model cache,
 * parser/snapshot.c): variables looked up while unset (each once), and
 * every $(shell,...) command run with its answer (in order, repeats
 * included).  Strings owned by pp.
 */
size_t kx_pp_env_miss_count(const struct kx_pp *pp);
const char *kx_pp_env_miss_at(const struct kx_pp *pp, size_t i);
size_t kx_pp_probe_count(const struct kx_pp *pp);
void kx_pp_probe_at(const struct kx_pp *pp, size_t i, const char **cmd,
		    const char **answer);

#endif /* KX_PREPROCESS_H */
