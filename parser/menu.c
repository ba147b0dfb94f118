// SPDX-License-Identifier: MIT
/*
 * menu.c - building the menu tree while parsing, and finalising it.
 *
 * Construction (kx_menu_add_*) follows what the grammar actions of conf do:
 * each entry (config, menuconfig, choice, menu, comment, if) becomes a menu
 * node appended to the current menu; properties are attached to the node
 * and to its symbol; prompts inherit the 'visible if' of enclosing menus.
 *
 * Finalisation (kx_menu_finalize) then, recursively:
 *   1. propagates the dependencies of enclosing menus, ifs and choices to
 *      each entry and to each of its properties ('m' in an expression
 *      becomes 'm && MODULES'), and turns 'select'/'imply' properties into
 *      the reverse dependencies of their targets;
 *   2. creates automatic submenus: the entries following a symbol that
 *      depend on it are moved under it (menuconfig shows them indented);
 *   3. flattens 'if' blocks (and submenus under prompt-less symbols);
 *   4. computes each symbol's direct dependencies (OR over its entries);
 *   5. for trees older than 6.11, registers choice values, gives choices
 *      their type and adds the "a visible non-optional choice is at least
 *      m" reverse dependency.
 * kx_menu_check_deps() then rejects recursive dependencies as conf does.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser/parse_internal.h"

#define KC (p->kc)

/* ---- construction ------------------------------------------------------ */

void kx_menu_init(struct kx_parser *p)
{
	p->current_entry = p->current_menu = &KC->rootmenu;
	p->last_entry_ptr = &KC->rootmenu.list;
	KC->rootmenu.flags |= KX_MENU_ROOT;
	KC->rootmenu.file = p->cur_file;
}

static void menu_warn(struct kx_parser *p, const struct kx_menu *m,
		      const char *fmt, const char *a, const char *b, const char *c)
{
	struct kx_buf msg = KX_BUF_INIT;

	kx_buf_printf(&msg, fmt, a, b, c);
	kx_parse_msg(p, KX_DIAG_WARNING, m->file, m->line, "%s:%d:warning: %s",
		     m->file, m->line, kx_buf_cstr(&msg));
	kx_buf_free(&msg);
}

static void prop_warn(struct kx_parser *p, const struct kx_prop *pr,
		      const char *fmt, const char *a)
{
	struct kx_buf msg = KX_BUF_INIT;

	kx_buf_printf(&msg, fmt, a);
	kx_parse_msg(p, KX_DIAG_WARNING, pr->file, pr->line, "%s:%d:warning: %s",
		     pr->file, pr->line, kx_buf_cstr(&msg));
	kx_buf_free(&msg);
}

void kx_menu_add_entry(struct kx_parser *p, struct kx_sym *sym)
{
	struct kx_menu *m = kx_arena_alloc(KC->arena, sizeof(*m));

	m->sym = sym;
	m->parent = p->current_menu;
	m->lexical_parent = p->current_menu;
	m->file = p->cur_file;
	m->line = p->cur_line;
	*p->last_entry_ptr = m;
	p->last_entry_ptr = &m->next;
	p->current_entry = m;
	if (sym) {
		/* robustness: a tail pointer, not a walk (quadratic for a
		 * symbol defined 30000 times) */
		if (!sym->menus_tail)
			for (sym->menus_tail = &sym->menus; *sym->menus_tail;)
				sym->menus_tail = &(*sym->menus_tail)->sym_next;
		*sym->menus_tail = m;
		sym->menus_tail = &m->sym_next;
	}
}

struct kx_menu *kx_menu_add_menu(struct kx_parser *p)
{
	p->last_entry_ptr = &p->current_entry->list;
	p->current_menu = p->current_entry;
	return p->current_menu;
}

void kx_menu_end_menu(struct kx_parser *p)
{
	p->last_entry_ptr = &p->current_menu->next;
	p->current_menu = p->current_menu->parent;
}

void kx_menu_add_dep(struct kx_parser *p, struct kx_expr *dep,
		     struct kx_expr *cond)
{
	struct kx_dep *d = kx_arena_alloc(KC->arena, sizeof(*d)), **pp;

	/*
	 * 'depends on X if Y' holds when Y is n, else needs X: conf builds
	 * X || (Y = n), with expr_trans_compare's rewriting of Y (so that
	 * Y=m, X=n gives n, where !Y || X would give m).
	 */
	if (cond)
		dep = kx_expr_or(KC, dep, kx_expr_trans_compare(KC, cond, KX_E_EQUAL,
								 &KC->sym_no));
	p->current_entry->dep = kx_expr_and(KC, p->current_entry->dep, dep);
	p->current_entry->dep_written = p->current_entry->dep;
	d->expr = dep;
	d->line = p->cur_line;
	for (pp = &p->current_entry->deps; *pp; pp = &(*pp)->next)
		;
	*pp = d;
}

void kx_menu_add_visibility(struct kx_parser *p, struct kx_expr *e)
{
	p->current_entry->visibility = kx_expr_and(KC, p->current_entry->visibility, e);
}

static void set_type_of(struct kx_parser *p, struct kx_menu *entry,
			enum kx_symtype type)
{
	struct kx_sym *sym = entry->sym;

	if (sym->type == type)
		return;
	if (sym->type == KX_S_UNKNOWN) {
		sym->type = type;
		return;
	}
	menu_warn(p, entry, "ignoring type redefinition of '%s' from '%s' to '%s'",
		  sym->name ? sym->name : "<choice>", kx_symtype_name(sym->type),
		  kx_symtype_name(type));
}

