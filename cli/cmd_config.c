// SPDX-License-Identifier: MIT
/*
 * cmd_config.c - the configuration modes: the `conf` drop-in (same command
 * line, environment, messages and exit codes as scripts/kconfig/conf) and
 * the native commands (olddefconfig, allnoconfig, defconfig FILE, ...).
 */
#include <ctype.h>
#include <dirent.h>
#include <unistd.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/merge.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/session.h"

enum mode {
	M_OLDASKCONFIG, M_SYNCCONFIG, M_OLDCONFIG, M_ALLNOCONFIG, M_ALLYESCONFIG,
	M_ALLMODCONFIG, M_ALLDEFCONFIG, M_RANDCONFIG, M_DEFCONFIG,
	M_SAVEDEFCONFIG, M_LISTNEWCONFIG, M_HELPNEWCONFIG, M_OLDDEFCONFIG,
	M_YES2MODCONFIG, M_MOD2YESCONFIG, M_MOD2NOCONFIG,
};

static const struct {
	const char *name;
	enum mode mode;
	bool arg;
	const char *help;
} modes[] = {
	{ "listnewconfig", M_LISTNEWCONFIG, false, "List new options" },
	{ "helpnewconfig", M_HELPNEWCONFIG, false, "List new options and help text" },
	{ "oldaskconfig", M_OLDASKCONFIG, false, "Start a new configuration using a line-oriented program" },
	{ "oldconfig", M_OLDCONFIG, false, "Update a configuration using a provided .config as base" },
	{ "syncconfig", M_SYNCCONFIG, false, "Similar to oldconfig but generates configuration in\n                          include/{generated/,config/}" },
	{ "olddefconfig", M_OLDDEFCONFIG, false, "Same as oldconfig but sets new symbols to their default value" },
	{ "defconfig", M_DEFCONFIG, true, "New config with default defined in <file>" },
	{ "savedefconfig", M_SAVEDEFCONFIG, true, "Save the minimal current configuration to <file>" },
	{ "allnoconfig", M_ALLNOCONFIG, false, "New config where all options are answered with no" },
	{ "allyesconfig", M_ALLYESCONFIG, false, "New config where all options are answered with yes" },
	{ "allmodconfig", M_ALLMODCONFIG, false, "New config where all options are answered with mod" },
	{ "alldefconfig", M_ALLDEFCONFIG, false, "New config with all symbols set to default" },
	{ "randconfig", M_RANDCONFIG, false, "New config with random answer to all options" },
	{ "yes2modconfig", M_YES2MODCONFIG, false, "Change answers from yes to mod if possible" },
	{ "mod2yesconfig", M_MOD2YESCONFIG, false, "Change answers from mod to yes if possible" },
	{ "mod2noconfig", M_MOD2NOCONFIG, false, "Change answers from mod to no if possible" },
};

#define NMODES (sizeof(modes) / sizeof(modes[0]))

/* Modes that may show a help text: the interactive ones and helpnewconfig. */
static bool mode_shows_help(enum mode m)
{
	return m == M_OLDASKCONFIG || m == M_OLDCONFIG || m == M_SYNCCONFIG ||
	       m == M_HELPNEWCONFIG;
}


struct run {
	enum mode mode;
	const char *file;		/* defconfig / savedefconfig argument */
	bool dropin;
	bool silent;
	bool write_autoconf;		/* conf writes include/config/auto.conf */
	const char *config_out;		/* where .config goes (NULL: default) */
	struct kx_rand rnd;
	int pby, pty, ptm;
	/* interactive modes (conf's oldaskconfig/oldconfig/syncconfig) */
	int indent;
	int conf_cnt;
	bool tty_stdio;
	struct kx_menu *root_entry;
	char line[4096];
};

/* ---- shared steps ---------------------------------------------------- */

static void print_listconfig(struct kx_session *s, struct kx_sym *sym)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_conf_format_symbol(&s->io, &b, sym, false);
	if (b.len)
		printf("%s\n", kx_buf_cstr(&b));
	kx_buf_free(&b);
}

static void print_help(struct kx_session *s, struct kx_menu *m)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_conf_help_text(s->kc, m, &b);
	printf("\n%s\n", kx_buf_cstr(&b));
	kx_buf_free(&b);
}

static void strip(char *str)
{
	char *p = str;
	size_t l;

	while (isspace((unsigned char)*p))
		p++;
	l = strlen(p);
	if (p != str)
		memmove(str, p, l + 1);
	if (!l)
		return;
	p = str + l - 1;
	while (p >= str && isspace((unsigned char)*p))
		*p-- = 0;
}

