/* SPDX-License-Identifier: MIT */
/*
 * parser.y - the Kconfig grammar (pure bison parser; state in kx_parser).
 *
 * The grammar accepts the language of the kernels from 5.10 to 7.3: the
 * union of what their own parsers accept, with release-specific forms
 * ('option ...', 'optional', typed or named choices, 'transitional',
 * 'depends on X if Y') checked against the tree's rules
 * (parser/semantics.h) in the actions.  Actions only build the model through the
 * kx_menu_* constructors (menu.c); meaning is added by menu finalisation
 * and the evaluator.  Errors are reported in conf's words, and parsing
 * recovers at the next statement so that every error is reported.
 */
%define api.pure full
%define api.prefix {kx_yy}
%define parse.error simple
%param {struct kx_parser *p}
%expect 0

%code requires {
#include "parser/parse_internal.h"
#include "parser/preprocess.h"
}

%code provides {
int kx_yylex(KX_YYSTYPE *lval, struct kx_parser *p);
int kx_yyparse(struct kx_parser *p);
}

%code {
#include <stdlib.h>
#include <string.h>

#include "parser/preprocess.h"

static void kx_yyerror(struct kx_parser *p, const char *msg);
#define KC (p->kc)
/* robustness: the stack bounds nesting; overflow is "nested too deeply" */
#define YYMAXDEPTH KX_PARSE_MAX_STACK
}

%union
{
	char *string;
	struct kx_sym *symbol;
	struct kx_expr *expr;
	struct kx_menu *menu;
	enum kx_symtype type;
	enum kx_var_flavor flavor;
}

%token <string> T_HELPTEXT
%token <string> T_WORD
%token <string> T_WORD_QUOTE
%token <string> T_ASSIGN_VAL
%token T_BOOL
%token T_CHOICE
%token T_CLOSE_PAREN
%token T_COLON_EQUAL
%token T_COMMENT
%token T_CONFIG
%token T_DEFAULT
%token T_DEF_BOOL
%token T_DEF_TRISTATE
%token T_DEPENDS
%token T_ENDCHOICE
%token T_ENDIF
%token T_ENDMENU
%token T_HELP
%token T_HEX
%token T_IF
%token T_IMPLY
%token T_INT
%token T_MAINMENU
%token T_MENU
%token T_MENUCONFIG
%token T_MODULES
%token T_ON
%token T_OPEN_PAREN
%token T_OPTION
%token T_OPTIONAL
%token T_PLUS_EQUAL
%token T_PROMPT
%token T_RANGE
%token T_SELECT
%token T_SOURCE
%token T_STRING
%token T_TRANSITIONAL
%token T_TRISTATE
/*
 * A keyword of the tree's own grammar where that grammar has no place for
 * it (lexer.l): 5.10's bare 'modules', 'if' after 'depends on' before 7.0,
 * a type inside a choice from 6.13.  No rule takes it, so it fails exactly
 * where the tree's conf fails, with the same error recovery and messages.
 */
%token T_MISPLACED
%token T_VISIBLE
%token T_EOL
%token T_OR
%token T_AND
%token T_EQUAL
%token T_UNEQUAL
%token T_LESS
%token T_LESS_EQUAL
%token T_GREATER
%token T_GREATER_EQUAL
%token T_NOT

/* comparisons bind symbols, not expressions: only these need precedence */
%left T_OR
%left T_AND
%precedence T_NOT

%type <symbol> nonconst_symbol symbol
%type <type> type default
%type <expr> expr if_expr
%type <string> end word_opt assign_val
%type <menu> if_entry menu_entry choice_entry
%type <flavor> assign_op

%destructor { free($$); } <string>
%destructor {
	/* not when a fatal error stopped the parse: conf exits there */
	if (!p->fatal)
		kx_parse_msg(p, KX_DIAG_ERROR, $$->file, $$->line,
			     "%s:%d: missing end statement for this entry",
			     $$->file, $$->line);
	if (p->current_menu == $$)
		kx_menu_end_menu(p);
} if_entry menu_entry choice_entry

%%

input: mainmenu_stmt stmt_list | stmt_list;

/* mainmenu entry */

mainmenu_stmt: T_MAINMENU T_WORD_QUOTE T_EOL
{
	kx_menu_add_prompt(p, KX_P_MENU, $2, NULL);
	free($2);
};

stmt_list:
	  %empty
	| stmt_list assignment_stmt
	| stmt_list choice_stmt
	| stmt_list comment_stmt
	| stmt_list config_stmt
	| stmt_list if_stmt
	| stmt_list menu_stmt
	| stmt_list menuconfig_stmt
	| stmt_list source_stmt
	| stmt_list T_WORD error T_EOL
	{
		kx_parse_error(p, "unknown statement \"%s\"", $2);
		free($2);
	}
	| stmt_list error T_EOL	{ kx_parse_error(p, "invalid statement"); }