void kx_menu_set_type(struct kx_parser *p, enum kx_symtype type)
{
	set_type_of(p, p->current_entry, type);
}

static struct kx_prop *add_prop(struct kx_parser *p, enum kx_prop_type t,
				struct kx_expr *e, struct kx_expr *dep)
{
	struct kx_prop *pr = kx_arena_alloc(KC->arena, sizeof(*pr));
	struct kx_sym *sym = p->current_entry->sym;

	pr->type = t;
	pr->file = p->cur_file;
	pr->line = p->cur_line;
	pr->menu = p->current_entry;
	pr->expr = e;
	pr->cond = dep;
	pr->visible = dep;
	if (sym) {
		/* robustness: a tail pointer, as for sym->menus */
		if (!sym->prop_tail)
			for (sym->prop_tail = &sym->prop; *sym->prop_tail;)
				sym->prop_tail = &(*sym->prop_tail)->next;
		*sym->prop_tail = pr;
		sym->prop_tail = &pr->next;
	}
	return pr;
}

struct kx_prop *kx_menu_add_prompt(struct kx_parser *p, enum kx_prop_type t,
				   const char *text, struct kx_expr *dep)
{
	struct kx_prop *pr = add_prop(p, t, NULL, dep);

	if (isspace((unsigned char)*text)) {
		prop_warn(p, pr, "%s", "leading whitespace ignored");
		while (isspace((unsigned char)*text))
			text++;
	}
	if (p->current_entry->prompt)
		prop_warn(p, pr, "%s", "prompt redefined");
	/* prompts inherit the 'visible if' of every enclosing menu */
	if (t == KX_P_PROMPT) {
		for (struct kx_menu *m = p->current_entry->parent; m; m = m->parent)
			if (m->visibility)
				pr->visible = kx_expr_and(KC, pr->visible, m->visibility);
	}
	p->current_entry->prompt = pr;
	pr->text = kx_arena_strdup(KC->arena, text);
	return pr;
}

struct kx_prop *kx_menu_add_expr(struct kx_parser *p, enum kx_prop_type t,
				 struct kx_expr *e, struct kx_expr *dep)
{
	return add_prop(p, t, e, dep);
}

struct kx_prop *kx_menu_add_symbol(struct kx_parser *p, enum kx_prop_type t,
				   struct kx_sym *s, struct kx_expr *dep)
{
	return add_prop(p, t, kx_expr_sym(KC, s), dep);
}

void kx_menu_set_help(struct kx_parser *p, char *text)
{
	struct kx_menu *e = p->current_entry;
	const char *name = e->sym && e->sym->name ? e->sym->name : "<choice>";

	/* 6.13 made both warnings errors (parse fails, exit 1) */
	if (e->help && KX_SEM(KC, HELP_ERRORS))
		kx_parse_error(p, "'%s' defined with more than one help text", name);
	else if (e->help)
		kx_parse_warning(p, "warning: '%s' defined with more than one help text -- only the last one will be used",
				 name);
	if (text[strspn(text, " \f\n\r\t\v")] == '\0') {
		if (KX_SEM(KC, HELP_ERRORS))
			kx_parse_error(p, "'%s' defined with blank help text", name);
		else
			kx_parse_warning(p, "warning: '%s' defined with blank help text",
					 name);
	}
	e->help = p->no_help ? "" : kx_arena_strdup(KC->arena, text);
	free(text);
}

static void add_choice_prio(struct kx_kconfig *kc, struct kx_menu *choice,
			    struct kx_sym *s)
{
	if (choice->nprio == choice->capprio) {
		size_t cap = choice->capprio ? choice->capprio * 2 : 8;
		struct kx_sym **v = kx_arena_alloc(kc->arena, cap * sizeof(*v));

		if (choice->nprio)
			memcpy(v, choice->prio, choice->nprio * sizeof(*v));
		choice->prio = v;
		choice->capprio = cap;
	}
	choice->prio[choice->nprio++] = s;
}

static void add_choice_member(struct kx_kconfig *kc, struct kx_menu *choice,
			      struct kx_sym *s)
{
	struct kx_sym **v = kx_arena_alloc(kc->arena, (choice->nmembers + 1) *
					   sizeof(*v));

	if (choice->nmembers)
		memcpy(v, choice->members, choice->nmembers * sizeof(*v));
	v[choice->nmembers++] = s;
	choice->members = v;
}

void kx_menu_config_end(struct kx_parser *p)
{
	struct kx_menu *e = p->current_entry;
	struct kx_menu *choice = p->current_choice;

	if (!KX_SEM(KC, CHOICE_V2) || !choice)
		return;
	if (!e->prompt)
		kx_parse_msg(p, KX_DIAG_ERROR, e->file, e->line,
			     "%s:%d: error: choice member must have a prompt",
			     e->file, e->line);
	if (e->sym->type != KX_S_BOOLEAN)
		kx_parse_msg(p, KX_DIAG_ERROR, e->file, e->line,
			     "%s:%d: error: choice member must be bool",
			     e->file, e->line);
	if (!e->sym->member_of) {
		e->sym->member_of = choice;
		add_choice_prio(KC, choice, e->sym);
		add_choice_member(KC, choice, e->sym);
	}
}

bool kx_menu_end_token(struct kx_parser *p, const char *found,
		       const char *expected)
{
	if (strcmp(found, expected)) {
		kx_parse_error(p, "unexpected '%s' within %s block", found, expected);
		return false;
	}
	if (p->current_menu->file != p->cur_file) {
		kx_parse_error(p, "'%s' in different file than '%s'", found, expected);
		kx_parse_msg(p, KX_DIAG_NOTE, p->current_menu->file,
			     p->current_menu->line, "%s:%d: location of the '%s'",
			     p->current_menu->file, p->current_menu->line, expected);
		return false;
	}
	return true;
}