static void xfgets(struct run *r)
{
	if (!fgets(r->line, sizeof(r->line), stdin))
		fprintf(stderr, "\nError in reading or end of file.\n");
	if (!r->tty_stdio)
		printf("%s", r->line);
}

static const char *prompt_of(struct kx_menu *m)
{
	return kx_menu_prompt_text(m);
}

static int askvalue(struct kx_session *s, struct run *r, struct kx_sym *sym,
		    const char *def)
{
	if (!kx_sym_has_value(sym))
		printf("(NEW) ");
	r->line[0] = '\n';
	r->line[1] = 0;
	if (!kx_sym_is_changeable(s->kc, sym)) {
		printf("%s\n", def ? def : "");
		return 0;
	}
	switch (r->mode) {
	case M_OLDCONFIG:
	case M_SYNCCONFIG:
		if (kx_sym_has_value(sym)) {
			printf("%s\n", def ? def : "");
			return 0;
		}
		/* fall through */
	default:
		fflush(stdout);
		xfgets(r);
		break;
	}
	return 1;
}

static int conf_string(struct kx_session *s, struct run *r, struct kx_menu *m)
{
	struct kx_sym *sym = m->sym;
	const char *def;

	for (;;) {
		printf("%*s%s ", r->indent - 1, "", m->prompt->text);
		printf("(%s) ", sym->name);
		def = kx_sym_string_value(s->kc, sym);
		if (def)
			printf("[%s] ", def);
		if (!askvalue(s, r, sym, def))
			return 0;
		switch (r->line[0]) {
		case '\n':
			break;
		case '?':
			if (r->line[1] == '\n') {
				print_help(s, m);
				def = NULL;
				break;
			}
			/* fall through */
		default:
			r->line[strlen(r->line) - 1] = 0;
			def = r->line;
		}
		if (def && kx_sym_set_string_value(s->kc, sym, def))
			return 0;
		/* an invalid default and no more input: do not loop forever */
		if (feof(stdin)) {
			fprintf(stderr, "\nerror: no value for new symbol '%s' at end of input\n",
				sym->name);
			return -1;
		}
	}
}

static int conf_sym(struct kx_session *s, struct run *r, struct kx_menu *m)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_sym *sym = m->sym;
	kx_tri oldval, newval;

	for (;;) {
		printf("%*s%s ", r->indent - 1, "", m->prompt->text);
		if (sym->name)
			printf("(%s) ", sym->name);
		putchar('[');
		oldval = sym->curr.tri;
		putchar(oldval == KX_NO ? 'N' : oldval == KX_MOD ? 'M' : 'Y');
		if (oldval != KX_NO && kx_sym_tristate_within_range(kc, sym, KX_NO))
			printf("/n");
		if (oldval != KX_MOD && kx_sym_tristate_within_range(kc, sym, KX_MOD))
			printf("/m");
		if (oldval != KX_YES && kx_sym_tristate_within_range(kc, sym, KX_YES))
			printf("/y");
		printf("/?] ");
		if (!askvalue(s, r, sym, kx_sym_string_value(kc, sym)))
			return 0;
		strip(r->line);
		switch (r->line[0]) {
		case 'n': case 'N':
			newval = KX_NO;
			if (!r->line[1] || !strcmp(&r->line[1], "o"))
				break;
			continue;
		case 'm': case 'M':
			newval = KX_MOD;
			if (!r->line[1])
				break;
			continue;
		case 'y': case 'Y':
			newval = KX_YES;
			if (!r->line[1] || !strcmp(&r->line[1], "es"))
				break;
			continue;
		case 0:
			newval = oldval;
			break;
		case '?':
			goto help;
		default:
			if (feof(stdin))
				return 0;
			continue;
		}
		if (kx_sym_set_tristate_value(kc, sym, newval))
			return 0;
help:
		print_help(s, m);
		if (feof(stdin))
			return 0;
	}
}

static int conf_menu(struct kx_session *s, struct run *r, struct kx_menu *m);

