/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - test helpers: build a small kernel tree in a temporary
 * directory from inline files, load it, and evaluate configs.
 */
#ifndef KX_TEST_FIXTURE_H
#define KX_TEST_FIXTURE_H

#include <stdbool.h>

#include "analyzer/confdata.h"
#include "parser/env.h"
#include "parser/load.h"
#include "parser/shell.h"
#include "parser/tree.h"

struct fx_file {
	const char *path;
	const char *text;
};

struct fx {
	char dir[256];			/* temporary tree */
	struct kx_tree *tree;
	struct kx_env *env;
	struct kx_shell *shell;
	struct kx_diags diags;
	struct kx_kconfig *kc;
	struct kx_confio io;
	struct kx_buf info;		/* $(info) and notes */
	int load_err;
};

/*
 * Creates the files (NULL-terminated list) in a new temporary directory
 * and loads "Kconfig" with semantics of kernel 'version' (e.g. "6.12").
 * Diagnostics are collected in fx->diags (not printed).  Returns the load
 * result (also in fx->load_err).
 */
int fx_load(struct fx *fx, const char *version, const struct fx_file *files);
/*
 * For the next load only: a cache directory (the probe cache in
 * CACHE/probes, the model cache in CACHE/models), and NULL-terminated
 * NAME, VALUE pairs added to the environment.
 */
extern const char *fx_next_cache;
extern const char *const *fx_next_env;
/*
 * For the next load only: the Kconfig rules to load with, instead of those
 * of the release 'version' alone (e.g. a release's rules as detected in
 * its tree's scripts/kconfig); copied at the load.
 */
struct kx_semantics;
extern const struct kx_semantics *fx_next_sem;
/*
 * For the next load only: no rules given at all, so that the load picks
 * them itself (kx_semantics_pick: KX_KCONFIG_VERSION, KERNELVERSION, the
 * tree's own scripts/kconfig sources or KX_KCONFIG_RULES_FROM's).
 */
extern bool fx_next_pick_rules;
/* Loads an existing directory (not copied, not deleted by fx_free). */
int fx_load_dir(struct fx *fx, const char *version, const char *dir);
/* Same, with a single Kconfig file. */
int fx_load1(struct fx *fx, const char *version, const char *kconfig);
/* fx_load1 with kx_load_opts.no_help (as olddefconfig and friends load) */
int fx_load1_no_help(struct fx *fx, const char *version, const char *kconfig);
void fx_free(struct fx *fx);

/* Writes 'text' to DIR/name (creating directories). */
void fx_write(struct fx *fx, const char *name, const char *text);

/* Reads a .config given as text (conf_read semantics). */
int fx_read_config(struct fx *fx, const char *text);
/* "A=y B=n" (NULL: none) -> closure targets in t[] (values in the arena);
 * returns how many.  A name the tree lacks gets sym NULL: assert on it. */
struct kx_target;
size_t fx_targets(struct fx *fx, const char *spec, struct kx_target *t);
/* The .config conf would write, as a malloc'd string. */
char *fx_format(struct fx *fx);
/* savedefconfig output */
char *fx_format_defconfig(struct fx *fx);
/* Value text of symbol 'name' after evaluation ("" when unknown). */
const char *fx_value(struct fx *fx, const char *name);
/* All diagnostics' text, one per line (malloc'd). */
char *fx_diags_text(struct fx *fx);
/* 'needle' occurs in the .config text, e.g. "CONFIG_A=y\n" */
bool fx_config_has(struct fx *fx, const char *needle);

/*
 * Removes directory 'dir' and everything in it (rm -rf); on failure says so
 * on stderr.  Returns 0 on success (tests that require it assert that).
 */
int fx_remove_dir(const char *dir);

/*
 * Whether a live (not zombie) process of group 'pgid' exists (read from
 * /proc).  Zombies do not count: reaping orphans is init's job, and some
 * container inits are slow at it.
 */
bool fx_group_alive(long pgid);

#endif