;

stmt_list_in_choice:
	  %empty
	| stmt_list_in_choice comment_stmt
	| stmt_list_in_choice config_stmt
	| stmt_list_in_choice if_stmt_in_choice
	| stmt_list_in_choice error T_EOL	{ kx_parse_error(p, "invalid statement"); }
;

/* config/menuconfig entry */

config_entry_start: T_CONFIG nonconst_symbol T_EOL
{
	if (!KX_SEM(KC, CHOICE_V2))
		$2->flags |= KX_SYM_OPTIONAL;
	kx_menu_add_entry(p, $2);
};

config_stmt: config_entry_start config_option_list
{
	kx_menu_config_end(p);
};

menuconfig_entry_start: T_MENUCONFIG nonconst_symbol T_EOL
{
	if (!KX_SEM(KC, CHOICE_V2))
		$2->flags |= KX_SYM_OPTIONAL;
	kx_menu_add_entry(p, $2);
};

menuconfig_stmt: menuconfig_entry_start config_option_list
{
	if (p->current_entry->prompt)
		p->current_entry->prompt->type = KX_P_MENU;
	else if (KX_SEM(KC, HELP_ERRORS))
		kx_parse_error(p, "menuconfig statement without prompt");
	else
		kx_parse_warning(p, "warning: menuconfig statement without prompt");
	kx_menu_config_end(p);
};

config_option_list:
	  %empty
	| config_option_list config_option
	| config_option_list depends
	| config_option_list help
;

config_option: type prompt_stmt_opt T_EOL
{
	kx_menu_set_type(p, $1);
};

config_option: T_PROMPT T_WORD_QUOTE if_expr T_EOL
{
	kx_menu_add_prompt(p, KX_P_PROMPT, $2, $3);
	free($2);
};

/* 6.18: a symbol kept only to read old .config files (menu.c checks it) */
config_option: T_TRANSITIONAL T_EOL
{
	p->current_entry->sym->flags |= KX_SYM_TRANS;
};

config_option: default expr if_expr T_EOL
{
	kx_menu_add_expr(p, KX_P_DEFAULT, $2, $3);
	if ($1 != KX_S_UNKNOWN)
		kx_menu_set_type(p, $1);
};

config_option: T_SELECT nonconst_symbol if_expr T_EOL
{
	kx_menu_add_symbol(p, KX_P_SELECT, $2, $3);
};

config_option: T_IMPLY nonconst_symbol if_expr T_EOL
{
	kx_menu_add_symbol(p, KX_P_IMPLY, $2, $3);
};

config_option: T_RANGE symbol symbol if_expr T_EOL
{
	kx_menu_add_expr(p, KX_P_RANGE, kx_expr_comp(KC, KX_E_RANGE, $2, $3), $4);
};

config_option: T_MODULES T_EOL
{
	/* (5.13 on; before, a bare 'modules' is T_MISPLACED) */
	if (KC->modules_sym) {
		kx_parse_error(p, "symbol '%s' redefines option 'modules' already defined by symbol '%s'",
			       p->current_entry->sym->name, KC->modules_sym->name);
	} else {
		KC->modules_sym = p->current_entry->sym;
	}
};

/* 'option' statements of kernels before 5.16 */
config_option: T_OPTION T_MODULES T_EOL
{
	if (KC->modules_sym)
		kx_parse_error(p, "symbol '%s' redefines option 'modules' already defined by symbol '%s'",
			       p->current_entry->sym->name, KC->modules_sym->name);
	else
		KC->modules_sym = p->current_entry->sym;
};

config_option: T_OPTION T_WORD T_EOL
{
	struct kx_sym *sym = p->current_entry->sym;

	if (!strcmp($2, "defconfig_list")) {
		/* one symbol only; never written (conf's SYMBOL_NO_WRITE) */
		for (size_t i = 0; i < KC->nsyms; i++) {
			struct kx_sym *o = KC->syms[i];

			if (o != sym && (o->flags & KX_SYM_DEFCONFIG_LIST)) {
				kx_parse_error(p, "trying to redefine defconfig symbol");
				break;
			}
		}
		sym->flags |= KX_SYM_DEFCONFIG_LIST | KX_SYM_NO_WRITE;
	}
	else if (!strcmp($2, "allnoconfig_y"))
		sym->flags |= KX_SYM_ALLNOCONFIG_Y;
	/* (any other word after 'option' is T_MISPLACED) */
	free($2);
};

/* choice entry */