/* ---- finalisation ---------------------------------------------------------- */

/* 'm' -> 'm && MODULES', so that m evaluates to n without modules */
static struct kx_expr *rewrite_m(struct kx_kconfig *kc, struct kx_expr *e)
{
	if (!e)
		return e;
	switch (e->type) {
	case KX_E_NOT:
		return kx_expr_one(kc, KX_E_NOT, rewrite_m(kc, e->left.expr));
	case KX_E_OR:
	case KX_E_AND:
		return kx_expr_two(kc, e->type, rewrite_m(kc, e->left.expr),
				   rewrite_m(kc, e->right.expr));
	case KX_E_SYMBOL:
		if (e->left.sym == &kc->sym_mod)
			return kx_expr_and(kc, e, kx_expr_sym(kc, kc->modules_sym));
		return e;
	default:
		return e;
	}
}

static bool number_ok(struct kx_sym *sym, struct kx_sym *s2);

/* conf's sym_check_prop: warnings about ill-typed properties */
static void check_props(struct kx_parser *p, struct kx_sym *sym)
{
	for (struct kx_prop *pr = sym->prop; pr; pr = pr->next) {
		struct kx_sym *s2;
		const char *use;

		switch (pr->type) {
		case KX_P_DEFAULT:
			if ((sym->type == KX_S_STRING || sym->type == KX_S_INT ||
			     sym->type == KX_S_HEX) && pr->expr->type != KX_E_SYMBOL)
				prop_warn(p, pr, "default for config symbol '%s' must be a single symbol",
					  sym->name);
			if (pr->expr->type != KX_E_SYMBOL)
				break;
			s2 = pr->expr->left.sym;
			if ((sym->type == KX_S_HEX || sym->type == KX_S_INT) &&
			    !number_ok(sym, s2))
				prop_warn(p, pr, "'%s': number is invalid", sym->name);
			if (kx_sym_is_choice(sym)) {
				struct kx_menu *cm = KX_SEM(KC, CHOICE_V2)
					? kx_sym_choice_menu(s2) : NULL;
				bool ok = KX_SEM(KC, CHOICE_V2) ? (cm && cm->sym == sym)
							    : s2->choice_sym == sym;

				if (!ok)
					prop_warn(p, pr, "choice default symbol '%s' is not contained in the choice",
						  s2->name);
			}
			break;
		case KX_P_SELECT:
		case KX_P_IMPLY:
			use = pr->type == KX_P_SELECT ? "select" : "imply";
			s2 = pr->expr->left.sym;
			if (sym->type != KX_S_BOOLEAN && sym->type != KX_S_TRISTATE) {
				struct kx_buf b = KX_BUF_INIT;

				kx_buf_printf(&b, "config symbol '%s' uses %s, but is not bool or tristate",
					      sym->name, use);
				prop_warn(p, pr, "%s", kx_buf_cstr(&b));
				kx_buf_free(&b);
			} else if (s2->type != KX_S_UNKNOWN && s2->type != KX_S_BOOLEAN &&
				   s2->type != KX_S_TRISTATE) {
				struct kx_buf b = KX_BUF_INIT;

				kx_buf_printf(&b, "'%s' has wrong type. '%s' only accept arguments of bool and tristate type",
					      s2->name, use);
				prop_warn(p, pr, "%s", kx_buf_cstr(&b));
				kx_buf_free(&b);
			}
			break;
		case KX_P_RANGE:
			if (sym->type != KX_S_INT && sym->type != KX_S_HEX)
				prop_warn(p, pr, "%s", "range is only allowed for int or hex symbols");
			if (!number_ok(sym, pr->expr->left.sym) ||
			    !number_ok(sym, pr->expr->right.sym))
				prop_warn(p, pr, "%s", "range is invalid");
			break;
		default:
			break;
		}
	}
}

/* conf's sym_string_valid for int/hex, used on constants at load time */
static bool string_valid(enum kx_symtype t, const char *str)
{
	unsigned char ch;

	if (t == KX_S_INT) {
		ch = (unsigned char)*str++;
		if (ch == '-')
			ch = (unsigned char)*str++;
		if (!isdigit(ch))
			return false;
		if (ch == '0' && *str)
			return false;
		while ((ch = (unsigned char)*str++))
			if (!isdigit(ch))
				return false;
		return true;
	}
	if (t == KX_S_HEX) {
		if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
			str += 2;
		ch = (unsigned char)*str++;
		do {
			if (!isxdigit(ch))
				return false;
		} while ((ch = (unsigned char)*str++));
		return true;
	}
	return true;
}

static bool number_ok(struct kx_sym *sym, struct kx_sym *s2)
{
	return s2->type == KX_S_INT || s2->type == KX_S_HEX ||
	       (s2->type == KX_S_UNKNOWN && s2->name &&
		string_valid(sym->type, s2->name));
}

static struct kx_menu *choice_first_menu(struct kx_sym *choice)
{
	return choice->menus;
}

