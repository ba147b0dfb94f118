/* SPDX-License-Identifier: MIT */
/*
 * session.h - what every command needs: the global options, the tree,
 * the environment, the probe runner and the loaded Kconfig.
 */
#ifndef KX_CLI_SESSION_H
#define KX_CLI_SESSION_H

#include <getopt.h>
#include <stdbool.h>

#include "analyzer/confdata.h"
#include "parser/env.h"
#include "parser/kbuild.h"
#include "parser/load.h"
#include "parser/shell.h"
#include "parser/tree.h"

/* exit codes (the man page, EXIT STATUS) */
enum {
	KX_EXIT_OK = 0,
	KX_EXIT_NO = 1,		/* the answer is "no" */
	KX_EXIT_USAGE = 2,	/* usage error or bad input */
	KX_EXIT_INTERNAL = 3,
};

struct kx_session {
	/* global options */
	const char *srctree;		/* -C / --srctree */
	const char *git_repo;		/* --git */
	const char *git_rev;		/* --rev */
	const char *arch;		/* --arch */
	const char *config;		/* --config */
	const char *kconfig;		/* --kconfig (top file), default Kconfig */
	bool json;
	int verbose;			/* -v: 1, -q: -1 */
	bool no_cache;
	enum kx_probe_policy probes;
	const char *record_probes;
	const char *replay_probes;
	double probe_timeout;
	/*
	 * NAME=VALUE arguments: make command-line assignments, passed to
	 * kx_env_derive() (NULL when none was given).
	 */
	struct kx_env *cmdline;

	/* state */
	struct kx_tree *tree;
	struct kx_env *env;
	struct kx_shell *shell;
	struct kx_diags diags;
	struct kx_kconfig *kc;
	struct kx_confio io;
	bool dropin;			/* `conf` drop-in: conf's conventions */
	bool no_help;			/* load without help texts (never shown) */
	const char *base_used;		/* what kx_session_base() loaded */
};

void kx_session_init(struct kx_session *s);
void kx_session_free(struct kx_session *s);

/*
 * The global options, accepted before the command and among its arguments
 * (cli/opts.h joins this table to each command's).  Values of the long-only
 * ones are KX_GOPT_*, the others their short letter.
 */
enum {
	KX_GOPT_GIT = 0x100, KX_GOPT_REV, KX_GOPT_ARCH, KX_GOPT_CONFIG,
	KX_GOPT_KCONFIG, KX_GOPT_JSON, KX_GOPT_NO_CACHE, KX_GOPT_PROBES,
	KX_GOPT_RECORD, KX_GOPT_REPLAY, KX_GOPT_PROBE_TIMEOUT,
};
extern const char kx_global_shortopts[];
extern const struct option kx_global_longopts[];

/*
 * Applies global option 'opt' (a value of kx_global_longopts) with its
 * argument 'arg'.  Returns 1, 0 if 'opt' is not a global option, -1 on a
 * bad argument (message printed).
 */
int kx_session_setopt(struct kx_session *s, int opt, const char *arg);

/* NAME=VALUE with NAME matching [A-Za-z_][A-Za-z0-9_]* (a make variable). */
bool kx_is_assignment(const char *a);
/*
 * Records make variable assignment NAME=VALUE in s->cmdline, and puts it
 * into the process environment, as make exports command-line variables to
 * conf (so the KCONFIG_* variables conf reads with getenv() apply).
 */
void kx_session_assign(struct kx_session *s, const char *a);

/* The help text of the global options. */
extern const char kx_global_options_help[];

/*
 * Opens the tree, builds the environment (derived like the kernel's make
 * when not given) and the probe runner, and loads the Kconfig.  Prints
 * diagnostics to stderr.  Returns an exit code (0 on success).
 */
int kx_session_load(struct kx_session *s);

/*
 * The tree's Kconfig rules before (or without) a load: the release from
 * KX_KCONFIG_VERSION or $KERNELVERSION, then the tree's own scripts/kconfig
 * sources (parser/semantics.h); once loaded, the model's.  The `conf`
 * drop-in needs them to parse its command line as that tree's conf does.
 */
void kx_session_semantics(struct kx_session *s, struct kx_semantics *sem);

/* Reads a file for config input: as given, else relative to the tree. */
int kx_session_open(void *ctx, const char *name, char **data, size_t *len);

/* conf's message callback: "#\n# MSG\n#" on stdout */
void kx_session_message(void *ctx, const char *msg);

/* The default .config path: --config, $KCONFIG_CONFIG or ".config". */
const char *kx_session_config_path(const struct kx_session *s);

/* Prints "kxen-config: " + message to stderr. */
void kx_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Writes 'text' to the file the user named, through kx_write_output() (see
 * util.h: "-" is stdout, links are followed, devices and FIFOs are written
 * through, a regular file is replaced atomically, KX_OUT_KEEP_OLD keeps
 * PATH.old).  Returns 0, or prints "kxen-config: cannot write PATH: reason"
 * and returns KX_EXIT_USAGE: every failure to write is caused by the
 * user's environment (a missing directory, permissions, a full disk).
 */
int kx_write_user_file(const char *path, const char *text, unsigned flags);

/* The persistent cache directory ($XDG_CACHE_HOME/kxen-config/...). */
char *kx_cache_dir(const char *sub);

/*
 * The architecture name the domU profiles use (fragments/xen-domu-*-ARCH):
 * ARCH, with ARCH=x86 read as x86_64 or i386 from the loaded 64BIT.
 */
const char *kx_session_profile_arch(struct kx_session *s);

#endif /* KX_CLI_SESSION_H */