/* returns 1 when the children were handled (conf's "return"), else 0 */
static int conf_choice(struct kx_session *s, struct run *r, struct kx_menu *m)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_sym *def_sym, *sym = m->sym;
	struct kx_menu *child;
	bool is_new = false;

	if (!KX_SEM(kc, CHOICE_V2)) {
		is_new = !kx_sym_has_value(sym);
		if (kx_sym_is_changeable(kc, sym)) {
			conf_sym(s, r, m);
			kx_sym_calc_value(kc, sym);
			if (sym->curr.tri == KX_NO)
				return 1;
			if (sym->curr.tri == KX_MOD)
				return 0;
		} else {
			if (sym->curr.tri == KX_NO)
				return 1;
			if (sym->curr.tri == KX_MOD) {
				printf("%*s%s\n", r->indent - 1, "", prompt_of(m));
				return 0;
			}
		}
	}
	for (;;) {
		int cnt, def;

		printf("%*s%s\n", r->indent - 1, "", prompt_of(m));
		if (KX_SEM(kc, CHOICE_V2)) {
			def_sym = kx_choice_selected(kc, m);
		} else {
			kx_sym_calc_value(kc, sym);
			def_sym = sym->choice_curr;
		}
		cnt = def = 0;
		r->line[0] = 0;
		for (child = m->list; child; child = child->next) {
			if (!kx_menu_is_visible(kc, child))
				continue;
			if (!child->sym) {
				printf("%*c %s\n", r->indent, '*', prompt_of(child));
				continue;
			}
			cnt++;
			if (child->sym == def_sym) {
				def = cnt;
				printf("%*c", r->indent, '>');
			} else {
				printf("%*c", r->indent, ' ');
			}
			printf(" %d. %s", cnt, prompt_of(child));
			if (child->sym->name || KX_SEM(kc, CHOICE_V2))
				printf(" (%s)", child->sym->name ? child->sym->name : "(null)");
			if (!kx_sym_has_value(child->sym)) {
				if (KX_SEM(kc, CHOICE_V2))
					is_new = true;
				printf(" (NEW)");
			}
			printf("\n");
		}
		printf("%*schoice", r->indent - 1, "");
		if (cnt == 1) {
			printf("[1]: 1\n");
			goto conf_childs;
		}
		printf("[1-%d?]: ", cnt);
		switch (r->mode) {
		case M_OLDCONFIG:
		case M_SYNCCONFIG:
			if (!is_new) {
				cnt = def;
				printf("%d\n", cnt);
				break;
			}
			/* fall through */
		case M_OLDASKCONFIG:
			fflush(stdout);
			xfgets(r);
			strip(r->line);
			if (r->line[0] == '?') {
				print_help(s, m);
				if (feof(stdin))
					return 1;
				continue;
			}
			if (!r->line[0])
				cnt = def;
			else if (isdigit((unsigned char)r->line[0]))
				cnt = atoi(r->line);
			else if (feof(stdin))
				cnt = def;
			else
				continue;
			break;
		default:
			break;
		}
conf_childs:
		for (child = m->list; child; child = child->next) {
			if (!child->sym || !kx_menu_is_visible(kc, child))
				continue;
			if (!--cnt)
				break;
		}
		if (!child) {
			if (feof(stdin))
				return 1;
			continue;
		}
		if (r->line[0] && r->line[strlen(r->line) - 1] == '?') {
			print_help(s, child);
			continue;
		}
		if (KX_SEM(kc, CHOICE_V2)) {
			kx_choice_set_value(kc, m, child->sym);
			return 1;
		}
		kx_sym_set_tristate_value(kc, child->sym, KX_YES);
		for (child = child->list; child; child = child->next) {
			r->indent += 2;
			conf_menu(s, r, child);
			r->indent -= 2;
		}
		return 1;
	}
}

static void check_conf(struct kx_session *s, struct run *r, struct kx_menu *m);

static int conf_menu(struct kx_session *s, struct run *r, struct kx_menu *m)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_sym *sym;
	struct kx_prop *prop;

	if (!kx_menu_is_visible(kc, m))
		return 0;
	sym = m->sym;
	prop = m->prompt;
	if (prop) {
		switch (prop->type) {
		case KX_P_MENU:
			/* except in oldaskconfig, only menus with new symbols */
			if (r->mode != M_OLDASKCONFIG && r->root_entry != m) {
				check_conf(s, r, m);
				return 0;
			}
			/* fall through */
		case KX_P_COMMENT: {
			const char *p = prompt_of(m);

			if (p)
				printf("%*c\n%*c %s\n%*c\n", r->indent, '*', r->indent, '*', p,
				       r->indent, '*');
		}
			/* fall through */
		default:
			break;
		}
	}
	if (!sym)
		goto conf_childs;
	if (kx_sym_is_choice(sym)) {
		conf_choice(s, r, m);
		if (KX_SEM(kc, CHOICE_V2) || sym->curr.tri != KX_MOD)
			return 0;
		goto conf_childs;
	}
	switch (sym->type) {
	case KX_S_INT:
	case KX_S_HEX:
	case KX_S_STRING:
		if (conf_string(s, r, m) < 0)
			return -1;
		break;
	default:
		conf_sym(s, r, m);
		break;
	}