static void finalize(struct kx_parser *p, struct kx_menu *parent,
		     bool inside_choice, int depth)
{
	struct kx_kconfig *kc = KC;
	bool v2 = KX_SEM(kc, CHOICE_V2);
	struct kx_sym *sym = parent->sym;
	struct kx_menu *m, *last;
	struct kx_prop *pr;
	struct kx_expr *parentdep, *basedep, *dep, *dep2;

	/*
	 * Robustness: this recursion follows the menu tree, automatic
	 * submenus included (a chain of N symbols each depending on the one
	 * before nests N deep): bounded by KX_MENU_MAX_DEPTH.
	 */
	if (depth > KX_MENU_MAX_DEPTH) {
		if (!p->menu_too_deep)
			kx_parse_msg(p, KX_DIAG_ERROR, parent->file, parent->line,
				     "%s:%d: menu entries nested too deeply (more than %d levels)",
				     parent->file ? parent->file : "", parent->line,
				     KX_MENU_MAX_DEPTH);
		p->menu_too_deep = true;
		return;
	}

	if (parent->list) {
		parentdep = parent->dep;
		if (!v2 && sym && kx_sym_is_choice(sym)) {
			/* the type of a choice comes from its first typed value */
			if (sym->type == KX_S_UNKNOWN) {
				for (m = parent->list; m; m = m->next) {
					if (m->sym && m->sym->type != KX_S_UNKNOWN) {
						set_type_of(p, parent, m->sym->type);
						break;
					}
				}
			}
			for (m = parent->list; m; m = m->next)
				if (m->sym && m->sym->type == KX_S_UNKNOWN)
					set_type_of(p, m, sym->type);
			/* the choice's mode bounds its values */
			parentdep = kx_expr_sym(kc, sym);
		}
		for (m = parent->list; m; m = m->next) {
			basedep = rewrite_m(kc, m->dep);
			basedep = kx_expr_transform(kc, basedep);
			basedep = kx_expr_and(kc, parentdep, basedep);
			basedep = kx_expr_eliminate_dups(kc, basedep);
			m->dep = basedep;
			pr = m->sym ? m->sym->prop : m->prompt;
			for (; pr; pr = m->sym ? pr->next : NULL) {
				if (pr->menu != m)
					continue;
				dep = rewrite_m(kc, pr->visible);
				dep = kx_expr_transform(kc, dep);
				dep = kx_expr_and(kc, basedep, dep);
				dep = kx_expr_eliminate_dups(kc, dep);
				pr->visible = dep;
				if (pr->type == KX_P_SELECT || pr->type == KX_P_IMPLY) {
					struct kx_sym *es = pr->expr->left.sym;
					struct kx_expr *e = kx_expr_and(kc,
						kx_expr_sym(kc, m->sym), dep);

					if (pr->type == KX_P_SELECT)
						es->rev_dep = kx_expr_or(kc, es->rev_dep, e);
					else
						es->implied = kx_expr_or(kc, es->implied, e);
					/* robustness: too many selects (model.h) */
					if (kc->expr_too_deep)
						kx_parse_too_deep(p, pr->file, pr->line);
				}
			}
			if (kc->expr_too_deep)
				kx_parse_too_deep(p, m->file, m->line);
		}
		for (m = parent->list; m; m = m->next)
			finalize(p, m, v2 && sym && kx_sym_is_choice(sym), depth + 1);
	} else if (sym && !(v2 && inside_choice)) {
		/*
		 * Automatic submenu: the entries after 'sym' that depend on
		 * it (absolutely, or with a superset of its dependencies)
		 * become its children.
		 */
		basedep = parent->prompt ? parent->prompt->visible : NULL;
		basedep = kx_expr_trans_compare(kc, basedep, KX_E_UNEQUAL, &kc->sym_no);
		basedep = kx_expr_eliminate_dups(kc, kx_expr_transform(kc, basedep));
		last = NULL;
		for (m = parent->next; m; m = m->next) {
			dep = m->prompt ? m->prompt->visible : m->dep;
			if (!kx_expr_contains_symbol(dep, sym))
				break;
			/* 7.3: a negative dependency ends the submenu (a
			 * positive one, checked first, wins over it) */
			if (!kx_expr_depends_symbol(dep, sym) &&
			    KX_SEM(kc, SUBMENU_NEGATIVE) &&
			    kx_expr_contains_symbol_negated(kc, dep, sym))
				break;
			if (!kx_expr_depends_symbol(dep, sym)) {
				dep = kx_expr_trans_compare(kc, dep, KX_E_UNEQUAL,
							    &kc->sym_no);
				dep = kx_expr_eliminate_dups(kc,
						kx_expr_transform(kc, dep));
				dep2 = basedep;
				kx_expr_eliminate_eq(kc, &dep, &dep2);
				if (!kx_expr_is_yes(kc, dep2))
					break;
			}
			finalize(p, m, false, depth + 1);
			m->parent = parent;
			last = m;
		}
		if (last) {
			parent->list = parent->next;
			parent->next = last->next;
			last->next = NULL;
		}
		sym->dir_dep = kx_expr_or(kc, sym->dir_dep, parent->dep);
	}
	for (m = parent->list; m; m = m->next) {
		if (!v2 && sym && kx_sym_is_choice(sym) && m->sym &&
		    !(m->sym->flags & KX_SYM_CHOICEVAL)) {
			struct kx_sym *cv = m->sym;

			cv->flags |= KX_SYM_CHOICEVAL;
			if (!m->prompt)
				menu_warn(p, m, "choice value must have a prompt",
					  NULL, NULL, NULL);
			for (pr = cv->prop; pr; pr = pr->next) {
				if (pr->type == KX_P_DEFAULT)
					prop_warn(p, pr, "%s", "defaults for choice values not supported");
				if (pr->menu == m)
					continue;
				if (pr->type == KX_P_PROMPT &&
				    pr->menu->parent->sym != sym)
					prop_warn(p, pr, "%s", "choice value used outside its choice group");
			}
			/* non-tristate values of a tristate choice need choice=y */
			if (sym->type == KX_S_TRISTATE && cv->type != KX_S_TRISTATE) {
				basedep = kx_expr_comp(kc, KX_E_EQUAL, sym, &kc->sym_yes);
				m->dep = kx_expr_and(kc, basedep, m->dep);
				for (pr = cv->prop; pr; pr = pr->next)
					if (pr->menu == m)
						pr->visible = kx_expr_and(kc, basedep,
									  pr->visible);
			}
			if (!cv->choice_sym)
				cv->choice_sym = sym;
			add_choice_member(kc, choice_first_menu(sym), cv);
		}
		/* flatten 'if' blocks and submenus of prompt-less entries */
		if (m->list && (!m->prompt || !m->prompt->text)) {
			for (last = m->list;; last = last->next) {
				last->parent = parent;
				if (!last->next)
					break;
			}
			last->next = m->next;
			m->next = m->list;
			m->list = NULL;
		}
	}
	if (sym && !(sym->flags & KX_SYM_WARNED)) {
		if (sym->type == KX_S_UNKNOWN)
			menu_warn(p, parent, "config symbol defined without type",
				  NULL, NULL, NULL);
		if (!v2 && kx_sym_is_choice(sym) && !parent->prompt)
			menu_warn(p, parent, "choice must have a prompt", NULL,
				  NULL, NULL);
		check_props(p, sym);
		sym->flags |= KX_SYM_WARNED;
	}
	/* a visible non-optional choice cannot be n (<= 6.10) */
	if (!v2 && sym && !(sym->flags & KX_SYM_OPTIONAL) && parent->prompt)
		sym->rev_dep = kx_expr_or(kc, sym->rev_dep,
			kx_expr_and(kc, parent->prompt->visible,
				    kx_expr_sym(kc, &kc->sym_mod)));
}

