/* SPDX-License-Identifier: MIT */
/*
 * build.h - building a domU kernel from a final .config with the tree's
 * own make, out of tree, and preparing the file a Xen toolstack boots
 * (analyzer/image.h decides: a bzImage, or the ELF vmlinux, stripped and
 * maybe gzip'd).
 *
 * kx_build_plan() decides, and writes nothing: the tree must be a kernel
 * tree without build products in it (an O= build fails then: kbuild
 * refuses, or the tree's generated headers shadow the object directory's),
 * the target must be the arch's, the config is read, the image plan made
 * (x86), the make targets and the file to ship chosen.
 *
 * kx_build_run() carries the plan out, reporting each step to the caller:
 *   1. OBJDIR is created, the config copied to OBJDIR/.config, the log
 *      opened;
 *   2. `make -C TREE O=OBJDIR [ARCH=A] [NAME=VALUE...] olddefconfig`, only
 *      so that kbuild creates its files; the .config must come out
 *      unchanged (otherwise the config was not conf-stable: the value
 *      lines that differ are reported, and the build goes on with the
 *      config kbuild wrote);
 *   3. `make ... -jN TARGETS` (vmlinux, bzImage on x86, Image on arm64,
 *      or only the target asked for), with progress reports;
 *   4. OBJDIR/domu/<bzImage|Image|vmlinux|vmlinux.gz>, after the files an
 *      earlier plan left there are removed: the image copied, or vmlinux
 *      stripped (${CROSS_COMPILE}strip, llvm-strip with LLVM=..., else
 *      objcopy --strip-all) and gzip -9 -n'd;
 *   5. x86: the Xen ELF notes of the ELF the toolstack loads must hold the
 *      guest type's entry (XEN_ELFNOTE_ENTRY for pv, PHYS32_ENTRY for pvh).
 * Every program runs through kx_proc_run() (util/proc.h) in the caller's
 * process group (an interrupt at the terminal reaches make), with the
 * caller's stdin, stdout and stderr appended to the log (each command
 * line is logged before its output as "\n$ ARGV..."), and the environment
 * of opts->env without KCONFIG_CONFIG (the .config is OBJDIR/.config).  A
 * program that cannot be started is logged as "cannot run PROG: REASON"
 * and counts as exit status 127, as from a shell.
 */
#ifndef KX_ANALYZER_BUILD_H
#define KX_ANALYZER_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/image.h"

struct kx_env;

struct kx_build_opts {
	const char *srctree;		/* NULL: "." */
	const char *arch;		/* make's ARCH; NULL: make's default (the host's) */
	const char *target;		/* NULL: the plan's; "bzImage", "vmlinux" or "Image" */
	const char *xen_version;	/* NULL: today's Xen (image.h) */
	enum kx_guest_type type;
	const char *config;		/* the .config to build */
	bool dry_run;			/* (the caller's: kx_build_run is not called) */
	const char *objdir;		/* NULL: "kxen-build" */
	const char *log;		/* NULL: OBJDIR/build.log */
	int jobs;			/* < 1: the number of CPUs online */
	/* NAME=VALUE make command-line variables, passed to both makes (O,
	 * ARCH and KCONFIG_CONFIG are left out); LLVM and CROSS_COMPILE
	 * also pick the strip tool.  NULL: none */
	const struct kx_env *make_vars;
	/* the programs' environment (also CROSS_COMPILE when make_vars has
	 * none); NULL: this process's */
	const struct kx_env *env;
};

/* How the domU file is made. */
enum kx_build_ship {
	KX_BUILD_SHIP_COPY,		/* the arch's image as built */
	KX_BUILD_SHIP_STRIP,		/* vmlinux, stripped */
	KX_BUILD_SHIP_STRIP_GZIP,	/* vmlinux, stripped, gzip -9 -n */
};

struct kx_build_plan {
	struct kx_build_opts opts;	/* a copy: the strings are the caller's */
	const char *srctree;		/* opts.srctree or "." */
	const char *srcarch;		/* x86, arm64, ... */
	bool x86, arm64;
	int jobs;
	char *config_text;		/* the config as read */
	size_t config_len;
	bool have_compression;		/* the config chooses a CONFIG_KERNEL_* */
	enum kx_compression compression;
	struct kx_image_plan image;	/* x86: the image plan; zero otherwise */
	const char *targets[4];		/* make's targets, NULL-terminated */
	const char *image_file;		/* the arch's image, relative to OBJDIR
					 * ("arch/x86/boot/bzImage"), or NULL */
	const char *image_name;		/* its name: "bzImage" or "Image" */
	enum kx_build_ship ship;
	const char *ship_name;		/* the file under OBJDIR/domu/ */
	int need_note;			/* x86: the entry note required; 0: none */
	const char *why;		/* x86: why this file (static); NULL otherwise */

