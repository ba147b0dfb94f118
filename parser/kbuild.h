/* SPDX-License-Identifier: MIT */
/*
 * kbuild.h - the environment `make ... olddefconfig` gives conf, derived
 * from the process environment with make's precedence between the command
 * line, the kernel's Makefiles and the environment (kbuild.c).
 */
#ifndef KX_KBUILD_H
#define KX_KBUILD_H

#include <stdbool.h>

struct kx_diags;
struct kx_env;
struct kx_tree;

/*
 * Options for kx_env_derive().  NULL fields mean "not given".
 */
struct kx_env_opts {
	/*
	 * --arch: as ARCH=... on make's command line (it wins over an ARCH
	 * in 'cmdline' too); else ARCH from 'cmdline', then from the
	 * environment; else the host's SUBARCH.
	 */
	const char *arch;
	const char *srctree;	/* absolute path used as $(srctree) */
	/*
	 * Whether $(CC) --version and $(RUSTC) --version may be run (the
	 * caller's probe policy allows running commands).  When false,
	 * CC_VERSION_TEXT and RUSTC_VERSION_TEXT are not derived: they keep
	 * the values the environment or 'cmdline' gives, or stay absent, and
	 * the Kconfig probes that use them are then answered from the probe
	 * cache or a replay file, or denied, by the caller's kx_shell.  (The
	 * cache key holds the whole environment: entries made by a run that
	 * derived these texts only match when the environment supplies the
	 * same texts; replay files match on the command alone.)
	 */
	bool run_tools;
	/*
	 * The persistent probe cache directory for those two commands (NULL:
	 * always run them).  They are cached like Kconfig's own probes (see
	 * shell.h): keyed by the command, the environment and the identity
	 * of the programs it names, so a different compiler is a miss.
	 */
	const char *tool_cache_dir;
	/*
	 * Assignments given on make's command line (`make CC=clang LLVM=1
	 * ...`), or NULL.  They win over everything the Makefiles assign and
	 * are all exported, like make does.
	 */
	const struct kx_env *cmdline;
};

/*
 * Turns 'e', the process environment make would be started with, into the
 * environment `make [cmdline] olddefconfig` gives scripts/kconfig/conf for
 * tree 't' (checked with strace against the 6.1 and 6.12 top Makefiles).
 *
 * Precedence is make's: a variable given in opts->cmdline always wins and
 * is exported; a variable the kernel's Makefiles assign with = or := is set
 * to the derived value, replacing any value from the environment (a stray
 * CC=clang in the environment is ignored, as make ignores it); a variable
 * assigned with ?= keeps an environment value; a variable the Makefiles
 * only read (LLVM, LLVM_IAS, CROSS_COMPILE, USERCFLAGS, USERLDFLAGS,
 * CROSS_COMPILE_COMPAT, KBUILD_*, cross_compiling, ...) is taken from the
 * command line or the environment, and every other environment variable is
 * passed through unchanged.
 *
 * Derived (Makefile operator in brackets):
 *   ARCH [?=]           --arch, cmdline, environment, else the host SUBARCH
 *   SRCARCH [:=]        ARCH mapped as kx_env_srcarch() does
 *   SUBARCH [:=]        the host's, set when ARCH=um (arch/um exports it)
 *                       or when the environment has one (make then exports
 *                       its own value); HEADER_ARCH [:=] for ARCH=um
 *   srctree [:=]        opts->srctree, else the tree's directory
 *   KERNELVERSION [=]   VERSION.PATCHLEVEL.SUBLEVEL + EXTRAVERSION of the
 *                       tree's top Makefile
 *   CROSS_COMPILE       from cmdline/environment (exported, "" when unset);
 *                       when it is empty, arch/$(SRCARCH)/Makefile may set it
 *                       [:=] with cc-cross-prefix: the first prefix whose
 *                       ${prefix}gcc is found in PATH, "" if none (arc
 *                       always; loongarch when ARCH differs from SUBARCH;
 *                       m68k, mips, parisc, powerpc, sh, and xtensa from
 *                       VARIANT, only when `cross_compiling` is set, which
 *                       the 6.1 and 6.12 top Makefiles never do themselves)
 *   CC LD AR NM OBJCOPY OBJDUMP READELF STRIP [=]
 *                       $(CROSS_COMPILE)gcc, ld, ...; with a non-empty LLVM
 *                       (even "0"): clang, ld.lld, llvm-ar, ... with
 *                       LLVM=/dir/ as prefix or LLVM=-NN as suffix; then as
 *                       the arch Makefile changes them (alpha and 6.1's
 *                       ia64: NM := ... -B; not reproduced: 6.1 powerpc's
 *                       NM --synthetic, which depends on a $(shell ...))
 *   HOSTCC HOSTCXX [=]  gcc g++, or clang clang++ with LLVM
 *   RUSTC BINDGEN PAHOLE PYTHON3 [=]   rustc bindgen pahole python3
 *   CC_VERSION_TEXT [=] first line of `LC_ALL=C $(CC) --version`, '#'
 *                       removed, "" when CC is missing (run_tools only)
 *   RUSTC_VERSION_TEXT [=]   `$(RUSTC) --version`, '#' removed, "" when
 *                       rustc is missing; only on trees whose Makefile has
 *                       it (6.12, not 6.1), and only with run_tools
 *   CLANG_FLAGS [:=]    when CC_VERSION_TEXT contains "clang": built as
 *                       scripts/Makefile.clang does (--target=...,
 *                       integrated-as flags, -Werror=... list); otherwise
 *                       "" if the environment had one, else unset
 *   KBUILD_DEFCONFIG [:=]  as arch/$(SRCARCH)/Makefile sets it, else the
 *                       environment's, else "defconfig"
 *   KCONFIG_DEFCONFIG_LIST [:=]   "/lib/modules/$(uname -r)/.config
 *                       /etc/kernel-config /boot/config-$(uname -r)
 *                       arch/$(SRCARCH)/configs/$(KBUILD_DEFCONFIG)", without
 *                       the three host files when cross_compiling is set
 *   LC_COLLATE=C LC_NUMERIC=C [=]; LC_ALL is removed (unexported) unless
 *                       given in cmdline; CONFIG_ is always removed
 *                       (scripts/kconfig/Makefile unexports it)
 *   KCONFIG_CONFIG [?=] not set: the reader defaults to .config
 * Not derived: the ~90 other variables make exports (KBUILD_CFLAGS, ...),
 * which no Kconfig file of 6.1/6.12 references; a stray value of one of
 * them in the environment is passed through.
 *
 * Returns 0, or KX_ENOTFOUND when the tree has no top Makefile (then only
 * the arch variables, srctree and the locale variables are set) with a
 * diagnostic in 'd'.  Warnings (e.g. an arch Makefile whose CROSS_COMPILE
 * rule cannot be evaluated) also go to 'd'.
 */
int kx_env_derive(struct kx_env *e, struct kx_tree *t,
		  const struct kx_env_opts *opts, struct kx_diags *d);

#endif /* KX_KBUILD_H */