void kx_menu_finalize(struct kx_parser *p)
{
	kx_expr_memo_begin(KC);
	finalize(p, &KC->rootmenu, false, 0);
}

/* ---- recursive dependency check ---------------------------------------------- */

/*
 * conf refuses trees whose dependencies loop (a symbol's value would
 * depend on itself).  The walk follows direct dependencies, reverse
 * dependencies (select), implies, prompt/default/range conditions and
 * default values; a choice and its values count as one node.  The stack
 * of the walk explains the loop in conf's words.
 */
struct dep_frame {
	struct kx_sym *sym;
	struct kx_prop *prop;
	int what;		/* 0 none, 1 dir_dep, 2 rev_dep, 3 implied, 4 prop expr */
	struct dep_frame *prev, *next;
};

struct dep_check {
	struct kx_parser *p;
	struct dep_frame *top;
	int depth;
};

static struct kx_sym *check_sym(struct dep_check *c, struct kx_sym *sym);

static struct kx_menu *choice_menu_of(struct kx_kconfig *kc, struct kx_sym *s)
{
	if (KX_SEM(kc, CHOICE_V2))
		return kx_sym_choice_menu(s);
	return s->choice_sym && (s->flags & KX_SYM_CHOICEVAL)
		? choice_first_menu(s->choice_sym) : NULL;
}

static void push(struct dep_check *c, struct dep_frame *f, struct kx_sym *s)
{
	memset(f, 0, sizeof(*f));
	f->sym = s;
	f->prev = c->top;
	if (c->top)
		c->top->next = f;
	c->top = f;
}

static void pop(struct dep_check *c)
{
	c->top = c->top->prev;
	if (c->top)
		c->top->next = NULL;
}

static void print_loop(struct dep_check *c, struct kx_sym *last)
{
	struct kx_kconfig *kc = c->p->kc;
	struct kx_menu *cm = choice_menu_of(kc, last);
	struct dep_frame cv, *f;
	struct kx_buf b = KX_BUF_INIT;

	if (cm) {
		push(c, &cv, last);
		last = cm->sym;
	}
	for (f = c->top; f; f = f->prev)
		if (f->sym == last)
			break;
	if (!f) {
		kx_parse_msg(c->p, KX_DIAG_ERROR, NULL, 0,
			     "unexpected recursive dependency error");
		goto out;
	}
	for (; f; f = f->next) {
		struct kx_sym *s = f->sym;
		struct kx_sym *next = f->next ? f->next->sym : last;
		const char *sn = s->name ? s->name : "<choice>";
		const char *nn = next->name ? next->name : "<choice>";
		struct kx_buf loc = KX_BUF_INIT;
		enum kx_prop_type pt = f->prop ? f->prop->type : KX_P_UNKNOWN;

		if (!KX_SEM(kc, CHOICE_V2)) {
			/* <= 6.10 prefixes each line with the property's place,
			 * or the symbol's first definition */
			const char *file = f->prop ? f->prop->file
					   : s->menus ? s->menus->file : "?";
			int line = f->prop ? f->prop->line : s->menus ? s->menus->line : 0;

			kx_buf_printf(&loc, "%s:%d:", file, line);
		}
		if (f->sym == last)
			kx_buf_printf(&b, "%serror: recursive dependency detected!\n",
				      kx_buf_cstr(&loc));
		if (!KX_SEM(kc, CHOICE_V2) && kx_sym_is_choice(s)) {
			kx_buf_printf(&b, "%s\tchoice %s contains symbol %s\n",
				      kx_buf_cstr(&loc), sn, nn);
		} else if (!KX_SEM(kc, CHOICE_V2) && (s->flags & KX_SYM_CHOICEVAL)) {
			kx_buf_printf(&b, "%s\tsymbol %s is part of choice %s\n",
				      kx_buf_cstr(&loc), sn, nn);
		} else if (KX_SEM(kc, CHOICE_V2) && kx_sym_is_choice(next)) {
			struct kx_menu *m = next->menus;

			kx_buf_printf(&b, "\tsymbol %s is part of choice block at %s:%d\n",
				      sn, m ? m->file : "?", m ? m->line : 0);
		} else if (f->what == 1) {
			kx_buf_printf(&b, "%s\tsymbol %s depends on %s\n", kx_buf_cstr(&loc),
				      sn, nn);
		} else if (f->what == 2) {
			kx_buf_printf(&b, "%s\tsymbol %s is selected by %s\n",
				      kx_buf_cstr(&loc), sn, nn);
		} else if (f->what == 3) {
			kx_buf_printf(&b, "%s\tsymbol %s is implied by %s\n",
				      kx_buf_cstr(&loc), sn, nn);
		} else if (f->what == 4) {
			kx_buf_printf(&b, "%s\tsymbol %s %s value contains %s\n",
				      kx_buf_cstr(&loc), sn, kx_prop_type_name(pt), nn);
		} else {
			kx_buf_printf(&b, "%s\tsymbol %s %s is visible depending on %s\n",
				      kx_buf_cstr(&loc), sn, kx_prop_type_name(pt), nn);
		}
		kx_buf_free(&loc);
	}
	kx_buf_puts(&b, "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
		    "subsection \"Kconfig recursive dependency limitations\"\n");
	kx_parse_msg(c->p, KX_DIAG_ERROR, last->menus ? last->menus->file : NULL,
		     last->menus ? last->menus->line : 0, "%s", kx_buf_cstr(&b));
out:
	kx_buf_free(&b);
	if (c->top == &cv)
		pop(c);
}