conf_childs:
	if (sym)
		r->indent += 2;
	for (struct kx_menu *c = m->list; c; c = c->next)
		if (conf_menu(s, r, c) < 0)
			return -1;
	if (sym)
		r->indent -= 2;
	return 0;
}

static struct kx_menu *parent_menu(struct kx_kconfig *kc, struct kx_menu *m)
{
	for (; m != &kc->rootmenu; m = m->parent)
		if (m->prompt && m->prompt->type == KX_P_MENU)
			break;
	return m;
}

/* check_conf: visible entries with new (unset) symbols */
static void check_conf(struct kx_session *s, struct run *r, struct kx_menu *m)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_sym *sym;

	if (!kx_menu_is_visible(kc, m))
		return;
	sym = m->sym;
	if (sym && !kx_sym_has_value(sym) &&
	    (kx_sym_is_changeable(kc, sym) ||
	     (!KX_SEM(kc, CHOICE_V2) && kx_sym_is_choice(sym) &&
	      sym->curr.tri == KX_YES))) {
		switch (r->mode) {
		case M_LISTNEWCONFIG:
			if (sym->name)
				print_listconfig(s, sym);
			break;
		case M_HELPNEWCONFIG:
			printf("-----\n");
			print_help(s, m);
			printf("-----\n");
			break;
		default:
			if (!r->conf_cnt++)
				printf("*\n* Restart config...\n*\n");
			r->root_entry = parent_menu(kc, m);
			conf_menu(s, r, r->root_entry);
			break;
		}
	}
	for (struct kx_menu *c = m->list; c; c = c->next)
		check_conf(s, r, c);
}

static int read_allconfig(struct kx_session *s, struct run *r)
{
	const char *name = getenv("KCONFIG_ALLCONFIG");

	if (!name)
		return 0;
	if (strcmp(name, "") && strcmp(name, "1")) {
		if (kx_conf_read_simple(&s->io, name, KX_DEF_USER)) {
			fprintf(stderr, "*** Can't read seed configuration \"%s\"!\n", name);
			return 1;
		}
		return 0;
	}
	switch (r->mode) {
	case M_ALLNOCONFIG: name = "allno.config"; break;
	case M_ALLYESCONFIG: name = "allyes.config"; break;
	case M_ALLMODCONFIG: name = "allmod.config"; break;
	case M_ALLDEFCONFIG: name = "alldef.config"; break;
	case M_RANDCONFIG: name = "allrandom.config"; break;
	default: break;
	}
	if (kx_conf_read_simple(&s->io, name, KX_DEF_USER) &&
	    kx_conf_read_simple(&s->io, "all.config", KX_DEF_USER)) {
		fprintf(stderr, "*** KCONFIG_ALLCONFIG set, but no \"%s\" or \"all.config\" file found\n",
			name);
		return 1;
	}
	return 0;
}

static int parse_probability(struct run *r)
{
	const char *env = getenv("KCONFIG_PROBABILITY");
	int n = 0, p[3];

	r->pby = 50;
	r->pty = 33;
	r->ptm = 33;
	while (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (v < 0 || v > 100) {
			errno = ERANGE;
			perror("KCONFIG_PROBABILITY");
			return 1;
		}
		p[n++] = (int)v;
		env = *end == ':' ? end + 1 : end;
		if (n >= 3 || end == env)
			break;
	}
	if (n == 1) {
		r->pby = p[0];
		r->ptm = r->pby / 2;
		r->pty = r->pby - r->ptm;
	} else if (n == 2) {
		r->pty = p[0];
		r->ptm = p[1];
		r->pby = r->pty + r->ptm;
	} else if (n == 3) {
		r->pby = p[0];
		r->pty = p[1];
		r->ptm = p[2];
	}
	if (r->pty + r->ptm > 100) {
		errno = ERANGE;
		perror("KCONFIG_PROBABILITY");
		return 1;
	}
	return 0;
}