choice: T_CHOICE word_opt T_EOL
{
	struct kx_sym *sym;

	if ($2 && KX_SEM(KC, CHOICE_V2)) {
		kx_parse_error(p, "syntax error");
		free($2);
		$2 = NULL;
	}
	sym = kx_sym_lookup(KC, $2, KX_SYM_CHOICE);
	sym->flags |= KX_SYM_CHOICE;
	if (!KX_SEM(KC, CHOICE_V2))
		sym->flags |= KX_SYM_NO_WRITE;
	kx_menu_add_entry(p, sym);
	if (KX_SEM(KC, CHOICE_V2))
		kx_menu_set_type(p, KX_S_BOOLEAN);
	free($2);
};

choice_entry: choice choice_option_list
{
	if (KX_SEM(KC, CHOICE_V2) && !p->current_entry->prompt)
		kx_parse_msg(p, KX_DIAG_ERROR, p->current_entry->file,
			     p->current_entry->line,
			     "%s:%d: error: choice must have a prompt",
			     p->current_entry->file, p->current_entry->line);
	$$ = kx_menu_add_menu(p);
	p->current_choice = p->current_entry;
};

choice_end: end
{
	p->current_choice = NULL;
	if (kx_menu_end_token(p, $1, "choice"))
		kx_menu_end_menu(p);
	free($1);
};

choice_stmt: choice_entry stmt_list_in_choice choice_end
;

choice_option_list:
	  %empty
	| choice_option_list choice_option
	| choice_option_list depends
	| choice_option_list help
;

choice_option: T_PROMPT T_WORD_QUOTE if_expr T_EOL
{
	kx_menu_add_prompt(p, KX_P_PROMPT, $2, $3);
	free($2);
};

choice_option: type prompt_stmt_opt T_EOL
{
	/* (6.13 on, a type here is T_MISPLACED: a choice is bool) */
	if (KX_SEM(KC, CHOICE_V2)) {
		if ($1 != KX_S_BOOLEAN || !p->current_entry->prompt)
			kx_parse_error(p, "syntax error");
	} else if ($1 != KX_S_BOOLEAN && $1 != KX_S_TRISTATE) {
		kx_parse_error(p, "syntax error");
	} else {
		kx_menu_set_type(p, $1);
	}
};

choice_option: T_OPTIONAL T_EOL
{
	p->current_entry->sym->flags |= KX_SYM_OPTIONAL;
};

choice_option: T_DEFAULT nonconst_symbol if_expr T_EOL
{
	kx_menu_add_symbol(p, KX_P_DEFAULT, $2, $3);
};

type:
	  T_BOOL		{ $$ = KX_S_BOOLEAN; }
	| T_TRISTATE		{ $$ = KX_S_TRISTATE; }
	| T_INT			{ $$ = KX_S_INT; }
	| T_HEX			{ $$ = KX_S_HEX; }
	| T_STRING		{ $$ = KX_S_STRING; }
;

default:
	  T_DEFAULT		{ $$ = KX_S_UNKNOWN; }
	| T_DEF_BOOL		{ $$ = KX_S_BOOLEAN; }
	| T_DEF_TRISTATE	{ $$ = KX_S_TRISTATE; }
;

/* if entry */

if_entry: T_IF expr T_EOL
{
	kx_menu_add_entry(p, NULL);
	p->current_entry->is_if = true;
	kx_menu_add_dep(p, $2, NULL);
	$$ = kx_menu_add_menu(p);
};

if_end: end
{
	if (kx_menu_end_token(p, $1, "if"))
		kx_menu_end_menu(p);
	free($1);
};

if_stmt: if_entry stmt_list if_end
;

if_stmt_in_choice: if_entry stmt_list_in_choice if_end
;

/* menu entry */

menu: T_MENU T_WORD_QUOTE T_EOL
{
	kx_menu_add_entry(p, NULL);
	kx_menu_add_prompt(p, KX_P_MENU, $2, NULL);
	free($2);
};

menu_entry: menu menu_option_list
{
	$$ = kx_menu_add_menu(p);
};

menu_end: end
{
	if (kx_menu_end_token(p, $1, "menu"))
		kx_menu_end_menu(p);
	free($1);
};

menu_stmt: menu_entry stmt_list menu_end
;

menu_option_list:
	  %empty
	| menu_option_list visible
	| menu_option_list depends
;

source_stmt: T_SOURCE T_WORD_QUOTE T_EOL
{
	int err = kx_lex_push_file(p, $2);

	free($2);
	if (err < 0)
		YYABORT;
};

/* comment entry */

comment: T_COMMENT T_WORD_QUOTE T_EOL
{
	kx_menu_add_entry(p, NULL);
	kx_menu_add_prompt(p, KX_P_COMMENT, $2, NULL);
	free($2);
};

comment_stmt: comment comment_option_list
;

comment_option_list:
	  %empty
	| comment_option_list depends
;

/* help option */

help_start: T_HELP T_EOL
{
	kx_lex_start_help(p);
};

help: help_start T_HELPTEXT
{
	kx_menu_set_help(p, $2);
};

/* depends option */

