/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.h - shared helpers of the libFuzzer harnesses (header-only,
 * every function static: each harness is one translation unit).
 *
 * A harness loads a Kconfig from a small fixed tree in a temporary
 * directory created once per process (removed at exit).  Probes are always
 * DENIED (KX_PROBES_DENY): a fuzz input never runs a command, whatever
 * $(shell,...) it contains.  The environment is fixed (no process
 * environment leaks into the expansion), so runs are reproducible.
 */
#ifndef KX_FUZZ_COMMON_H
#define KX_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/confdata.h"
#include "analyzer/eval.h"
#include "parser/env.h"
#include "parser/load.h"
#include "parser/shell.h"
#include "parser/tree.h"

/* The process-wide fixed part: directory, tree, environment, shell. */
struct fz_world {
	char dir[64];
	struct kx_tree *tree;
	struct kx_env *env;
	struct kx_shell *shell;
};

static struct fz_world fz_w;

static void fz_write(const char *name, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fz_w.dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		abort();
	}
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	if (fclose(f))
		abort();
}

static void fz_cleanup(void)
{
	char cmd[128];

	kx_shell_free(fz_w.shell);
	kx_env_free(fz_w.env);
	kx_tree_free(fz_w.tree);
	if (!strncmp(fz_w.dir, "/tmp/kx-fuzz-", 13)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fz_w.dir);
		if (system(cmd)) {
			/* best effort */
		}
	}
}

/* Sourced files every top Kconfig may refer to. */
static const char fz_sub_a[] =
	"config SUB_A\n\tbool \"sub a\"\n\tdefault y\n"
	"config SUB_T\n\ttristate \"sub t\"\n\tdepends on SUB_A\n"
	"source \"sub/Kconfig.b\"\n";
static const char fz_sub_b[] =
	"menu \"sub b\"\nconfig SUB_B\n\tint \"sub b\"\n\trange 0 10\n\tdefault 3\nendmenu\n";
static const char fz_arch[] =
	"config X86\n\tdef_bool y\nconfig 64BIT\n\tbool \"64-bit\"\n\tdefault y\n";

static void fz_init_world(void)
{
	struct kx_shell_opts so;

	if (fz_w.tree)
		return;
	snprintf(fz_w.dir, sizeof(fz_w.dir), "/tmp/kx-fuzz-XXXXXX");
	if (!mkdtemp(fz_w.dir))
		abort();
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/sub", fz_w.dir);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/arch", fz_w.dir);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/arch/x86", fz_w.dir);
		mkdir(p, 0755);
	}
	fz_write("sub/Kconfig.a", fz_sub_a, sizeof(fz_sub_a) - 1);
	fz_write("sub/Kconfig.b", fz_sub_b, sizeof(fz_sub_b) - 1);
	fz_write("arch/x86/Kconfig", fz_arch, sizeof(fz_arch) - 1);
	fz_write("Kconfig", "", 0);
	if (kx_tree_open_dir(&fz_w.tree, fz_w.dir) < 0)
		abort();
	fz_w.env = kx_env_new();
	kx_env_set(fz_w.env, "srctree", fz_w.dir);
	kx_env_set(fz_w.env, "PATH", "/usr/bin:/bin");
	kx_env_set(fz_w.env, "ARCH", "x86_64");
	kx_env_set(fz_w.env, "SRCARCH", "x86");
	kx_env_set(fz_w.env, "CC", "gcc");
	kx_env_set(fz_w.env, "KERNELVERSION", "6.12.0");
	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_DENY;	/* fuzz inputs never run commands */
	so.cwd = fz_w.dir;
	if (kx_shell_new(&fz_w.shell, fz_w.env, &so) < 0)
		abort();
	atexit(fz_cleanup);
}

static void fz_info(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

/*
 * Loads DIR/Kconfig with 'version' semantics ("6.1", "6.12").  Returns
 * the load result; *out is the tree or NULL.  'diags' is the caller's.
 */
static int fz_load(struct kx_kconfig **out, struct kx_diags *diags,
		   int major, int minor)
{
	struct kx_load_opts lo;
	struct kx_semantics sem;

	kx_semantics_for_version(&sem, major, minor);
	memset(&lo, 0, sizeof(lo));
	lo.env = fz_w.env;
	lo.shell = fz_w.shell;
	lo.diags = diags;
	lo.info = fz_info;
	lo.sem = &sem;
	return kx_kconfig_load(out, fz_w.tree, &lo);
}

/* Evaluates everything and formats .config and defconfig (as conf would). */
static void fz_eval_and_write(struct kx_kconfig *kc, const char *config,
			      size_t len)
{
	struct kx_confio io;
	struct kx_buf b = KX_BUF_INIT;

	kc->info = fz_info;
	kx_confio_init(&io, kc);
	io.message = NULL;
	io.prefix = "CONFIG_";
	io.warn_unknown = true;
	kx_conf_read_mem(&io, "fuzz.config", config ? config : "", len);
	kx_conf_format(&io, &b);
	kx_buf_reset(&b);
	kx_conf_format_defconfig(&io, &b);
	kx_buf_free(&b);
}

#endif /* KX_FUZZ_COMMON_H */
