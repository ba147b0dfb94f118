// SPDX-License-Identifier: MIT
/*
 * semantics.c - the table of Kconfig rules that changed between Linux 5.10
 * and 7.3, and their detection in a tree's own scripts/kconfig sources.
 *
 * Each row: the rule, the release that introduced it, the source file of
 * scripts/kconfig that shows it, and the text that tells: 'present' must
 * be in the file, every 'absent' text must not be (the removed keyword or
 * function of the older releases).  The markers were checked against the
 * sources of 5.10, 6.1, 6.12, 7.2 and 7.3 (docs/KCONFIG-RULES.md); they are
 * lines of code, keywords or messages, never comments, so that a rule
 * follows the code that implements it.
 */
#include "parser/semantics.h"

#include <stdlib.h>
#include <string.h>

#include "parser/env.h"
#include "parser/tree.h"
#include "util/util.h"

static const char *const files[] = {
	"conf.c", "confdata.c", "expr.c", "lexer.l", "menu.c", "parser.y",
	"symbol.c", "util.c",
};

enum {
	F_CONF, F_CONFDATA, F_EXPR, F_LEXER, F_MENU, F_PARSER, F_SYMBOL, F_UTIL,
	F_COUNT
};

static const struct rule {
	const char *name;
	int since;			/* major * 100 + minor */
	int file;			/* index into files[] */
	const char *present;		/* NULL: nothing required */
	const char *absent[2];		/* each must be missing */
} rules[KX_R_COUNT] = {
	[KX_R_CONF_HELP_OPT] = { "conf-help-option", 512, F_CONF, "{\"help\",", { 0 } },
	[KX_R_SEED_STDOUT] = { "seed-on-stdout", 512, F_CONF, "set_randconfig_seed", { 0 } },
	[KX_R_MODULES_ATTR] = { "modules-attribute", 513, F_PARSER,
		"config_option: T_MODULES T_EOL", { 0 } },
	[KX_R_NO_OPTION] = { "no-option-keyword", 513, F_LEXER, NULL, { "\"option\"" } },
	[KX_R_DEFCONFIG_ENV] = { "defconfig-list-env", 513, F_CONFDATA,
		"\"KCONFIG_DEFCONFIG_LIST\"", { 0 } },
	[KX_R_TOUCH_FLAT] = { "touch-files-flat", 513, F_CONFDATA, NULL,
		{ "strcpy(d, \".h\")" } },
	[KX_R_MOD2NO] = { "mod2noconfig", 517, F_CONF, "mod2noconfig", { 0 } },
	[KX_R_AUTOCONF_UNQUOTED] = { "auto.conf-unquoted", 517, F_CONFDATA,
		"OUTPUT_N_NONE, false)", { 0 } },
	[KX_R_HEADER_STYLE] = { "autoconf.h-heading", 517, F_CONFDATA,
		"comment_style_c", { 0 } },
	[KX_R_AUTOCONF_CMD_V2] = { "auto.conf.cmd-v2", 517, F_CONFDATA,
		"conf_write_autoconf_cmd", { 0 } },
	[KX_R_END_OF_EMPTY_MENU] = { "end-of-empty-menu", 518, F_CONFDATA, "end_check:", { 0 } },
	[KX_R_NOTSET_SPACE] = { "not-set-needs-blank", 518, F_CONFDATA,
		"if (line[1] != ' ')", { 0 } },
	[KX_R_WERROR] = { "KCONFIG_WERROR", 600, F_CONFDATA, "KCONFIG_WERROR", { 0 } },
	[KX_R_HELP_LOCATION_V2] = { "help-location-v2", 600, F_MENU, NULL,
		{ "menu = prop->menu->parent;" } },
	[KX_R_RUSTC_CFG] = { "rustc_cfg", 601, F_CONFDATA, "KCONFIG_RUSTCCFG", { 0 } },
	[KX_R_WARN_UNKNOWN] = { "KCONFIG_WARN_UNKNOWN_SYMBOLS", 608, F_CONFDATA,
		"KCONFIG_WARN_UNKNOWN_SYMBOLS", { 0 } },
	[KX_R_AUTOCONF_CMD_V3] = { "auto.conf.cmd-v3", 602, F_CONFDATA,
		"autoconfig := ", { 0 } },
	[KX_R_SYNTAX_ERROR_LINE] = { "syntax-error-line", 607, F_PARSER, NULL,
		{ "zconf_lineno() + 1" } },
	[KX_R_HASH_16K] = { "symbol-hash-16k", 609, F_SYMBOL, NULL,
		{ "% SYMBOL_HASHSIZE" } },
	[KX_R_EXPR_V2] = { "expression-rework", 612, F_EXPR, NULL,
		{ "expr_eliminate_dups1(e->type, &e, &e)" } },
	[KX_R_READ_STRICT] = { "config-reading-strict", 609, F_CONFDATA,
		"getline_stripped", { 0 } },
	[KX_R_READ_NO_RESET] = { "config-reading-keeps-hidden", 611, F_CONFDATA, NULL,
		{ "sym->visible == no && !conf_unsaved" } },
	[KX_R_INT_DEFAULT_0] = { "int-hex-default-0", 610, F_SYMBOL, NULL,
		{ "symbol_empty" } },
	[KX_R_CHOICE_V2] = { "choice-rework", 611, F_PARSER, "choice_members", { 0 } },
	[KX_R_NO_OPTIONAL] = { "no-optional-keyword", 611, F_LEXER, NULL,
		{ "\"optional\"" } },
	[KX_R_HELP_ERRORS] = { "help-and-menuconfig-errors", 613, F_PARSER,
		"zconf_error(\"menuconfig statement without prompt\")", { 0 } },
	[KX_R_CHOICE_NO_TYPE] = { "no-type-in-choice", 613, F_PARSER, NULL,
		{ "choice_option: T_BOOL", "choice_option: logic_type" } },
	[KX_R_TRANSITIONAL] = { "transitional", 618, F_LEXER, "\"transitional\"", { 0 } },
	[KX_R_DEPENDS_IF] = { "depends-on-if", 700, F_PARSER,
		"T_DEPENDS T_ON expr if_expr T_EOL", { 0 } },
	[KX_R_REPEATED_INCLUDE] = { "repeated-inclusion-error", 701, F_UTIL,
		"repeated inclusion of", { 0 } },
	[KX_R_CHOICE_PROMPT_ELSEWHERE] = { "choice-prompt-elsewhere-error", 701, F_PARSER,
		"choice value must not have a prompt in another entry", { 0 } },
	[KX_R_WARN_CHANGED_INPUT] = { "KCONFIG_WARN_CHANGED_INPUT", 703, F_CONFDATA,
		"KCONFIG_WARN_CHANGED_INPUT", { 0 } },
	[KX_R_SUBMENU_NEGATIVE] = { "submenu-stops-at-negation", 703, F_MENU,
		"expr_contains_symbol_negated", { 0 } },
	[KX_R_USAGE_ARGS] = { "conf-usage-arguments", 703, F_CONF,
		"Top-level Kconfig file.", { 0 } },
};