/* randconfig's seed, printed where the tree's conf prints it */
static void set_seed(struct run *r, FILE *out)
{
	const char *env = getenv("KCONFIG_SEED");
	unsigned seed = 0;
	bool set = false;

	if (env && *env) {
		char *end;

		seed = (unsigned)strtol(env, &end, 0);
		set = *end == 0;
	}
	if (!set) {
		struct timeval now;

		gettimeofday(&now, NULL);
		seed = (unsigned)((now.tv_sec + 1) * (now.tv_usec + 1));
	}
	fprintf(out, "KCONFIG_SEED=0x%X\n", seed);
	kx_rand_seed(&r->rnd, seed);
}

/* KCONFIG_WERROR (from 6.0): warnings make conf fail */
static bool werror(const struct kx_kconfig *kc)
{
	return KX_SEM(kc, WERROR) && getenv("KCONFIG_WERROR") != NULL;
}

/* everything conf's main() does after parsing; returns an exit code */
static int run_mode(struct kx_session *s, struct run *r, const char *input)
{
	struct kx_kconfig *kc = s->kc;
	int err;

	switch (r->mode) {
	case M_DEFCONFIG:
		if (kx_conf_read(&s->io, input)) {
			fprintf(stderr, "***\n*** Can't find default configuration \"%s\"!\n***\n",
				input);
			return 1;
		}
		break;
	case M_SAVEDEFCONFIG: case M_SYNCCONFIG: case M_OLDASKCONFIG:
	case M_OLDCONFIG: case M_LISTNEWCONFIG: case M_HELPNEWCONFIG:
	case M_OLDDEFCONFIG: case M_YES2MODCONFIG: case M_MOD2YESCONFIG:
	case M_MOD2NOCONFIG:
		err = kx_conf_read(&s->io, input);
		if (err < 0) {
			kx_errorf("cannot read %s: %s", input ? input : kx_session_config_path(s),
				  strerror(errno));
			return r->dropin ? 1 : KX_EXIT_USAGE;
		}
		break;
	default:
		if (read_allconfig(s, r))
			return 1;
		break;
	}
	if (s->io.warnings && werror(kc))
		return 1;

	if (r->mode == M_SYNCCONFIG) {
		const char *ns = getenv("KCONFIG_NOSILENTUPDATE");

		if (ns && *ns && kc->changed) {
			fprintf(stderr, "\n*** The configuration requires explicit update.\n\n");
			return 1;
		}
	}

	switch (r->mode) {
	case M_ALLNOCONFIG:
		kx_conf_set_all_new_symbols(kc, KX_DEF_NO, NULL, 0, 0, 0);
		break;
	case M_ALLYESCONFIG:
		kx_conf_set_all_new_symbols(kc, KX_DEF_YES, NULL, 0, 0, 0);
		break;
	case M_ALLMODCONFIG:
		kx_conf_set_all_new_symbols(kc, KX_DEF_MOD, NULL, 0, 0, 0);
		break;
	case M_ALLDEFCONFIG:
	case M_DEFCONFIG:
		kx_conf_set_all_new_symbols(kc, KX_DEF_DEFAULT, NULL, 0, 0, 0);
		break;
	case M_RANDCONFIG:
		if (KX_SEM(kc, CHOICE_V2))
			kx_conf_set_all_new_symbols(kc, KX_DEF_RANDOM, &r->rnd,
						    r->pby, r->pty, r->ptm);
		else
			while (kx_conf_set_all_new_symbols(kc, KX_DEF_RANDOM, &r->rnd,
							   r->pby, r->pty, r->ptm))
				;
		break;
	case M_YES2MODCONFIG:
		kx_conf_rewrite_tristates(kc, KX_YES, KX_MOD);
		break;
	case M_MOD2YESCONFIG:
		kx_conf_rewrite_tristates(kc, KX_MOD, KX_YES);
		break;
	case M_MOD2NOCONFIG:
		kx_conf_rewrite_tristates(kc, KX_MOD, KX_NO);
		break;
	case M_OLDASKCONFIG:
		r->root_entry = &kc->rootmenu;
		r->indent = 1;
		if (conf_menu(s, r, &kc->rootmenu) < 0)
			return 1;
		r->mode = M_OLDCONFIG;
		/* fall through */
	case M_OLDCONFIG:
	case M_LISTNEWCONFIG:
	case M_HELPNEWCONFIG:
	case M_SYNCCONFIG:
		/* until a pass changes nothing */
		r->indent = 1;
		do {
			r->conf_cnt = 0;
			check_conf(s, r, &kc->rootmenu);
		} while (r->conf_cnt);
		break;
	default:
		break;
	}
	if (kc->sym_warnings && werror(kc))
		return 1;

	if (r->mode == M_SAVEDEFCONFIG) {
		if (kx_conf_write_defconfig(&s->io, r->file)) {
			/* sic: conf prints "n***" (a lost backslash); so do we, byte for byte */
			fprintf(stderr, "n*** Error while saving defconfig to: %s\n\n", r->file);
			return 1;
		}
	} else if (r->mode != M_LISTNEWCONFIG && r->mode != M_HELPNEWCONFIG) {
		bool no_write = false;

		if (r->mode == M_SYNCCONFIG) {
			const char *ns = getenv("KCONFIG_NOSILENTUPDATE");

			no_write = ns && *ns;
		}
		if (!no_write && kx_conf_write(&s->io, r->config_out)) {
			fprintf(stderr, "\n*** Error during writing of the configuration.\n\n");
			return 1;
		}
		if (r->write_autoconf &&
		    kx_conf_write_autoconf(&s->io, r->mode == M_SYNCCONFIG) &&
		    r->mode == M_SYNCCONFIG) {
			fprintf(stderr, "\n*** Error during sync of the configuration.\n\n");
			return 1;
		}
	}
	return 0;
}