depends: T_DEPENDS T_ON expr if_expr T_EOL
{
	/* 'depends on X if Y': 7.0 (menu.c); before, 'if' is T_MISPLACED */
	kx_menu_add_dep(p, $3, $4);
};

/* visibility option */

visible: T_VISIBLE if_expr T_EOL
{
	kx_menu_add_visibility(p, $2);
};

/* prompt statement */

prompt_stmt_opt:
	  %empty
	| T_WORD_QUOTE if_expr
{
	kx_menu_add_prompt(p, KX_P_PROMPT, $1, $2);
	free($1);
};

end:	  T_ENDMENU T_EOL	{ $$ = kx_xstrdup("menu"); }
	| T_ENDCHOICE T_EOL	{ $$ = kx_xstrdup("choice"); }
	| T_ENDIF T_EOL		{ $$ = kx_xstrdup("if"); }
;

if_expr:  %empty			{ $$ = NULL; }
	| T_IF expr			{ $$ = $2; }
;

expr:	  symbol				{ $$ = kx_expr_sym(KC, $1); }
	| symbol T_LESS symbol			{ $$ = kx_expr_comp(KC, KX_E_LTH, $1, $3); }
	| symbol T_LESS_EQUAL symbol		{ $$ = kx_expr_comp(KC, KX_E_LEQ, $1, $3); }
	| symbol T_GREATER symbol		{ $$ = kx_expr_comp(KC, KX_E_GTH, $1, $3); }
	| symbol T_GREATER_EQUAL symbol		{ $$ = kx_expr_comp(KC, KX_E_GEQ, $1, $3); }
	| symbol T_EQUAL symbol			{ $$ = kx_expr_comp(KC, KX_E_EQUAL, $1, $3); }
	| symbol T_UNEQUAL symbol		{ $$ = kx_expr_comp(KC, KX_E_UNEQUAL, $1, $3); }
	| T_OPEN_PAREN expr T_CLOSE_PAREN	{ $$ = $2; }
	| T_NOT expr				{ $$ = kx_expr_one(KC, KX_E_NOT, $2); }
	| expr T_OR expr			{ $$ = kx_expr_two(KC, KX_E_OR, $1, $3); }
	| expr T_AND expr			{ $$ = kx_expr_two(KC, KX_E_AND, $1, $3); }
;

/* For symbol definitions, selects, etc., where quotes are not accepted */
nonconst_symbol: T_WORD { $$ = kx_sym_lookup(KC, $1, 0); free($1); };

symbol:	  nonconst_symbol
	| T_WORD_QUOTE	{ $$ = kx_sym_lookup(KC, $1, KX_SYM_CONST); free($1); }
;

word_opt: %empty			{ $$ = NULL; }
	| T_WORD
;

/* assignment statement */

assignment_stmt: T_WORD assign_op assign_val T_EOL
{
	int err;

	kx_pp_set_location(p->pp, p->cur_file, kx_lex_lineno(p));
	err = kx_pp_assign(p->pp, $1, $2, $3);
	free($1);
	free($3);
	if (err < 0) {
		p->fatal = err;
		YYABORT;
	}
};

assign_op:
	  T_EQUAL	{ $$ = KX_VAR_RECURSIVE; }
	| T_COLON_EQUAL	{ $$ = KX_VAR_SIMPLE; }
	| T_PLUS_EQUAL	{ $$ = KX_VAR_APPEND; }
;

assign_val:
	  %empty		{ $$ = kx_xstrdup(""); }
	| T_ASSIGN_VAL
;

%%

static void kx_yyerror(struct kx_parser *p, const char *msg)
{
	if (p->fatal)
		return;
	if (!strcmp(msg, "memory exhausted")) {
		/*
		 * Robustness: bison's stack (YYMAXDEPTH) overflowed, i.e. too
		 * many open parentheses, '!' or blocks; stop here.
		 */
		if (p->prev_token == T_OPEN_PAREN || p->prev_token == T_NOT)
			kx_parse_msg(p, KX_DIAG_ERROR, p->cur_file, p->cur_line,
				     "%s:%d: expression nested too deeply (more than %d levels)",
				     p->cur_file, p->cur_line, KX_PARSE_MAX_STACK);
		else
			kx_parse_msg(p, KX_DIAG_ERROR, p->cur_file, p->cur_line,
				     "%s:%d: blocks nested too deeply (more than %d parser stack entries)",
				     p->cur_file, p->cur_line, KX_PARSE_MAX_STACK);
		p->fatal = KX_ELIMIT;
		return;
	}
	/* before 6.7, conf said the line after the statement's first line */
	int line = p->cur_line + !KX_SEM(KC, SYNTAX_ERROR_LINE);

	kx_parse_msg(p, KX_DIAG_ERROR, p->cur_file, line, "%s:%d: %s",
		     p->cur_file, line, msg);
}
