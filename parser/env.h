/* SPDX-License-Identifier: MIT */
/*
 * env.h - the environment Kconfig sees, and how the kernel's Makefile
 * derives it.
 *
 * `make olddefconfig` runs `scripts/kconfig/conf --olddefconfig Kconfig`
 * with an environment make exports: srctree, ARCH, SRCARCH, KERNELVERSION,
 * CC, LD, CC_VERSION_TEXT, ... (see DESIGN.md §3).  kx_env holds such an
 * environment (an ordered name=value map, independent of the process
 * environment), and kx_env_derive() fills in what the user did not set,
 * the way the tree's top Makefile would.
 */
#ifndef KX_ENV_H
#define KX_ENV_H

#include <stdbool.h>
#include <stddef.h>

struct kx_tree;
struct kx_diags;

struct kx_env;

struct kx_env *kx_env_new(void);
void kx_env_free(struct kx_env *e);

/* Copies every NAME=VALUE of a NULL-terminated vector (e.g. environ). */
void kx_env_import(struct kx_env *e, char *const *vec);

/* Value of 'name', or NULL when unset.  Owned by the env. */
const char *kx_env_get(const struct kx_env *e, const char *name);

/* Sets (copies) name=value, replacing an earlier value in place. */
void kx_env_set(struct kx_env *e, const char *name, const char *value);
void kx_env_unset(struct kx_env *e, const char *name);

/*
 * A NULL-terminated NAME=VALUE vector for execve(), valid until the next
 * modification of the env.  Owned by the env.
 */
char *const *kx_env_vector(struct kx_env *e);

/* Number of variables, and iteration in insertion order. */
size_t kx_env_count(const struct kx_env *e);
void kx_env_at(const struct kx_env *e, size_t i, const char **name,
	       const char **value);

/*
 * Maps a user-level ARCH (as given to `make ARCH=...`) to the SRCARCH
 * directory under arch/, exactly as the kernel's top Makefile does:
 * i386/x86_64 -> x86, sparc32/sparc64 -> sparc, parisc64 -> parisc,
 * sh64 -> sh, tilepro/tilegx -> tile (old trees), um -> um (with SUBARCH);
 * otherwise ARCH itself.  Returns a static or 'arch' itself.
 */
const char *kx_env_srcarch(const char *arch);

/* The host's ARCH as the kernel Makefile computes SUBARCH from uname -m. */
const char *kx_env_host_arch(void);

/*
 * Options for kx_env_derive().  NULL fields mean "not given".
 */
struct kx_env_opts {
	const char *arch;	/* --arch; else $ARCH; else the host arch */
	const char *srctree;	/* absolute path used as $(srctree) */
	bool run_tools;		/* may run $CC --version etc. (else leave unset) */
};

/*
 * Fills in, for every variable the kernel Makefile exports to conf and
 * that 'e' does not already define, the value make would give it for
 * tree 't':
 *   srctree, ARCH, SRCARCH (and SUBARCH/HEADER_ARCH for um),
 *   KERNELVERSION (VERSION.PATCHLEVEL.SUBLEVEL + EXTRAVERSION from the
 *   tree's top Makefile), CC=gcc (or $(CROSS_COMPILE)gcc / clang with
 *   LLVM=1), LD, AR, NM, OBJCOPY, STRIP, READELF, HOSTCC, HOSTCXX,
 *   RUSTC=rustc, BINDGEN=bindgen, PAHOLE=pahole, PYTHON3=python3,
 *   CC_VERSION_TEXT (first line of `$CC --version`, '#' removed, only when
 *   run_tools), RUSTC_VERSION_TEXT on trees whose Makefile exports it,
 *   KCONFIG_CONFIG (not set: the reader defaults to .config),
 *   LC_COLLATE=C and LC_NUMERIC=C.
 * Returns 0, or KX_ENOTFOUND when the tree has no top Makefile (then only
 * the arch variables are set) with a diagnostic in 'd'.
 */
int kx_env_derive(struct kx_env *e, struct kx_tree *t,
		  const struct kx_env_opts *opts, struct kx_diags *d);

#endif /* KX_ENV_H */