static struct kx_sym *check_expr(struct dep_check *c, const struct kx_expr *e)
{
	struct kx_sym *s;

	if (!e)
		return NULL;
	switch (e->type) {
	case KX_E_OR:
	case KX_E_AND:
		/* robustness: expression levels count towards the depth
		 * limit of check_sym() too (chain x expression depth) */
		c->depth++;
		s = check_expr(c, e->left.expr);
		if (!s)
			s = check_expr(c, e->right.expr);
		c->depth--;
		return s;
	case KX_E_NOT:
		c->depth++;
		s = check_expr(c, e->left.expr);
		c->depth--;
		return s;
	case KX_E_SYMBOL:
		return check_sym(c, e->left.sym);
	case KX_E_RANGE:
		return NULL;
	default:
		if ((s = check_sym(c, e->left.sym)))
			return s;
		return check_sym(c, e->right.sym);
	}
}

static struct kx_sym *check_sym_deps(struct dep_check *c, struct kx_sym *sym)
{
	struct dep_frame f;
	struct kx_sym *s2;

	push(c, &f, sym);
	f.what = 1;
	if ((s2 = check_expr(c, sym->dir_dep)))
		goto out;
	f.what = 2;
	if ((s2 = check_expr(c, sym->rev_dep)))
		goto out;
	f.what = 3;
	if ((s2 = check_expr(c, sym->implied)))
		goto out;
	f.what = 0;
	for (struct kx_prop *pr = sym->prop; pr; pr = pr->next) {
		if (pr->type == KX_P_SELECT || pr->type == KX_P_IMPLY)
			continue;
		f.prop = pr;
		f.what = 0;
		if ((s2 = check_expr(c, pr->visible)))
			break;
		if (pr->type != KX_P_DEFAULT || kx_sym_is_choice(sym))
			continue;
		f.what = 4;
		if ((s2 = check_expr(c, pr->expr)))
			break;
		f.what = 0;
	}
out:
	pop(c);
	return s2;
}

static void for_members(struct kx_kconfig *kc, struct kx_menu *cm,
			unsigned set, unsigned clear)
{
	if (KX_SEM(kc, CHOICE_V2)) {
		for (struct kx_menu *m = cm->list; m; m = kx_menu_next(m, cm))
			if (m->sym)
				m->sym->flags = (m->sym->flags | set) & ~clear;
	} else {
		for (size_t i = 0; i < cm->nmembers; i++)
			cm->members[i]->flags = (cm->members[i]->flags | set) & ~clear;
	}
}

static struct kx_sym *check_choice(struct dep_check *c, struct kx_sym *choice)
{
	struct kx_kconfig *kc = c->p->kc;
	struct kx_menu *cm = choice_first_menu(choice);
	struct dep_frame f;
	struct kx_sym *s2;

	push(c, &f, choice);
	for_members(kc, cm, KX_SYM_CHECK | KX_SYM_CHECKED, 0);
	choice->flags |= KX_SYM_CHECK | KX_SYM_CHECKED;
	s2 = check_sym_deps(c, choice);
	choice->flags &= ~KX_SYM_CHECK;
	if (!s2) {
		if (KX_SEM(kc, CHOICE_V2)) {
			for (struct kx_menu *m = cm->list; m && !s2;
			     m = kx_menu_next(m, cm))
				if (m->sym)
					s2 = check_sym_deps(c, m->sym);
		} else {
			for (size_t i = 0; i < cm->nmembers && !s2; i++)
				s2 = check_sym_deps(c, cm->members[i]);
		}
	}
	for_members(kc, cm, 0, KX_SYM_CHECK);
	if (s2 && choice_menu_of(kc, s2) == cm)
		s2 = choice;
	pop(c);
	return s2;
}

static struct kx_sym *check_sym(struct dep_check *c, struct kx_sym *sym)
{
	struct kx_kconfig *kc = c->p->kc;
	struct kx_menu *cm;
	struct kx_sym *s2;