const char *kx_rule_name(enum kx_rule r)
{
	return r < KX_R_COUNT ? rules[r].name : "?";
}

int kx_rule_since(enum kx_rule r)
{
	return r < KX_R_COUNT ? rules[r].since : 0;
}

void kx_semantics_for_version(struct kx_semantics *s, int major, int minor)
{
	int v = major * 100 + minor;

	memset(s, 0, sizeof(*s));
	s->version = v;
	for (int r = 0; r < KX_R_COUNT; r++)
		if (v >= rules[r].since)
			s->rules |= UINT64_C(1) << r;
}

int kx_semantics_detect(struct kx_semantics *s, struct kx_tree *tree)
{
	char *text[F_COUNT] = { 0 };
	int n = 0;

	for (int f = 0; f < F_COUNT; f++) {
		char path[64], *data = NULL;
		size_t len = 0;

		strcpy(path, "scripts/kconfig/");
		strcat(path, files[f]);
		if (kx_tree_read(tree, path, &data, &len) == 0)
			text[f] = data;
	}
	for (int r = 0; r < KX_R_COUNT; r++) {
		const struct rule *ru = &rules[r];
		const char *t = text[ru->file];
		bool has;

		if (!t)
			continue;
		has = !ru->present || strstr(t, ru->present);
		for (int i = 0; i < 2 && ru->absent[i]; i++)
			has = has && !strstr(t, ru->absent[i]);
		s->rules &= ~(UINT64_C(1) << r);
		s->rules |= (uint64_t)has << r;
		s->detected |= UINT64_C(1) << r;
		n++;
	}
	for (int f = 0; f < F_COUNT; f++)
		free(text[f]);
	return n;
}

int kx_parse_kernelversion(const char *s, int *major, int *minor)
{
	char *end;
	long a, b;

	if (!s)
		return KX_EINVAL;
	a = strtol(s, &end, 10);
	if (end == s || *end != '.' || a < 2 || a > 99)
		return KX_EINVAL;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || b < 0 || b > 99)
		return KX_EINVAL;
	*major = (int)a;
	*minor = (int)b;
	return 0;
}

void kx_semantics_pick(struct kx_semantics *s, struct kx_tree *tree,
		       const struct kx_env *env)
{
	const char *from = env ? kx_env_get(env, "KX_KCONFIG_RULES_FROM") : NULL;
	const char *forced = env ? kx_env_get(env, "KX_KCONFIG_VERSION") : NULL;
	const char *kernelversion = env ? kx_env_get(env, "KERNELVERSION") : NULL;
	int major = KX_SEM_NEWEST / 100, minor = KX_SEM_NEWEST % 100;

	if (kx_parse_kernelversion(forced, &major, &minor) &&
	    kx_parse_kernelversion(kernelversion, &major, &minor)) {
		major = KX_SEM_NEWEST / 100;
		minor = KX_SEM_NEWEST % 100;
	}
	kx_semantics_for_version(s, major, minor);
	if (from && *from) {
		struct kx_tree *t = NULL;

		if (kx_tree_open_dir(&t, from) == 0)
			kx_semantics_detect(s, t);
		kx_tree_free(t);
	} else if (tree) {
		kx_semantics_detect(s, tree);
	}
}

void kx_semantics_describe(const struct kx_semantics *s, struct kx_buf *b)
{
	struct kx_semantics rel;
	int n = 0;

	kx_semantics_for_version(&rel, s->version / 100, s->version % 100);
	for (int r = 0; r < KX_R_COUNT; r++)
		n += (s->detected >> r) & 1;
	kx_buf_printf(b, "Kconfig rules of Linux %d.%d, %d of %d judged from the tree's "
		      "scripts/kconfig", s->version / 100, s->version % 100, n, KX_R_COUNT);
	for (int r = 0; r < KX_R_COUNT; r++)
		if (kx_sem_has(s, r) != kx_sem_has(&rel, r))
			kx_buf_printf(b, " %c%s", kx_sem_has(s, r) ? '+' : '-', rules[r].name);
	if (s->version > KX_SEM_NEWEST)
		kx_buf_printf(b, " (newer than %d.%d, the newest known)",
			      KX_SEM_NEWEST / 100, KX_SEM_NEWEST % 100);
}