/* ---- the conf drop-in -------------------------------------------------------- */

/*
 * conf's usage text, as the tree's own conf prints it: 5.10's "[option] is
 * _one_ of the following", the "Generic options" of 5.12 on (with
 * --mod2noconfig from 5.17), 7.3's "Arguments" section.
 */
static void conf_usage(const struct kx_semantics *sem, const char *prog)
{
	bool v2 = kx_sem_has(sem, KX_R_CONF_HELP_OPT);

	if (kx_sem_has(sem, KX_R_USAGE_ARGS))
		printf("Usage: %s [options] kconfig_file\n", prog);
	else if (v2)
		printf("Usage: %s [options] <kconfig-file>\n", prog);
	else
		printf("Usage: %s [-s] [option] <kconfig-file>\n", prog);
	if (v2) {
		printf("\n");
		printf("Generic options:\n");
		printf("  -h, --help              Print this message and exit.\n");
		printf("  -s, --silent            Do not print log.\n");
		printf("\n");
		printf("Mode options:\n");
	} else {
		printf("[option] is _one_ of the following:\n");
	}
	for (size_t i = 0; i < NMODES; i++) {
		char opt[64];

		if (modes[i].mode == M_MOD2NOCONFIG && !kx_sem_has(sem, KX_R_MOD2NO))
			continue;
		snprintf(opt, sizeof(opt), "--%s%s", modes[i].name,
			 modes[i].arg ? " <file>" : "");
		printf("  %-24s%s\n", opt, modes[i].help);
	}
	if (v2)
		printf("  (If none of the above is given, --oldaskconfig is the default)\n");
	if (kx_sem_has(sem, KX_R_USAGE_ARGS)) {
		printf("\n");
		printf("Arguments:\n");
		printf("  kconfig_file            Top-level Kconfig file.\n");
	}
}

/*
 * The command line of the tree's conf, with getopt_long as conf parses it
 * (abbreviations, "--defconfig FILE" or "--defconfig=FILE", options after
 * the Kconfig file).  From 5.12: -h/--help prints the usage and exits 1, an
 * unknown option is reported and ignored; 5.10 knows no -h and stops at an
 * unknown option with the usage.  Returns -1 to go on, else an exit code.
 */