	if (sym->flags & KX_SYM_CHECK) {
		print_loop(c, sym);
		return sym;
	}
	if (sym->flags & KX_SYM_CHECKED)
		return NULL;
	c->depth += 10;
	if (c->depth > KX_EVAL_MAX_WEIGHT) {
		/* bounded recursion on hostile input: symbols (three big
		 * frames each, 10 units) and expression levels (1 unit) */
		struct kx_menu *m = sym->menus;

		c->depth -= 10;
		kx_parse_msg(c->p, KX_DIAG_ERROR, m ? m->file : NULL, m ? m->line : 0,
			     "%s:%d: dependency chain too long: the value of %s "
			     "depends on more than %d nested evaluation steps",
			     m ? m->file : "", m ? m->line : 0,
			     sym->name ? sym->name : "<choice>", KX_EVAL_MAX_WEIGHT);
		return sym;
	}
	cm = choice_menu_of(kc, sym);
	if (cm && cm->sym) {
		struct dep_frame f;

		push(c, &f, sym);
		s2 = check_sym(c, cm->sym);
		pop(c);
	} else if (kx_sym_is_choice(sym)) {
		s2 = check_choice(c, sym);
	} else {
		sym->flags |= KX_SYM_CHECK | KX_SYM_CHECKED;
		s2 = check_sym_deps(c, sym);
		sym->flags &= ~KX_SYM_CHECK;
	}
	c->depth -= 10;
	return s2;
}

/*
 * 6.18: a transitional symbol has a type and help, nothing else: no
 * dependency or visibility (its entry's, after finalisation, so also none
 * from an enclosing 'if' or menu), no property but help.  conf reports the
 * first problem of each entry.
 */
static bool transitional_ok(struct kx_parser *p, struct kx_menu *m)
{
	const char *file = NULL;
	int line = 0;

	if (!kx_expr_is_yes(p->kc, m->dep) || !kx_expr_is_yes(p->kc, m->visibility)) {
		file = m->file;
		line = m->line;
	} else {
		for (struct kx_prop *pr = m->sym->prop; pr && !file; pr = pr->next) {
			if (pr->type != KX_P_COMMENT) {
				file = pr->file;
				line = pr->line;
			}
		}
	}
	if (!file)
		return true;
	kx_parse_msg(p, KX_DIAG_ERROR, file, line,
		     "%s:%d: error: transitional symbols can only have help sections",
		     file, line);
	return false;
}

int kx_menu_check_deps(struct kx_parser *p)
{
	struct dep_check c = { p, NULL, 0 };
	int nerr = 0;

	if (!KX_SEM(p->kc, CHOICE_V2)) {
		/* <= 6.10 checks every symbol, in hash-table order */
		size_t n;
		struct kx_sym **order = kx_syms_conf_order(p->kc, &n);

		for (size_t i = 0; i < n; i++)
			if (!(order[i]->flags & KX_SYM_CONST) && check_sym(&c, order[i]))
				nerr++;
		return nerr;
	}

	for (struct kx_menu *m = p->kc->rootmenu.list; m;
	     m = kx_menu_next(m, &p->kc->rootmenu)) {
		if (m->sym && check_sym(&c, m->sym))
			nerr++;
		if (m->sym && (m->sym->flags & KX_SYM_TRANS) && !transitional_ok(p, m))
			nerr++;
		if (KX_SEM(p->kc, CHOICE_V2) && m->sym && kx_sym_is_choice(m->sym)) {
			/* choice members: no defaults, prompts inside the choice */
			for (struct kx_menu *ch = m->list; ch; ch = kx_menu_next(ch, m)) {
				if (!ch->sym)
					continue;
				for (struct kx_prop *pr = ch->sym->prop; pr; pr = pr->next) {
					if (pr->type == KX_P_DEFAULT) {
						kx_parse_msg(p, KX_DIAG_ERROR, pr->file, pr->line,
							     "%s:%d: error: defaults for choice values not supported",
							     pr->file, pr->line);
						nerr++;
					}
					if (pr->menu == ch || pr->type != KX_P_PROMPT)
						continue;
					/* 7.1: a prompt in any other entry */
					if (KX_SEM(p->kc, CHOICE_PROMPT_ELSEWHERE)) {
						kx_parse_msg(p, KX_DIAG_ERROR, pr->file, pr->line,
							     "%s:%d: error: choice value must not have a prompt in another entry",
							     pr->file, pr->line);
						nerr++;
					} else if (pr->menu->parent != ch->parent) {
						kx_parse_msg(p, KX_DIAG_ERROR, pr->file, pr->line,
							     "%s:%d: error: choice value has a prompt outside its choice group",
							     pr->file, pr->line);
						nerr++;
					}
				}
			}
		}
	}
	return nerr;
}

/* ---- robustness: the evaluator's recursion is bounded ------------------------ */

/*
 * The evaluator (analyzer/eval.c) computes a value recursively: a symbol's
 * expressions are walked (one C frame per level) and every symbol they
 * mention is computed first (a few frames each).  So its C stack grows with
 * the longest chain of symbols, each weighted with the depth of its
 * expressions.  kx_menu_check_eval_depth() computes that weight for every
 * symbol without recursion (the walk below is iterative; only single
 * expressions are walked recursively, and they are at most
 * KX_EXPR_MAX_DEPTH deep) and rejects trees above KX_EVAL_MAX_WEIGHT.
 */
struct ed_frame {
	struct kx_sym *sym;
	struct kx_sym **adj;	/* symbols 'sym' refers to */
	size_t nadj, i;
	unsigned long weight;	/* this symbol's own frames */
	unsigned long best;	/* heaviest neighbour so far */
};

