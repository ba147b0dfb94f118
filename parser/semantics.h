/* SPDX-License-Identifier: MIT */
/*
 * semantics.h - which scripts/kconfig a tree ships: the rules of the
 * Kconfig language and of conf that changed between Linux 5.10 and 7.3.
 *
 * Every release is its own oracle.  Each rule that changed is one bit,
 * keyed to the release that introduced it and to a line of the tree's own
 * scripts/kconfig sources that shows it (a keyword in lexer.l, a grammar
 * rule in parser.y, a message in confdata.c...).  A tree is judged by its
 * sources first: a revision between releases, or a distro tree with
 * backported changes (Debian's 6.1 has 6.8's KCONFIG_WARN_UNKNOWN_SYMBOLS,
 * its 6.12 has a 7.3 fix in conf.c), gets the rules its own conf has.
 * Only where a source file is missing (a tree without scripts/kconfig, the
 * unit tests' fixtures) does the release number decide.  The table is in
 * semantics.c and in docs/KCONFIG-RULES.md, with the test of each rule.
 *
 *	struct kx_semantics sem;
 *	kx_semantics_for_version(&sem, 7, 3);		release numbers only
 *	kx_semantics_detect(&sem, tree);		then the tree's sources
 *	if (kx_sem_has(&sem, KX_R_TRANSITIONAL)) ...
 */
#ifndef KX_SEMANTICS_H
#define KX_SEMANTICS_H

#include <stdbool.h>
#include <stdint.h>

struct kx_tree;

/* Each rule is the behaviour of the newer releases (true from 'since' on). */
enum kx_rule {
	/* 5.10 -> 6.1 */
	KX_R_CONF_HELP_OPT,	/* conf -h/--help, the "Generic options" usage */
	KX_R_SEED_STDOUT,	/* randconfig prints KCONFIG_SEED on stdout */
	KX_R_MODULES_ATTR,	/* bare 'modules' attribute */
	KX_R_NO_OPTION,		/* 'option modules/defconfig_list/allnoconfig_y' gone */
	KX_R_DEFCONFIG_ENV,	/* conf reads KCONFIG_DEFCONFIG_LIST */
	KX_R_TOUCH_FLAT,	/* touch files include/config/FOO, not foo/bar.h */
	KX_R_MOD2NO,		/* --mod2noconfig */
	KX_R_AUTOCONF_UNQUOTED,	/* auto.conf strings without quotes */
	KX_R_HEADER_STYLE,	/* autoconf.h heading without blank lines */
	KX_R_AUTOCONF_CMD_V2,	/* auto.conf.cmd next to KCONFIG_AUTOCONFIG */
	KX_R_END_OF_EMPTY_MENU,	/* "# end of" also after an empty menu */
	KX_R_NOTSET_SPACE,	/* "# CONFIG_" only with the blank after '#' */
	KX_R_WERROR,		/* KCONFIG_WERROR */
	KX_R_HELP_LOCATION_V2,	/* help "Location:" includes the entry's menu */
	KX_R_RUSTC_CFG,		/* include/generated/rustc_cfg */
	KX_R_WARN_UNKNOWN,	/* KCONFIG_WARN_UNKNOWN_SYMBOLS */
	/* 6.1 -> 6.12 */
	KX_R_AUTOCONF_CMD_V3,	/* auto.conf.cmd with "autoconfig :=" */
	KX_R_SYNTAX_ERROR_LINE,	/* "syntax error" at the statement's line, not +1 */
	KX_R_HASH_16K,		/* conf's symbol hash: 1 << 14 buckets, not 9973 */
	KX_R_EXPR_V2,		/* expression rework: eliminate_dups always ends with eliminate_yn */
	KX_R_READ_STRICT,	/* .config reading: "unexpected data" on any odd line */
	KX_R_READ_NO_RESET,	/* conf_read keeps the user values of hidden symbols */
	KX_R_INT_DEFAULT_0,	/* unset int/hex is "0"/"0x0", not "" */
	KX_R_CHOICE_V2,		/* the choice rework: bool-only, priority lists */
	KX_R_NO_OPTIONAL,	/* 'optional' in choices gone */
	/* 6.12 -> 7.3 */
	KX_R_HELP_ERRORS,	/* three warnings become errors */
	KX_R_CHOICE_NO_TYPE,	/* no 'bool "prompt"' inside a choice */
	KX_R_TRANSITIONAL,	/* 'transitional' symbols */
	KX_R_DEPENDS_IF,	/* 'depends on X if Y' */
	KX_R_REPEATED_INCLUDE,	/* sourcing a file twice is an error */
	KX_R_CHOICE_PROMPT_ELSEWHERE,	/* member's prompt outside the choice: error */
	KX_R_WARN_CHANGED_INPUT,	/* KCONFIG_WARN_CHANGED_INPUT */
	KX_R_SUBMENU_NEGATIVE,	/* implicit submenus stop at !SYM */
	KX_R_USAGE_ARGS,	/* conf's usage: "kconfig_file", "Arguments:" */
	KX_R_COUNT
};

struct kx_semantics {
	int version;		/* major * 100 + minor of the release, e.g. 612 */
	uint64_t rules;		/* bit (1 << enum kx_rule) per rule */
	uint64_t detected;	/* rules judged from the tree's own sources */
};

static inline bool kx_sem_has(const struct kx_semantics *s, enum kx_rule r)
{
	return (s->rules >> r) & 1;
}

/* The rule KX_R_<r> holds for the tree of kx_kconfig 'kc'. */
#define KX_SEM(kc, r) kx_sem_has(&(kc)->sem, KX_R_##r)

/* The newest release whose rules are known (major * 100 + minor). */
#define KX_SEM_NEWEST 703

/* Every rule of releases up to major.minor, nothing detected. */
void kx_semantics_for_version(struct kx_semantics *s, int major, int minor);

/*
 * Judges each rule by the tree's own scripts/kconfig sources where the
 * file that shows it exists (a rule whose file is missing keeps its value
 * from the release number).  Returns the number of rules judged so.
 */
int kx_semantics_detect(struct kx_semantics *s, struct kx_tree *tree);

/*
 * The rules of a tree, from the environment conf runs in ('env', may be
 * NULL): the release from KX_KCONFIG_VERSION, else KERNELVERSION (the
 * tree's; unset or malformed: the newest known), then each rule judged by
 * the scripts/kconfig sources of the tree named by KX_KCONFIG_RULES_FROM if
 * set (a conf drop-in run outside its kernel tree, as the kernel's own
 * Kconfig tests do), else of 'tree' (may be NULL).
 */
struct kx_env;
void kx_semantics_pick(struct kx_semantics *s, struct kx_tree *tree,
		       const struct kx_env *env);

struct kx_buf;
/*
 * One line for -v: the release, how many rules the sources decided, and
 * each rule that differs from the release's (a backport "+name", a rule the
 * tree does not have yet "-name").
 */
void kx_semantics_describe(const struct kx_semantics *s, struct kx_buf *b);

/* "7.3.4", "6.1", "5.10-rc3"... into major/minor; returns 0 or KX_EINVAL. */
int kx_parse_kernelversion(const char *s, int *major, int *minor);

/* The rule's name and the release that introduced it (for docs and -v). */
const char *kx_rule_name(enum kx_rule r);
int kx_rule_since(enum kx_rule r);

#endif /* KX_SEMANTICS_H */
