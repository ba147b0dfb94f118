/* SPDX-License-Identifier: MIT */
/*
 * parse_internal.h - state shared by the scanner (lexer.l), the grammar
 * (parser.y) and the load driver (load.c).  Not a public header.
 *
 * All parsing state lives in one struct kx_parser (no globals): the flex
 * scanner is reentrant, the bison parser pure, both reach this struct.
 */
#ifndef KX_PARSE_INTERNAL_H
#define KX_PARSE_INTERNAL_H

#include <stdbool.h>

#include "parser/model.h"

struct kx_tree;
struct kx_pp;

/* One open Kconfig file on the include stack. */
struct kx_src {
	struct kx_src *parent;
	void *state;		/* the flex buffer of the including file */
	char *data;		/* file contents (+2 NULs for flex) */
	const char *file;	/* interned name of the including file */
	int lineno;		/* the including file's scanner line */
	int source_lineno;	/* line of the 'source' statement */
};

struct kx_parser {
	struct kx_kconfig *kc;
	struct kx_tree *tree;
	struct kx_pp *pp;
	struct kx_diags *diags;
	void *scanner;		/* yyscan_t */

	/* include stack and position */
	struct kx_src *src;	/* NULL while in the top file */
	char *top_data;
	const char *cur_file;	/* file of the current statement */
	int cur_line;		/* line of the current statement's first token */
	int depth;		/* include depth */

	/* second-stage lexer state (conf's prev_token logic) */
	int prev_token, prev_prev_token;
	int stmt_token;		/* the first token of the current statement */

	/* help text collection */
	struct kx_buf text;
	int first_ts, last_ts;
	char quote;		/* open quote character of a string */

	/* menu construction (conf's current_menu/current_entry/...) */
	struct kx_menu *current_menu, *current_entry, *current_choice;
	struct kx_menu **last_entry_ptr;

	bool strict;		/* malformed input conf only warns about is an error */
	bool no_help;		/* keep no help texts (kx_load_opts.no_help) */
	int nerrs;		/* errors so far */
	int fatal;		/* a fatal error (KX_E*) stops the parse */
	int nexpansions;	/* for statistics */
	bool deep_reported;	/* kc->expr_too_deep was reported */
	bool menu_too_deep;	/* KX_MENU_MAX_DEPTH was reported */

	/*
	 * Where each sourced file was first included (7.1's "repeated
	 * inclusion" error names it): an open-addressing table keyed by the
	 * interned file name.
	 */
	struct kx_incl {
		const char *file, *parent;
		int line;
	} *incl;
	size_t incl_cap, nincl;
};

/*
 * The grammar's stack (bison's YYMAXDEPTH): it bounds the nesting of
 * parentheses, '!' and if/menu/choice blocks; overflowing it is reported
 * as "nested too deeply" (parser.y).
 */
#define KX_PARSE_MAX_STACK 10000

/* Deepest menu tree (automatic submenus included) finalisation accepts. */
#define KX_MENU_MAX_DEPTH 3000

/*
 * Heaviest evaluation chain accepted (menu.c kx_menu_check_eval_depth):
 * symbols times the depth of their expressions, in C frames.
 */
#define KX_EVAL_MAX_WEIGHT 50000
/* Returns 0, or KX_ELIMIT after reporting the symbol at fault. */
int kx_menu_check_eval_depth(struct kx_parser *p);

/* Reports kc->expr_too_deep once, at FILE:LINE; returns KX_ELIMIT. */
int kx_parse_too_deep(struct kx_parser *p, const char *file, int line);

/* scanner entry points (lexer.l) */
int kx_lex_init(struct kx_parser *p, const char *file, char *data, size_t len);
void kx_lex_destroy(struct kx_parser *p);
/* pushes a sourced file; returns 0 or a negative KX_E* (reported) */
int kx_lex_push_file(struct kx_parser *p, const char *name);
void kx_lex_start_help(struct kx_parser *p);
int kx_lex_lineno(struct kx_parser *p);

/* error helpers (diag.c): "FILE:LINE: msg" at the current statement */
void kx_parse_error(struct kx_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kx_parse_warning(struct kx_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* raw message text at an explicit location, counted as error or not */
void kx_parse_msg(struct kx_parser *p, enum kx_diag_level lvl,
		  const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* menu construction (menu.c), conf's menu_add_* family */
void kx_menu_init(struct kx_parser *p);
void kx_menu_add_entry(struct kx_parser *p, struct kx_sym *sym);
struct kx_menu *kx_menu_add_menu(struct kx_parser *p);
void kx_menu_end_menu(struct kx_parser *p);
/* 'depends on DEP [if COND]' (COND: 7.0, conf's "DEP || (COND = n)") */
void kx_menu_add_dep(struct kx_parser *p, struct kx_expr *dep,
		     struct kx_expr *cond);
void kx_menu_add_visibility(struct kx_parser *p, struct kx_expr *e);
void kx_menu_set_type(struct kx_parser *p, enum kx_symtype type);
struct kx_prop *kx_menu_add_prompt(struct kx_parser *p, enum kx_prop_type t,
				   const char *text, struct kx_expr *dep);
struct kx_prop *kx_menu_add_expr(struct kx_parser *p, enum kx_prop_type t,
				 struct kx_expr *e, struct kx_expr *dep);
struct kx_prop *kx_menu_add_symbol(struct kx_parser *p, enum kx_prop_type t,
				   struct kx_sym *s, struct kx_expr *dep);
void kx_menu_set_help(struct kx_parser *p, char *text);
void kx_menu_config_end(struct kx_parser *p);	/* end of a config entry */
bool kx_menu_end_token(struct kx_parser *p, const char *found,
		       const char *expected);
void kx_menu_finalize(struct kx_parser *p);
/* dependency loop check (conf's sym_check_deps over all entries) */
int kx_menu_check_deps(struct kx_parser *p);

#endif /* KX_PARSE_INTERNAL_H */