struct ed_adj {
	struct kx_sym **v;
	size_t n, cap;
	unsigned maxdepth;
	unsigned stamp;		/* marks the expressions walked for this symbol */
};

static void ed_add(struct ed_adj *a, struct kx_sym *s)
{
	if (!s || (s->flags & KX_SYM_CONST))
		return;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = kx_xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = s;
}

static void ed_expr(struct ed_adj *a, struct kx_expr *e)
{
	/* shared subexpressions (the parents' dependencies of every menu
	 * entry) are walked once per symbol */
	if (!e || e->stamp == a->stamp)
		return;
	e->stamp = a->stamp;
	if (e->depth > a->maxdepth)
		a->maxdepth = e->depth;
	switch (e->type) {
	case KX_E_OR:
	case KX_E_AND:
		ed_expr(a, e->left.expr);
		ed_expr(a, e->right.expr);
		break;
	case KX_E_NOT:
		ed_expr(a, e->left.expr);
		break;
	case KX_E_SYMBOL:
		ed_add(a, e->left.sym);
		break;
	default:
		ed_add(a, e->left.sym);
		ed_add(a, e->right.sym);
		break;
	}
}

/* Everything the evaluation of 's' may compute first (a superset). */
static void ed_neighbours(struct kx_kconfig *kc, struct kx_sym *s,
			  struct ed_adj *a)
{
	struct kx_menu *cm;

	ed_expr(a, s->dir_dep);
	ed_expr(a, s->rev_dep);
	ed_expr(a, s->implied);
	for (struct kx_prop *pr = s->prop; pr; pr = pr->next) {
		ed_expr(a, pr->visible);
		if (pr->type != KX_P_SELECT && pr->type != KX_P_IMPLY)
			ed_expr(a, pr->expr);
	}
	for (struct kx_menu *m = s->menus; m; m = m->sym_next) {
		ed_expr(a, m->dep);
		ed_expr(a, m->visibility);
	}
	if (kc->modules_sym)
		ed_add(a, kc->modules_sym);
	cm = choice_menu_of(kc, s);
	if (cm && cm->sym)
		ed_add(a, cm->sym);
	if (kx_sym_is_choice(s) && (cm = choice_first_menu(s))) {
		if (KX_SEM(kc, CHOICE_V2)) {
			for (struct kx_menu *m = cm->list; m; m = kx_menu_next(m, cm))
				ed_add(a, m->sym);
		} else {
			for (size_t i = 0; i < cm->nmembers; i++)
				ed_add(a, cm->members[i]);
		}
	}
}

int kx_menu_check_eval_depth(struct kx_parser *p)
{
	struct kx_kconfig *kc = KC;
	size_t n = kc->nsyms, top = 0;
	/* per symbol (by seq): 0 new, 1 on the stack, 2 done; and weight */
	unsigned char *state = kx_xcalloc(n ? n : 1, 1);
	unsigned long *height = kx_xcalloc(n ? n : 1, sizeof(*height));
	struct ed_frame *stack = kx_xcalloc(n ? n : 1, sizeof(*stack));
	int err = 0;

	for (size_t r = 0; r < n && !err; r++) {
		if (state[r])
			continue;
		/* push r */
		top = 0;
		memset(&stack[0], 0, sizeof(stack[0]));
		stack[0].sym = kc->syms[r];
		state[r] = 1;
		while (top < n) {
			struct ed_frame *f = &stack[top];

			if (f->weight == 0) {	/* first visit */
				struct ed_adj a = { NULL, 0, 0, 0, 0 };

				if (!++kc->expr_stamp)	/* wrapped: 0 is "never" */
					++kc->expr_stamp;
				a.stamp = kc->expr_stamp;

				ed_neighbours(kc, f->sym, &a);
				f->adj = a.v;
				f->nadj = a.n;
				/* calc_value and the helpers between it and
				 * kx_expr_calc, plus the expression walk */
				f->weight = 4 + a.maxdepth;
			}
			if (f->i < f->nadj) {
				struct kx_sym *t = f->adj[f->i++];
				size_t ti = t->seq;

				if (ti >= n || kc->syms[ti] != t)
					continue;
				if (state[ti] == 2) {
					if (height[ti] > f->best)
						f->best = height[ti];
					continue;
				}
				if (state[ti] == 1)	/* a choice and its members */
					continue;
				state[ti] = 1;
				top++;
				memset(&stack[top], 0, sizeof(stack[top]));
				stack[top].sym = t;
				continue;
			}
			/* done with f */
			height[f->sym->seq] = f->weight + f->best;
			state[f->sym->seq] = 2;
			free(f->adj);
			f->adj = NULL;
			if (height[f->sym->seq] > KX_EVAL_MAX_WEIGHT) {
				struct kx_menu *m = f->sym->menus;

				kx_parse_msg(p, KX_DIAG_ERROR, m ? m->file : NULL,
					     m ? m->line : 0,
					     "%s:%d: dependency chain too long: the value of %s "
					     "depends on more than %d nested evaluation steps",
					     m ? m->file : "", m ? m->line : 0,
					     f->sym->name ? f->sym->name : "<choice>",
					     KX_EVAL_MAX_WEIGHT);
				err = KX_ELIMIT;
				break;
			}
			if (top == 0)
				break;
			top--;
			if (height[f->sym->seq] > stack[top].best)
				stack[top].best = height[f->sym->seq];
		}
		for (size_t i = 0; i <= top && i < n; i++) {
			free(stack[i].adj);
			stack[i].adj = NULL;
		}
	}
	free(state);
	free(height);
	free(stack);
	return err;
}
