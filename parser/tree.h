/* SPDX-License-Identifier: MIT */
/*
 * tree.h - read a kernel source tree: one interface, two back ends.
 *
 *   directory: kx_tree_open_dir("/usr/src/linux")  (like the kernel's srctree)
 *   git:       kx_tree_open_git("/src/linux.git", "v6.12")  (no checkout;
 *              tags, branches, abbreviated or full commit ids, any
 *              revision expression libgit2's revparse accepts)
 *
 * Paths given to kx_tree_read()/kx_tree_stat()/kx_tree_list() are relative
 * to the top of the tree ("arch/x86/Kconfig"); a leading "./" and repeated
 * slashes are ignored; ".." components that would leave the tree are
 * refused with KX_EINVAL.  Reading the same tree through either back end
 * gives byte-identical contents.
 *
 * Shell probes ($(shell,...) in Kconfig) need real files on disk, so every
 * tree also has a directory on disk: for the directory back end the tree
 * itself, for git a cache directory into which kx_tree_materialize()
 * extracts files on demand (see there).
 */
#ifndef KX_TREE_H
#define KX_TREE_H

#include <stddef.h>

struct kx_tree;

enum kx_tree_kind { KX_TREE_DIR, KX_TREE_GIT };

/* kx_tree_stat() results */
enum kx_tree_ftype { KX_FT_NONE = 0, KX_FT_FILE = 1, KX_FT_DIR = 2 };

/*
 * Opens a directory tree.  'dir' must exist and be a directory.  Returns 0,
 * KX_ENOTFOUND or KX_EINVAL (not a directory).  The caller frees *out with
 * kx_tree_free().  On failure *out may still be set to a tree that only
 * answers kx_tree_last_error(); free it with kx_tree_free() in all cases
 * (the same holds for kx_tree_open_git).
 */
int kx_tree_open_dir(struct kx_tree **out, const char *dir);

/*
 * Opens revision 'rev' of the git repository at 'repo' (a work tree or a
 * bare repository; libgit2 discovers it).  'rev' may be NULL for HEAD.
 * Returns 0, KX_ENOTFOUND (no repository or unknown revision; the message
 * is available from kx_tree_last_error()) or KX_EGIT.
 */
int kx_tree_open_git(struct kx_tree **out, const char *repo, const char *rev);

void kx_tree_free(struct kx_tree *t);

enum kx_tree_kind kx_tree_kind(const struct kx_tree *t);

/*
 * Human description: the directory path for a directory tree;
 * "REPO@REV (COMMIT-ID)" for git.  Owned by the tree.
 */
const char *kx_tree_describe(const struct kx_tree *t);

/* Full commit id (40 hex) for git trees, NULL for directories. */
const char *kx_tree_commit(const struct kx_tree *t);

/*
 * Reads the file at 'path'.  On success *data is a malloc'd buffer the
 * caller frees, NUL-terminated (the NUL is not counted in *len), which may
 * contain NUL bytes.  Returns 0, KX_ENOTFOUND (missing, or a directory) or
 * KX_EIO / KX_EGIT.
 */
int kx_tree_read(struct kx_tree *t, const char *path, char **data, size_t *len);

/* Returns a kx_tree_ftype for 'path' (KX_FT_NONE when absent). */
int kx_tree_stat(struct kx_tree *t, const char *path);

/*
 * Lists the entries of directory 'path' ("" or "." for the top), sorted
 * by name (strcmp).  *names is a malloc'd array of malloc'd strings
 * (names only, no directory part), freed with kx_tree_list_free().
 * Returns 0, KX_ENOTFOUND or KX_EIO/KX_EGIT.
 */
int kx_tree_list(struct kx_tree *t, const char *path, char ***names, size_t *n);
void kx_tree_list_free(char **names, size_t n);

/*
 * The absolute path of a directory on disk that mirrors the tree, for use
 * as $(srctree) by shell probes.  For a directory tree: its absolute path.
 * For git: a per-commit directory under the cache
 * ($XDG_CACHE_HOME/kxen-config/git/<commit>, or ~/.cache/...), created on
 * first use; it holds only what kx_tree_materialize() extracted.
 */
const char *kx_tree_disk_root(struct kx_tree *t);

/*
 * Makes sure the files a shell command refers to exist under
 * kx_tree_disk_root().  For every occurrence in 'cmd' of the disk root
 * followed by "/" and a relative path, extracts (git only) that path: a
 * file together with the other files of its directory (scripts call their
 * siblings, e.g. scripts/cc-version.sh runs scripts/min-tool-version.sh),
 * or a directory's files (non-recursively).  File modes are kept
 * (executable scripts stay executable).  A no-op for directory trees.
 * Returns 0 or a negative KX_E* code.
 */
int kx_tree_materialize(struct kx_tree *t, const char *cmd);

/* Text of the last error on this tree (libgit2's message), or "". */
const char *kx_tree_last_error(const struct kx_tree *t);

#endif /* KX_TREE_H */
