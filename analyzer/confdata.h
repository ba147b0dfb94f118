/* SPDX-License-Identifier: MIT */
/*
 * confdata.h - reading and writing .config files and fragments, and the
 * configuration modes of conf (olddefconfig, allnoconfig, ...).
 *
 * Output is byte-identical to the tree's own conf: the header with the
 * main menu's prompt, menu comments ("# end of ..."), entries in menu
 * order, "# CONFIG_X is not set" for n, strings quoted with \" and \\
 * escaped.  Files are written to a temporary file and renamed into place,
 * keeping the previous file as NAME.old, as conf does.
 */
#ifndef KX_CONFDATA_H
#define KX_CONFDATA_H

#include <stdbool.h>
#include <stdio.h>

#include "parser/model.h"

/*
 * Context for config I/O.  'open' finds and reads a config file by name
 * the way conf's zconf_fopen does (as given, then under $srctree);
 * 'message' receives conf's messages ("configuration written to .config")
 * or is NULL for -s.
 */
struct kx_confio {
	struct kx_kconfig *kc;
	int (*open)(void *ctx, const char *name, char **data, size_t *len);
	void *open_ctx;
	void (*message)(void *ctx, const char *msg);
	void *message_ctx;
	const char *prefix;		/* "CONFIG_" unless $CONFIG_ is set */
	bool warn_unknown;		/* KCONFIG_WARN_UNKNOWN_SYMBOLS */
	bool warn_changed_input;	/* KCONFIG_WARN_CHANGED_INPUT (7.3) */
	const char *defconfig_list;	/* KCONFIG_DEFCONFIG_LIST */
	bool overwrite;			/* KCONFIG_OVERWRITECONFIG: write in place */
	int warnings;			/* warnings of the last read */
	/* autoconf outputs (include/config/auto.conf ...), for syncconfig */
	const char *autoconfig_name;	/* KCONFIG_AUTOCONFIG */
	const char *autoheader_name;	/* KCONFIG_AUTOHEADER */
	const char *rustccfg_name;	/* KCONFIG_RUSTCCFG */
	const char *config_name;	/* KCONFIG_CONFIG: the file of a NULL name */
};

/*
 * Fills 'io' from 'env', the environment conf would run in (KCONFIG_*,
 * CONFIG_): the strings point into 'env', which must outlive 'io'.  NULL:
 * conf's defaults ("CONFIG_", ".config", no KCONFIG_* set).
 */
struct kx_env;
void kx_confio_init(struct kx_confio *io, struct kx_kconfig *kc,
		    const struct kx_env *env);

enum { KX_READ_NOT_FOUND = 1 };

/*
 * conf_read_simple: loads values of config file 'name' (NULL: the
 * KCONFIG_CONFIG file, else KCONFIG_DEFCONFIG_LIST) into def[which].
 * Returns 0, KX_READ_NOT_FOUND, or a negative KX_E* code.  Warnings in
 * conf's words go to kc->diags.
 */
int kx_conf_read_simple(struct kx_confio *io, const char *name, int which);

/*
 * The same from a buffer already in memory ('name' labels messages).  The
 * buffer is modified in place and data[len] must be writable (a NUL goes
 * there): allocate len + 1 bytes.
 */
int kx_conf_read_buf(struct kx_confio *io, const char *name, char *data,
		     size_t len, int which);

/*
 * conf_read: read + evaluate every symbol + track 'changed'.  Returns as
 * kx_conf_read_simple(); after KX_EIO or KX_ELIMIT, errno says why
 * (EISDIR, EFBIG, ...).
 */
int kx_conf_read(struct kx_confio *io, const char *name);

/* conf_read of a .config held in memory ('name' labels messages). */
int kx_conf_read_mem(struct kx_confio *io, const char *name, const char *text,
		     size_t len);

/* The .config text conf would write now (appended to 'out'). */
void kx_conf_format(struct kx_confio *io, struct kx_buf *out);

/* The minimal defconfig text (savedefconfig). */
void kx_conf_format_defconfig(struct kx_confio *io, struct kx_buf *out);

/*
 * conf_write: writes the .config to 'name' (NULL: KCONFIG_CONFIG or
 * .config): temporary file + rename, NAME.old kept, "No change" when the
 * contents are identical.  Returns 0 or KX_EIO (errno set).
 */
int kx_conf_write(struct kx_confio *io, const char *name);

/* conf_write_defconfig to 'filename'. */
int kx_conf_write_defconfig(struct kx_confio *io, const char *filename);

/*
 * conf_write_autoconf: include/config/auto.conf, auto.conf.cmd,
 * include/generated/autoconf.h and rustc_cfg (names from io), and the
 * include/config/<SYMBOL> dependency files.  With overwrite false, does
 * nothing when auto.conf already exists.  Returns 0 or KX_EIO.
 */
int kx_conf_write_autoconf(struct kx_confio *io, bool overwrite);

/* The modes of conf that set new symbols. */
enum kx_def_mode { KX_DEF_DEFAULT, KX_DEF_YES, KX_DEF_MOD, KX_DEF_NO, KX_DEF_RANDOM };

/* A random generator producing glibc's rand() sequence for a seed. */
struct kx_rand {
	int32_t r[34];
	int i;
};
void kx_rand_seed(struct kx_rand *r, unsigned seed);
int kx_rand_next(struct kx_rand *r);

/*
 * conf_set_all_new_symbols.  'rnd' and the probabilities (percent; see
 * KCONFIG_PROBABILITY) are used in KX_DEF_RANDOM mode only.  Returns
 * whether anything changed (older trees loop on it for randconfig).
 */
bool kx_conf_set_all_new_symbols(struct kx_kconfig *kc, enum kx_def_mode mode,
				 struct kx_rand *rnd, int pby, int pty, int ptm);

/* yes2modconfig and friends */
void kx_conf_rewrite_tristates(struct kx_kconfig *kc, kx_tri from, kx_tri to);

/* Text of one symbol as in .config (no newline), "" for unknown types. */
void kx_conf_format_symbol(struct kx_confio *io, struct kx_buf *out,
			   struct kx_sym *s, bool n_as_unset);

#endif /* KX_CONFDATA_H */