static int conf_options(struct run *r, const struct kx_semantics *sem,
			int argc, char **argv, const char **kconfig)
{
	const char *prog = "kxen-config conf";
	bool v2 = kx_sem_has(sem, KX_R_CONF_HELP_OPT);
	struct option opts[NMODES + 3];
	int n = 0, opt, mode_opt = -1;

	memset(opts, 0, sizeof(opts));
	if (v2) {
		opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
		opts[n++] = (struct option){ "silent", no_argument, NULL, 's' };
	}
	for (size_t i = 0; i < NMODES; i++) {
		if (modes[i].mode == M_MOD2NOCONFIG && !kx_sem_has(sem, KX_R_MOD2NO))
			continue;
		opts[n++] = (struct option){ modes[i].name,
			modes[i].arg ? required_argument : no_argument,
			&mode_opt, (int)modes[i].mode };
	}
	optind = 0;		/* glibc: start over, argv[0] is "conf" */
	opterr = 1;		/* getopt's own messages, as conf's */
	while ((opt = getopt_long(argc, argv, v2 ? "hs" : "s", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			conf_usage(sem, prog);
			return 1;
		case 's':
			r->silent = true;
			break;
		case 0:
			r->mode = (enum mode)mode_opt;
			if (r->mode == M_SYNCCONFIG)
				r->silent = true;
			if (r->mode == M_DEFCONFIG || r->mode == M_SAVEDEFCONFIG)
				r->file = optarg;
			if (r->mode == M_RANDCONFIG)
				set_seed(r, kx_sem_has(sem, KX_R_SEED_STDOUT) ? stdout : stderr);
			break;
		default:
			/* getopt said what is wrong; 5.10 stops there */
			if (!v2) {
				conf_usage(sem, prog);
				return 1;
			}
			break;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "%s: Kconfig file missing\n", prog);
		conf_usage(sem, prog);
		return 1;
	}
	*kconfig = argv[optind];
	return -1;
}

int kx_cmd_conf(struct kx_session *s, int argc, char **argv)
{
	struct kx_semantics sem;
	struct run r;
	const char *kconfig = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	r.mode = M_OLDASKCONFIG;
	r.dropin = true;
	r.tty_stdio = isatty(0) && isatty(1);
	r.write_autoconf = true;
	s->dropin = true;
	kx_session_semantics(s, &sem);
	rc = conf_options(&r, &sem, argc, argv, &kconfig);
	if (rc >= 0)
		return rc;
	if (r.mode == M_RANDCONFIG && parse_probability(&r))
		return 1;
	s->kconfig = kconfig;
	s->no_help = !mode_shows_help(r.mode);
	rc = kx_session_load(s);
	if (rc)
		return 1;
	if (r.silent)
		s->io.message = NULL;
	return run_mode(s, &r, r.mode == M_DEFCONFIG ? r.file : NULL);
}

/* ---- native commands ------------------------------------------------------------- */

static int mode_of(const char *cmd, enum mode *m)
{
	for (size_t i = 0; i < NMODES; i++) {
		if (!strcmp(cmd, modes[i].name)) {
			*m = modes[i].mode;
			return 1;
		}
	}
	return 0;
}

bool kx_is_config_command(const char *cmd)
{
	enum mode m;

	return mode_of(cmd, &m);
}

static void native_usage(const char *cmd, enum mode m)
{
	bool arg = m == M_DEFCONFIG || m == M_SAVEDEFCONFIG;
	bool batch = m == M_OLDDEFCONFIG || m == M_DEFCONFIG;

	printf("Usage: kxen-config [global options] %s%s%s\n\n", cmd,
	       m == M_DEFCONFIG ? " [FILE]" : arg ? " FILE" : "", batch ? " [--batch DIR --out DIR]" : "");
	for (size_t i = 0; i < NMODES; i++)
		if (modes[i].mode == m)
			printf("%s.\n", modes[i].help);
	printf("\nReads and writes the .config named by --config, $KCONFIG_CONFIG or\n"
	       "./.config, with the tree's own conf semantics; the output is\n"
	       "byte-identical to `make %s`.\n", cmd);
	if (m == M_DEFCONFIG)
		printf("FILE is read as given, else relative to the tree "
		       "(e.g. arch/x86/configs/x86_64_defconfig);\n"
		       "without FILE, the arch's default (KBUILD_DEFCONFIG), like `make defconfig`.\n");
	if (m == M_SAVEDEFCONFIG)
		printf("FILE receives the minimal configuration (like `make savedefconfig`).\n");
	if (m == M_RANDCONFIG)
		printf("KCONFIG_SEED and KCONFIG_PROBABILITY are honoured as by conf.\n");
	if (m == M_ALLNOCONFIG || m == M_ALLYESCONFIG || m == M_ALLMODCONFIG ||
	    m == M_ALLDEFCONFIG || m == M_RANDCONFIG)
		printf("KCONFIG_ALLCONFIG names a file of values to force first, as with make.\n");
	if (batch)
		printf("\n  --batch DIR   process every file in DIR (one parse, many configs)\n"
		       "  --out DIR     write each result to DIR/<name>\n");
	printf("\n%s", kx_global_options_help);
	printf("\nExit status: 0 success, 1 failure, 2 usage error or bad input.\n");
}

static int run_batch(struct kx_session *s, struct run *r, const char *dir,
		     const char *out)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), failed = 0, done = 0;

	if (n < 0) {
		kx_errorf("cannot read directory %s: %s", dir, strerror(errno));
		return KX_EXIT_USAGE;
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		kx_errorf("cannot create %s: %s", out, strerror(errno));
		failed = -1;
	}
	for (int i = 0; i < n && failed >= 0; i++) {
		char *in, *dst;
		struct stat st;
		int rc;

		if (names[i]->d_name[0] == '.')
			continue;
		in = kx_xasprintf("%s/%s", dir, names[i]->d_name);
		if (stat(in, &st) || !S_ISREG(st.st_mode)) {
			free(in);
			continue;
		}
		dst = kx_xasprintf("%s/%s", out, names[i]->d_name);
		kx_eval_reset(s->kc);
		r->config_out = dst;
		if (r->mode == M_DEFCONFIG) {
			rc = run_mode(s, r, in);
		} else {
			/* olddefconfig of each file */
			struct run rr = *r;

			rc = run_mode(s, &rr, in);
		}
		if (rc)
			failed++;
		done++;
		free(in);
		free(dst);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (failed < 0)
		return KX_EXIT_USAGE;
	if (s->verbose >= 0)
		fprintf(stderr, "kxen-config: %d configurations processed, %d failed\n",
			done, failed);
	return failed ? KX_EXIT_NO : 0;
}

