/* SPDX-License-Identifier: MIT */
/*
 * env.h - the environment Kconfig sees.
 *
 * `make olddefconfig` runs `scripts/kconfig/conf --olddefconfig Kconfig`
 * with an environment make exports: srctree, ARCH, SRCARCH, KERNELVERSION,
 * CC, LD, CC_VERSION_TEXT, ... (docs/ARCHITECTURE.md, parser/).  kx_env holds such an
 * environment (an ordered name=value map, independent of the process
 * environment); kx_env_derive() (parser/kbuild.h) turns the process
 * environment into the one make gives conf.
 */
#ifndef KX_ENV_H
#define KX_ENV_H

#include <stdbool.h>
#include <stddef.h>

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

/*
 * A number that changes whenever a variable of 'e' is set or removed, so
 * that callers can memoise what they compute from the whole environment.
 */
unsigned long kx_env_generation(const struct kx_env *e);

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
 * `command -v PROG` with the env's PATH (an empty entry is the current
 * directory; a PROG with a '/' is taken as is).  Returns a malloc'd path
 * or NULL.
 */
char *kx_env_which(const struct kx_env *e, const char *prog);
/*
 * The same, relative PATH entries (and an empty one, ".") taken from
 * directory 'cwd' ("CWD/ENTRY/PROG"), as a command run in 'cwd' finds them
 * (the probe runner).  'cwd' NULL: kx_env_which().
 */
char *kx_env_which_in(const struct kx_env *e, const char *prog, const char *cwd);

#endif /* KX_ENV_H */