	/* what the caller tells the user (set before a late failure too) */
	bool xen_ignored;		/* not x86, but a Xen version or pvh was asked for */
	char *error;			/* why kx_build_plan() failed */
};

/*
 * Decides the build for 'o' (copied into *p; its strings must outlive p)
 * and reads o->config.  Writes nothing.  Returns 0; KX_EINVAL when the build
 * cannot be done as asked (p->error says why: no Makefile in the tree, a
 * target of another arch, an unreadable config or one without CONFIG_
 * lines, one without the guest type's entry (CONFIG_XEN_PVH / CONFIG_XEN_PV
 * on x86), a Xen that cannot boot the guest type, bzImage asked for where
 * this Xen needs vmlinux, a tree with build products in it); or
 * KX_EINTERNAL.  Free *p with kx_build_plan_free() in every case.
 */
int kx_build_plan(struct kx_build_plan *p, const struct kx_build_opts *o);
void kx_build_plan_free(struct kx_build_plan *p);

/* What kx_build_run() reports, in this order. */
enum kx_build_event {
	KX_BUILD_CONFIGURE,	/* make olddefconfig starts (objdir, log_path) */
	KX_BUILD_CONFIG_CHECKED,	/* it succeeded (config_changed, diff) */
	KX_BUILD_COMPILE,	/* make -jN TARGETS starts */
	KX_BUILD_PROGRESS,	/* during it: objects, last_step, elapsed; once
				 * more with 'final' when make has ended */
	KX_BUILD_BUILT,		/* it succeeded: elapsed, objects, the files */
};

struct kx_build_state {
	char *objdir;			/* absolute */
	char *log_path;
	char *objcfg;			/* OBJDIR/.config */
	bool config_changed;		/* make olddefconfig changed the config */
	/* the value lines (CONFIG_X=..., "# CONFIG_X is not set") only one
	 * side has, in strcmp order: "- LINE" given, "+ LINE" kbuild's */
	char **diff;
	size_t ndiff;
	unsigned long objects;		/* kbuild steps ("  CC      init/main.o") */
	char last_step[256];		/* the last of them; "" before the first */
	double elapsed;			/* seconds since make TARGETS started */
	bool final;			/* KX_BUILD_PROGRESS: make has ended */
	char *vmlinux;			/* OBJDIR/vmlinux */
	long long vmlinux_size;		/* -1: missing */
	char *image;			/* OBJDIR/plan->image_file, or NULL */
	long long image_size;
	char *ship;			/* OBJDIR/domu/plan->ship_name */
	long long ship_size;
	struct kx_xen_notes notes;	/* x86: the notes of the ELF checked */
	/* after a failure */
	char *error;			/* what failed */
	char *log_tail;			/* the log's last 30 lines when they tell why */
	char *error2;			/* a finding after them: the tree became unclean */
};

struct kx_build_hooks {
	void (*event)(void *ctx, enum kx_build_event ev,
		      const struct kx_build_plan *p, const struct kx_build_state *st);
	void *ctx;
	double progress_interval;	/* seconds between progress reports; <= 0: 30 */
};

/*
 * Carries out plan 'p' (from a successful kx_build_plan()), reporting to
 * 'h' (NULL: no reports).  Fills *st; free it with kx_build_state_free()
 * in every case.  Returns 0 (built, st->ship is the domU file); 1 when the
 * build failed (make, strip or gzip failed, or the image lacks the Xen
 * entry note); KX_EIO when the object directory, the log or OBJDIR/.config
 * cannot be made (the user's environment); KX_EINTERNAL when the domU
 * file cannot be placed.  st->error says why.
 */
int kx_build_run(const struct kx_build_plan *p, const struct kx_build_hooks *h,
		 struct kx_build_state *st);
void kx_build_state_free(struct kx_build_state *st);

#endif /* KX_ANALYZER_BUILD_H */