enum { OPT_BATCH = KX_OPT_LONG, OPT_OUT };

static const struct option config_longopts[] = {
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "out", required_argument, NULL, OPT_OUT },
	{ NULL, 0, NULL, 0 }
};

struct usage_ctx {
	const char *cmd;
	enum mode mode;
};

static void native_help(void *ctx)
{
	const struct usage_ctx *h = ctx;

	native_usage(h->cmd, h->mode);
}

int kx_cmd_config(struct kx_session *s, const char *cmd, int argc, char **argv)
{
	struct kx_optspec spec = { .longopts = config_longopts, .help = native_help };
	struct usage_ctx h;
	struct kx_opts o;
	int c;
	struct run r;
	const char *file = NULL, *batch = NULL, *out = NULL;
	char *def = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!mode_of(cmd, &r.mode))
		return KX_EXIT_USAGE;
	h.cmd = cmd;
	h.mode = r.mode;
	spec.cmd = cmd;
	spec.help_ctx = &h;
	kx_opts_begin(&o, s, argc, argv, &spec);
	while ((c = kx_opts_next(&o)) > 0) {
		if (c == OPT_BATCH) {
			batch = o.arg;
		} else if (c == OPT_OUT) {
			out = o.arg;
		} else if (file) {
			kx_errorf("%s: unexpected argument '%s'", cmd, o.arg);
			c = KX_OPT_ERROR;
			break;
		} else {
			file = o.arg;
		}
	}
	kx_opts_end(&o);
	if (c < 0)
		return kx_opts_exit(c);
	if (r.mode == M_SAVEDEFCONFIG && !file) {
		kx_errorf("%s needs a FILE argument (see kxen-config %s --help)", cmd, cmd);
		return KX_EXIT_USAGE;
	}
	if (file && r.mode != M_DEFCONFIG && r.mode != M_SAVEDEFCONFIG) {
		kx_errorf("%s takes no FILE argument", cmd);
		return KX_EXIT_USAGE;
	}
	if ((batch != NULL) != (out != NULL) ||
	    (batch && r.mode != M_OLDDEFCONFIG && r.mode != M_DEFCONFIG)) {
		kx_errorf("--batch DIR and --out DIR go together, with olddefconfig or defconfig");
		return KX_EXIT_USAGE;
	}
	r.file = file;
	if (r.mode == M_RANDCONFIG) {
		set_seed(&r, stdout);
		if (parse_probability(&r))
			return KX_EXIT_USAGE;
	}
	s->no_help = !mode_shows_help(r.mode);
	rc = kx_session_load(s);
	if (rc)
		return rc;
	if (batch)
		return run_batch(s, &r, batch, out);
	if (r.mode == M_DEFCONFIG && !file) {
		/* like `make defconfig`: the arch's KBUILD_DEFCONFIG */
		def = kx_arch_defconfig(&s->io, s->env);
		file = def;
		r.file = file;
	}
	rc = run_mode(s, &r, r.mode == M_DEFCONFIG ? file : NULL);
	free(def);
	return rc == 1 ? KX_EXIT_NO : rc;
}
