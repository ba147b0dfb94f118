// SPDX-License-Identifier: MIT
/*
 * tree.c - read a kernel source tree from a directory or from a git commit.
 *
 * Both back ends sit behind struct kx_tree (see tree.h for the contract).
 *
 * Paths.  Every public entry point first normalises its path lexically
 * (norm_path): empty and "." components are dropped, ".." removes the
 * previous component, and a ".." with nothing left to remove, or an
 * absolute path, is KX_EINVAL.  The back ends only ever see clean paths
 * such as "" (the top) or "arch/x86/Kconfig".
 *
 * Directory back end.  The tree keeps an open descriptor of the top
 * directory and uses openat()/fstatat() relative to it, so the current
 * directory does not matter.  Symbolic links are followed by the kernel as
 * usual (a link pointing outside the tree is not policed: the directory is
 * trusted like the kernel's own srctree).  Only regular files can be read.
 *
 * Git back end (libgit2).  The repository is found like git finds it: the
 * path may be a work tree (or a directory inside one: parents are searched,
 * stopping at file system boundaries), its .git, or a bare repository;
 * tree paths are always relative to the top of the repository.  Each open
 * tree holds one git_libgit2_init() reference, dropped by kx_tree_free().
 * The tree keeps the repository, the commit that 'rev' resolved to, and a
 * cache of directories: a hash map from a clean directory path to the
 * git_tree object it resolves to (struct gdir).  A
 * lookup of "arch/x86/Kconfig" finds "arch/x86" in the map (after the first
 * time) and searches only that tree object, so loading ~1,700 Kconfig files
 * costs one map lookup, one binary search and one blob read each.  Nothing
 * is checked out; blobs are read straight from the object database, so the
 * bytes are exactly what `git show REV:PATH` prints.
 *
 * Symbolic links inside a commit are followed the way a file system would:
 * the link's target is resolved relative to the directory holding the
 * link, ".." in a target goes to the physical parent, and at most
 * MAX_LINKS links are followed per lookup (Linux's limit, then ELOOP).  A
 * target that is absolute or climbs above the top cannot be read from the
 * commit and is reported as KX_ENOTFOUND.  Submodule entries (gitlinks)
 * are not followed either.
 *
 * Disk mirror.  Shell probes need real files, so a git tree has a cache
 * directory per commit ($XDG_CACHE_HOME/kxen-config/git/<commit>) and
 * kx_tree_materialize() extracts the files a command names into it.  Files
 * are written atomically (temporary file + rename) and skipped when already
 * present with the right size, so concurrent processes and later runs share
 * the directory safely.
 *
 * Errors.  Every failure stores a message in the tree (kx_tree_last_error);
 * libgit2's own message is kept in it.  When kx_tree_open_dir() or
 * kx_tree_open_git() fail they still hand back a tree in a "failed" state
 * (unless memory ran out) whose only use is kx_tree_last_error(); the
 * caller frees it with kx_tree_free() either way.
 */
#include "parser/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dlfcn.h>
#include <git2.h>

#include "util/util.h"

/*
 * libgit2 is loaded with dlopen when the first git tree is opened, not
 * linked: a run on a directory, the common case, then maps none of libgit2
 * and the ~15 libraries it pulls in (3 MB of resident memory and about
 * 2 ms of dynamic linking on every run).  Each function used here is a
 * pointer in 'git2', of the type libgit2's header declares; the macros
 * after git2_load() make the code below read as plain libgit2 calls.
 */
#ifndef KX_GIT2_SONAME
#define KX_GIT2_SONAME "libgit2.so"
#endif
#define KX_GIT2_FUNCS(X) \
	X(git_libgit2_init) X(git_libgit2_shutdown) X(git_error_last) \
	X(git_repository_open_ext) X(git_repository_free) X(git_revparse_single) \
	X(git_object_peel) X(git_object_free) X(git_oid_tostr) \
	X(git_commit_id) X(git_commit_tree) X(git_commit_free) \
	X(git_tree_lookup) X(git_tree_dup) X(git_tree_free) X(git_tree_entrycount) \
	X(git_tree_entry_byname) X(git_tree_entry_byindex) X(git_tree_entry_name) \
	X(git_tree_entry_id) X(git_tree_entry_filemode) \
	X(git_blob_lookup) X(git_blob_rawsize) X(git_blob_rawcontent) X(git_blob_free)

static struct {
#define X(f) __typeof__(&f) f;
	KX_GIT2_FUNCS(X)
#undef X
} git2;

/* NULL when libgit2 is ready, else why not (a static message). */
static const char *git2_load(void)
{
	static bool loaded;
	static char why[512];
	void *h, *sym;

	if (loaded)
		return NULL;
	h = dlopen(KX_GIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "cannot load libgit2: %s", dlerror());
		return why;
	}
#define X(f)								\
	sym = dlsym(h, #f);						\
	if (!sym) {							\
		snprintf(why, sizeof(why), "%s has no %s", KX_GIT2_SONAME, #f); \
		return why;						\
	}								\
	memcpy(&git2.f, &sym, sizeof(sym));
	KX_GIT2_FUNCS(X)
#undef X
	loaded = true;
	return NULL;
}

#define git_libgit2_init git2.git_libgit2_init
#define git_libgit2_shutdown git2.git_libgit2_shutdown
#define git_error_last git2.git_error_last
#define git_repository_open_ext git2.git_repository_open_ext
#define git_repository_free git2.git_repository_free
#define git_revparse_single git2.git_revparse_single
#define git_object_peel git2.git_object_peel
#define git_object_free git2.git_object_free
#define git_oid_tostr git2.git_oid_tostr
#define git_commit_id git2.git_commit_id
#define git_commit_tree git2.git_commit_tree
#define git_commit_free git2.git_commit_free
#define git_tree_lookup git2.git_tree_lookup
#define git_tree_dup git2.git_tree_dup
#define git_tree_free git2.git_tree_free
#define git_tree_entrycount git2.git_tree_entrycount
#define git_tree_entry_byname git2.git_tree_entry_byname
#define git_tree_entry_byindex git2.git_tree_entry_byindex
#define git_tree_entry_name git2.git_tree_entry_name
#define git_tree_entry_id git2.git_tree_entry_id
#define git_tree_entry_filemode git2.git_tree_entry_filemode
#define git_blob_lookup git2.git_blob_lookup
#define git_blob_rawsize git2.git_blob_rawsize
#define git_blob_rawcontent git2.git_blob_rawcontent
#define git_blob_free git2.git_blob_free

/* Symbolic links followed per lookup before giving up (Linux: 40). */
#define MAX_LINKS 40

/* ---- data structures ------------------------------------------------- */

/* One directory of a git commit, cached under the clean path that reached
 * it ("" = top) in kx_tree.dirs. */
struct gdir {
	char *canon;		/* the same directory, symlink-free */
	git_tree *tree;		/* owned handle */
	bool extracted;		/* its files are in the disk mirror */
};

/* What a path resolved to in a git commit. */
struct gobj {
	enum kx_tree_ftype type;	/* KX_FT_FILE or KX_FT_DIR */
	git_oid oid;			/* the blob (files) */
	git_filemode_t mode;		/* GIT_FILEMODE_BLOB(_EXECUTABLE) */
	struct gdir *dir;		/* the directory (directories) */
};

struct kx_tree {
	enum kx_tree_kind kind;
	bool failed;		/* open failed: only last_error is valid */
	char *describe;
	char *disk_root;	/* dir: realpath; git: NULL until first asked */
	struct kx_buf err;	/* last error message */

	/* directory back end */
	int root_fd;		/* the top directory, or -1 */

	/* git back end */
	bool git_inited;	/* we hold a git_libgit2_init() reference */
	git_repository *repo;
	git_commit *commit;
	char commit_id[GIT_OID_HEXSZ + 1];
	struct kx_map dirs;	/* clean directory path -> struct gdir */
};

/* ---- small helpers ----------------------------------------------------- */

static void set_err(struct kx_tree *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct kx_tree *t, const char *fmt, ...)
{
	va_list ap;

	kx_buf_reset(&t->err);
	va_start(ap, fmt);
	kx_buf_vprintf(&t->err, fmt, ap);
	va_end(ap);
}

/* Records "WHAT: <libgit2's message>" as the tree's last error. */
static void set_git_err(struct kx_tree *t, const char *what)
{
	const git_error *ge = git_error_last();

	set_err(t, "%s: %s", what, ge && ge->message ? ge->message :
		"unknown libgit2 error");
}

/* Maps an errno value from open()/stat() to a KX_E* code. */
static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
		return KX_ENOTFOUND;
	case ENOMEM:
		return KX_ENOMEM;
	default:
		return KX_EIO;
	}
}

/* Records "WHAT: <strerror(errno)>"; returns errno's KX_E* code. */
static int sys_err(struct kx_tree *t, const char *what)
{
	int e = errno;

	set_err(t, "%s: %s", *what ? what : ".", strerror(e));
	return errno_code(e);
}

/* "dir/name", or "name" when dir is "" (clean paths only).  Caller frees. */
static char *join(const char *dir, const char *name)
{
	return *dir ? kx_xasprintf("%s/%s", dir, name) : kx_xstrdup(name);
}

/*
 * Normalises a tree-relative path lexically (see the file comment).
 * Returns 0 with *out a malloc'd clean path ("" for the top), or KX_EINVAL
 * (NULL, absolute, or leaving the tree).  *dir_only (may be NULL) tells
 * whether the path ended in "/" and so can only name a directory.
 */
static int norm_path(char **out, bool *dir_only, const char *path)
{
	struct kx_buf b = KX_BUF_INIT;
	const char *p = path, *end;
	size_t n;

	*out = NULL;
	if (!path || path[0] == '/')
		return KX_EINVAL;
	if (dir_only) {
		n = strlen(path);
		*dir_only = n > 0 && path[n - 1] == '/';
	}
	kx_buf_puts(&b, "");
	while (*p) {
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (b.len == 0) {
				kx_buf_free(&b);
				return KX_EINVAL;
			}
			slash = strrchr(b.s, '/');
			b.len = slash ? (size_t)(slash - b.s) : 0;
			b.s[b.len] = '\0';
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len)
				kx_buf_putc(&b, '/');
			kx_buf_add(&b, p, n);
		}
		p = *end ? end + 1 : end;
	}
	*out = kx_buf_detach(&b);
	return 0;
}

/* Splits a clean path into a malloc'd parent ("" for the top) and a
 * pointer to its last component inside 'path'. */
static char *split_parent(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*name = path;
		return kx_xstrdup("");
	}
	*name = slash + 1;
	return kx_xstrndup(path, (size_t)(slash - path));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the directory cache of git trees ----------------------------------- */

static void dirmap_free(struct kx_map *m)
{
	void *v;

	for (size_t i = 0; kx_map_next(m, &i, &v);) {
		struct gdir *g = v;

		git_tree_free(g->tree);
		free(g->canon);
		free(g);
	}
	kx_map_free(m);
}

/* Caches 'tree' (ownership taken) as directory 'key' whose symlink-free
 * path is 'canon'; returns the new entry. */
static struct gdir *dirmap_add(struct kx_map *m, const char *key,
			       const char *canon, git_tree *tree)
{
	struct gdir *g = kx_xcalloc(1, sizeof(*g));

	g->canon = kx_xstrdup(canon);
	g->tree = tree;
	kx_map_sets(m, key, g);		/* a new key: nothing is replaced */
	return g;
}

/* ---- git path resolution -------------------------------------------- */

static int git_dir(struct kx_tree *t, const char *path, int *nlinks,
		   struct gdir **out);
static int git_entry(struct kx_tree *t, struct gdir *pd, const char *name,
		     int *nlinks, struct gobj *out);

/* Reports that symlink 'e' in 'pd' leaves the commit; returns the code. */
static int link_outside(struct kx_tree *t, const struct gdir *pd,
			const git_tree_entry *e, const char *target)
{
	set_err(t, "%s%s%s -> %s: link points outside the tree", pd->canon,
		*pd->canon ? "/" : "", git_tree_entry_name(e), target);
	return KX_ENOTFOUND;
}

/*
 * Follows the symlink entry 'e' found in directory 'pd': reads its target
 * and resolves it relative to pd, component by component, so that ".."
 * always means the physical parent.  Returns 0 with *out filled, or
 * KX_ENOTFOUND / KX_EGIT.
 */
static int git_follow(struct kx_tree *t, struct gdir *pd,
		      const git_tree_entry *e, int *nlinks, struct gobj *out)
{
	git_blob *blob = NULL;
	char *target = NULL, *base = NULL, *comp = NULL, *next, *slash;
	const char *p, *end;
	struct gdir *cur = pd;
	bool last;
	int err = 0;

	if (++*nlinks > MAX_LINKS) {
		set_err(t, "%s%s%s: too many levels of symbolic links",
			pd->canon, *pd->canon ? "/" : "",
			git_tree_entry_name(e));
		err = KX_ENOTFOUND;
		goto out;
	}
	if (git_blob_lookup(&blob, t->repo, git_tree_entry_id(e)) < 0) {
		set_git_err(t, "reading symbolic link");
		err = KX_EGIT;
		goto out;
	}
	target = kx_xstrndup(git_blob_rawcontent(blob),
			     (size_t)git_blob_rawsize(blob));
	if (!*target || target[0] == '/') {
		err = link_outside(t, pd, e, target);
		goto out;
	}

	/* walk the target; 'base' stays the symlink-free current directory */
	base = kx_xstrdup(pd->canon);
	for (p = target; ; p = end + 1) {
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		free(comp);
		comp = kx_xstrndup(p, (size_t)(end - p));
		last = !*end;
		if (strcmp(comp, "..") == 0) {
			if (!*base) {
				err = link_outside(t, pd, e, target);
				goto out;
			}
			slash = strrchr(base, '/');
			*(slash ? slash : base) = '\0';
		} else if (*comp && strcmp(comp, ".") != 0) {
			if (last) {
				/* the final component may be anything */
				err = git_dir(t, base, nlinks, &cur);
				if (!err)
					err = git_entry(t, cur, comp, nlinks,
							out);
				goto out;
			}
			next = join(base, comp);
			err = git_dir(t, next, nlinks, &cur);
			free(next);
			if (err)
				goto out;
			free(base);
			base = kx_xstrdup(cur->canon);
		}
		if (last)
			break;
	}
	/* the target ended in "/", "." or "..": it names directory 'base' */
	err = git_dir(t, base, nlinks, &cur);
	if (!err) {
		memset(out, 0, sizeof(*out));
		out->type = KX_FT_DIR;
		out->dir = cur;
	}
out:
	free(comp);
	free(base);
	free(target);
	git_blob_free(blob);
	return err;
}

/*
 * Resolves 'name' inside directory 'pd' (following a final symlink).
 * Returns 0 with *out filled, or KX_ENOTFOUND / KX_EGIT.
 */
static int git_entry(struct kx_tree *t, struct gdir *pd, const char *name,
		     int *nlinks, struct gobj *out)
{
	const git_tree_entry *e = git_tree_entry_byname(pd->tree, name);
	char *path = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!e) {
		set_err(t, "%s%s%s: no such file or directory in %s",
			pd->canon, *pd->canon ? "/" : "", name, t->commit_id);
		return KX_ENOTFOUND;
	}
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		path = join(pd->canon, name);
		err = git_dir(t, path, nlinks, &out->dir);
		out->type = KX_FT_DIR;
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		out->type = KX_FT_FILE;
		out->oid = *git_tree_entry_id(e);
		out->mode = git_tree_entry_filemode(e);
		break;
	case GIT_FILEMODE_LINK:
		err = git_follow(t, pd, e, nlinks, out);
		break;
	default:		/* a submodule: not part of this commit */
		set_err(t, "%s%s%s: is a submodule", pd->canon,
			*pd->canon ? "/" : "", name);
		err = KX_ENOTFOUND;
		break;
	}
	free(path);
	return err;
}

/*
 * Finds directory 'path' (clean) of the commit, loading and caching the
 * tree objects on the way.  Returns 0 with *out pointing into the cache,
 * or KX_ENOTFOUND (missing, or not a directory) / KX_EGIT.
 */
static int git_dir(struct kx_tree *t, const char *path, int *nlinks,
		   struct gdir **out)
{
	struct gdir *pd = NULL, *g = kx_map_gets(&t->dirs, path);
	const git_tree_entry *e;
	const char *name;
	char *parent = NULL, *canon = NULL;
	git_tree *tree = NULL;
	struct gobj obj;
	int err = 0;

	if (g) {		/* the top ("") is always cached */
		*out = g;
		return 0;
	}
	parent = split_parent(path, &name);
	err = git_dir(t, parent, nlinks, &pd);
	if (err)
		goto out;
	e = git_tree_entry_byname(pd->tree, name);
	if (!e) {
		set_err(t, "%s: no such directory in %s", path, t->commit_id);
		err = KX_ENOTFOUND;
		goto out;
	}
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		if (git_tree_lookup(&tree, t->repo, git_tree_entry_id(e)) < 0) {
			set_git_err(t, path);
			err = KX_EGIT;
			goto out;
		}
		canon = join(pd->canon, name);
		*out = dirmap_add(&t->dirs, path, canon, tree);
		break;
	case GIT_FILEMODE_LINK:
		err = git_follow(t, pd, e, nlinks, &obj);
		if (err)
			goto out;
		if (obj.type != KX_FT_DIR) {
			set_err(t, "%s: not a directory", path);
			err = KX_ENOTFOUND;
			goto out;
		}
		if (git_tree_dup(&tree, obj.dir->tree) < 0) {
			set_git_err(t, path);
			err = KX_EGIT;
			goto out;
		}
		*out = dirmap_add(&t->dirs, path, obj.dir->canon, tree);
		break;
	default:
		set_err(t, "%s: not a directory", path);
		err = KX_ENOTFOUND;
		break;
	}
out:
	free(parent);
	free(canon);
	return err;
}

/* Resolves clean path 'path' (following symlinks) to a file or directory.
 * Returns 0, KX_ENOTFOUND or KX_EGIT. */
static int git_resolve(struct kx_tree *t, const char *path, struct gobj *out)
{
	struct gdir *pd = NULL;
	const char *name;
	char *parent;
	int nlinks = 0, err;

	if (!*path) {
		memset(out, 0, sizeof(*out));
		out->type = KX_FT_DIR;
		return git_dir(t, "", &nlinks, &out->dir);
	}
	parent = split_parent(path, &name);
	err = git_dir(t, parent, &nlinks, &pd);
	if (!err)
		err = git_entry(t, pd, name, &nlinks, out);
	free(parent);
	return err;
}

/* Copies blob 'oid' into a malloc'd NUL-terminated buffer. */
static int git_read_blob(struct kx_tree *t, const git_oid *oid, char **data,
			 size_t *len)
{
	git_blob *blob = NULL;
	size_t n;
	char *buf;

	if (git_blob_lookup(&blob, t->repo, oid) < 0) {
		set_git_err(t, "reading blob");
		return KX_EGIT;
	}
	n = (size_t)git_blob_rawsize(blob);
	buf = malloc(n + 1);
	if (!buf) {
		git_blob_free(blob);
		set_err(t, "out of memory reading a %zu byte file", n);
		return KX_ENOMEM;
	}
	memcpy(buf, git_blob_rawcontent(blob), n);
	buf[n] = '\0';
	git_blob_free(blob);
	*data = buf;
	if (len)
		*len = n;
	return 0;
}

/* ---- opening and closing ---------------------------------------------- */

static struct kx_tree *tree_new(enum kx_tree_kind kind)
{
	struct kx_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kind = kind;
	t->root_fd = -1;
	kx_buf_init(&t->err);
	return t;
}

int kx_tree_open_dir(struct kx_tree **out, const char *dir)
{
	struct kx_tree *t = tree_new(KX_TREE_DIR);
	struct stat st;
	int err = 0;

	*out = t;
	if (!t)
		return KX_ENOMEM;
	t->describe = kx_xstrdup(dir ? dir : "(null)");
	if (!dir || !*dir) {
		set_err(t, "no directory given");
		err = KX_EINVAL;
		goto out;
	}
	t->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->root_fd < 0) {
		err = sys_err(t, dir);
		if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
			err = KX_EINVAL;	/* exists, but not a directory */
		goto out;
	}
	if (fstat(t->root_fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		set_err(t, "%s: not a directory", dir);
		err = KX_EINVAL;
		goto out;
	}
	t->disk_root = realpath(dir, NULL);
	if (!t->disk_root) {
		err = sys_err(t, dir);
		goto out;
	}
out:
	t->failed = err != 0;
	return err;
}

int kx_tree_open_git(struct kx_tree **out, const char *repo, const char *rev)
{
	struct kx_tree *t = tree_new(KX_TREE_GIT);
	git_object *obj = NULL, *peeled = NULL;
	git_tree *top = NULL;
	const char *spec = rev ? rev : "HEAD";
	int err = 0, gerr;

	*out = t;
	if (!t)
		return KX_ENOMEM;
	t->describe = kx_xasprintf("%s@%s", repo ? repo : "(null)", spec);
	if (!repo || !*repo) {
		set_err(t, "no repository given");
		err = KX_EINVAL;
		goto out;
	}
	{
		const char *why = git2_load();

		if (why) {
			set_err(t, "%s", why);
			t->failed = true;
			return KX_EGIT;
		}
	}
	if (git_libgit2_init() < 0) {
		set_git_err(t, "initialising libgit2");
		err = KX_EGIT;
		goto out;
	}
	t->git_inited = true;

	/* a work tree, its .git, or a bare repository; parents are searched
	 * as git itself does (stopping at file system boundaries) */
	gerr = git_repository_open_ext(&t->repo, repo, 0, NULL);
	if (gerr < 0) {
		set_git_err(t, repo);
		err = gerr == GIT_ENOTFOUND ? KX_ENOTFOUND : KX_EGIT;
		goto out;
	}
	gerr = git_revparse_single(&obj, t->repo, spec);
	if (gerr < 0) {
		set_git_err(t, spec);
		err = (gerr == GIT_ENOTFOUND || gerr == GIT_EAMBIGUOUS ||
		       gerr == GIT_EINVALIDSPEC || gerr == GIT_EUNBORNBRANCH) ?
			KX_ENOTFOUND : KX_EGIT;
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		set_git_err(t, spec);
		err = KX_ENOTFOUND;	/* e.g. a tag of a blob */
		goto out;
	}
	t->commit = (git_commit *)peeled;
	peeled = NULL;
	git_oid_tostr(t->commit_id, sizeof(t->commit_id),
		      git_commit_id(t->commit));
	if (git_commit_tree(&top, t->commit) < 0) {
		set_git_err(t, t->commit_id);
		err = KX_EGIT;
		goto out;
	}
	dirmap_add(&t->dirs, "", "", top);
	free(t->describe);
	t->describe = kx_xasprintf("%s@%s (%s)", repo, spec, t->commit_id);
out:
	git_object_free(obj);
	git_object_free(peeled);
	t->failed = err != 0;
	return err;
}

void kx_tree_free(struct kx_tree *t)
{
	if (!t)
		return;
	if (t->root_fd >= 0)
		close(t->root_fd);
	dirmap_free(&t->dirs);
	if (t->git_inited) {	/* libgit2 is loaded */
		git_commit_free(t->commit);
		git_repository_free(t->repo);
		git_libgit2_shutdown();
	}
	free(t->describe);
	free(t->disk_root);
	kx_buf_free(&t->err);
	free(t);
}

enum kx_tree_kind kx_tree_kind(const struct kx_tree *t)
{
	return t->kind;
}

const char *kx_tree_describe(const struct kx_tree *t)
{
	return t->describe;
}

const char *kx_tree_commit(const struct kx_tree *t)
{
	return t->kind == KX_TREE_GIT && !t->failed ? t->commit_id : NULL;
}

const char *kx_tree_last_error(const struct kx_tree *t)
{
	return t ? kx_buf_cstr(&t->err) : "";
}

/* Common entry checks: a usable tree and a clean path.  Returns 0 or
 * KX_EINVAL with the message set. */
static int prepare(struct kx_tree *t, const char *path, char **clean,
		   bool *dir_only)
{
	*clean = NULL;
	if (t->failed) {
		set_err(t, "%s: the tree could not be opened",
			t->describe);
		return KX_EINVAL;
	}
	if (norm_path(clean, dir_only, path) < 0) {
		set_err(t, "%s: path leaves the tree",
			path ? path : "(null)");
		return KX_EINVAL;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Directory back end of kx_tree_read(); 'path' is clean. */
static int dir_read(struct kx_tree *t, const char *path, char **data,
		    size_t *len)
{
	char *buf = NULL;
	size_t cap, n = 0;
	struct stat st;
	ssize_t r;
	int fd, err = 0;

	/* O_NONBLOCK: opening a FIFO must not hang (it is refused below) */
	fd = openat(t->root_fd, *path ? path : ".",
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return sys_err(t, path);
	if (fstat(fd, &st) < 0) {
		err = sys_err(t, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(t, "%s: not a regular file", *path ? path : ".");
		err = KX_ENOTFOUND;
		goto out;
	}
	cap = (size_t)st.st_size + 1;	/* +1 also detects a grown file */
	buf = malloc(cap + 1);
	if (!buf) {
		set_err(t, "%s: out of memory", path);
		err = KX_ENOMEM;
		goto out;
	}
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				set_err(t, "%s: out of memory", path);
				err = KX_ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(t, "%s: %s", path, strerror(errno));
			err = KX_EIO;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	buf = NULL;
	if (len)
		*len = n;
out:
	free(buf);
	close(fd);
	return err;
}

int kx_tree_read(struct kx_tree *t, const char *path, char **data, size_t *len)
{
	struct gobj obj;
	char *clean = NULL;
	bool dir_only;
	int err;

	*data = NULL;
	if (len)
		*len = 0;
	err = prepare(t, path, &clean, &dir_only);
	if (err)
		goto out;
	if (dir_only) {
		set_err(t, "%s: is a directory", path);
		err = KX_ENOTFOUND;
		goto out;
	}
	if (t->kind == KX_TREE_DIR) {
		err = dir_read(t, clean, data, len);
		goto out;
	}
	err = git_resolve(t, clean, &obj);
	if (err)
		goto out;
	if (obj.type != KX_FT_FILE) {
		set_err(t, "%s: is a directory", *clean ? clean : ".");
		err = KX_ENOTFOUND;
		goto out;
	}
	err = git_read_blob(t, &obj.oid, data, len);
out:
	free(clean);
	return err;
}

int kx_tree_stat(struct kx_tree *t, const char *path)
{
	int type = KX_FT_NONE;
	struct gobj obj;
	struct stat st;
	char *clean = NULL;
	bool dir_only;

	if (prepare(t, path, &clean, &dir_only) < 0)
		goto out;
	if (t->kind == KX_TREE_DIR) {
		if (fstatat(t->root_fd, *clean ? clean : ".", &st, 0) < 0)
			set_err(t, "%s: %s", clean, strerror(errno));
		else if (S_ISREG(st.st_mode))
			type = KX_FT_FILE;
		else if (S_ISDIR(st.st_mode))
			type = KX_FT_DIR;
	} else if (git_resolve(t, clean, &obj) == 0) {
		type = obj.type;
	}
	if (dir_only && type == KX_FT_FILE)
		type = KX_FT_NONE;
out:
	free(clean);
	return type;
}

/* ---- listing ------------------------------------------------------------ */

/* Directory back end of kx_tree_list(): names into 'v' (unsorted). */
static int dir_list(struct kx_tree *t, const char *path, char ***v, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, err;

	fd = openat(t->root_fd, *path ? path : ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sys_err(t, path);
	d = fdopendir(fd);
	if (!d) {
		err = sys_err(t, path);
		close(fd);
		return err;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*v = kx_xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[(*n)++] = kx_xstrdup(de->d_name);
	}
	closedir(d);
	return 0;
}

int kx_tree_list(struct kx_tree *t, const char *path, char ***names, size_t *n)
{
	struct gobj obj;
	char **v = NULL;
	char *clean = NULL;
	size_t i, count = 0;
	int err;

	*names = NULL;
	*n = 0;
	err = prepare(t, path, &clean, NULL);
	if (err)
		goto out;
	if (t->kind == KX_TREE_DIR) {
		err = dir_list(t, clean, &v, &count);
	} else {
		err = git_resolve(t, clean, &obj);
		if (!err && obj.type != KX_FT_DIR) {
			set_err(t, "%s: not a directory", clean);
			err = KX_ENOTFOUND;
		}
		if (!err) {
			git_tree *tree = obj.dir->tree;

			count = git_tree_entrycount(tree);
			v = kx_xcalloc(count ? count : 1, sizeof(*v));
			for (i = 0; i < count; i++)
				v[i] = kx_xstrdup(git_tree_entry_name(
					git_tree_entry_byindex(tree, i)));
		}
	}
	if (err) {
		kx_tree_list_free(v, count);
		goto out;
	}
	/* git orders "a.c" < "a" (as "a/") < "a0": resort both the same way */
	if (count)
		qsort(v, count, sizeof(*v), cmp_names);
	*names = v;
	*n = count;
out:
	free(clean);
	return err;
}

void kx_tree_list_free(char **names, size_t n)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- the disk mirror ---------------------------------------------------- */

const char *kx_tree_disk_root(struct kx_tree *t)
{
	char *base, *dir, *real;

	if (t->disk_root || t->failed)
		return t->disk_root;
	base = kx_cache_home();
	if (!base) {
		set_err(t, "no cache directory: XDG_CACHE_HOME and HOME unset");
		return NULL;
	}
	dir = kx_xasprintf("%s/kxen-config/git/%s", base, t->commit_id);
	free(base);
	if (kx_mkdir_p(dir, 0755) < 0) {
		/* keep the path: kx_tree_materialize() reports the failure */
		set_err(t, "%s: %s", dir, strerror(errno));
		t->disk_root = dir;
		return dir;
	}
	real = realpath(dir, NULL);
	if (real) {
		free(dir);
		dir = real;
	}
	t->disk_root = dir;
	return dir;
}

/* write(2) until done; returns 0 or -1 with errno set. */
static int write_all(int fd, const char *p, size_t left)
{
	ssize_t r;

	while (left) {
		r = write(fd, p, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		left -= (size_t)r;
	}
	return 0;
}

/* Records errno's message for 'dest', removes 'tmp'; returns KX_EIO. */
static int tmp_failed(struct kx_tree *t, const char *dest, const char *tmp)
{
	set_err(t, "%s: %s", dest, strerror(errno));
	unlink(tmp);
	return KX_EIO;
}

/* Writes blob 'oid' to 'dest' unless a file of that size is already there
 * (then only its mode is fixed).  Atomic: temporary file + rename. */
static int write_blob(struct kx_tree *t, const char *dest, const git_oid *oid,
		      git_filemode_t gmode)
{
	mode_t mode = gmode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
	git_blob *blob = NULL;
	char *tmp = NULL;
	struct stat st;
	size_t size;
	int fd = -1, r, err = 0;

	if (git_blob_lookup(&blob, t->repo, oid) < 0) {
		set_git_err(t, dest);
		return KX_EGIT;
	}
	size = (size_t)git_blob_rawsize(blob);
	if (lstat(dest, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == size) {
		if ((st.st_mode & 07777) != mode && chmod(dest, mode) < 0) {
			set_err(t, "%s: %s", dest, strerror(errno));
			err = KX_EIO;
		}
		goto out;
	}
	tmp = kx_xasprintf("%s.kxtmp.XXXXXX", dest);
	fd = mkstemp(tmp);
	if (fd < 0) {
		set_err(t, "%s: %s", tmp, strerror(errno));
		err = KX_EIO;
		goto out;
	}
	if (write_all(fd, git_blob_rawcontent(blob), size) < 0 ||
	    fchmod(fd, mode) < 0) {
		err = tmp_failed(t, dest, tmp);
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r < 0 || rename(tmp, dest) < 0)
		err = tmp_failed(t, dest, tmp);
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	git_blob_free(blob);
	return err;
}

/* Extracts the files (not subdirectories) of clean directory 'path' into
 * the disk mirror.  Symlinks to files become copies of their target. */
static int extract_dir(struct kx_tree *t, const char *path)
{
	struct gdir *g = NULL;
	char *dir = NULL, *dest = NULL;
	size_t i, count;
	int nlinks = 0, err;

	err = git_dir(t, path, &nlinks, &g);
	if (err || g->extracted)
		return err;
	dir = *path ? kx_xasprintf("%s/%s", t->disk_root, path) :
		      kx_xstrdup(t->disk_root);
	if (kx_mkdir_p(dir, 0755) < 0) {
		set_err(t, "%s: %s", dir, strerror(errno));
		err = KX_EIO;
		goto out;
	}
	count = git_tree_entrycount(g->tree);
	for (i = 0; i < count && !err; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(g->tree, i);
		const char *name = git_tree_entry_name(e);
		struct gobj obj = { 0 };

		switch (git_tree_entry_filemode(e)) {
		case GIT_FILEMODE_BLOB:
		case GIT_FILEMODE_BLOB_EXECUTABLE:
			obj.type = KX_FT_FILE;
			obj.oid = *git_tree_entry_id(e);
			obj.mode = git_tree_entry_filemode(e);
			break;
		case GIT_FILEMODE_LINK:
			nlinks = 0;
			if (git_entry(t, g, name, &nlinks, &obj) < 0)
				obj.type = KX_FT_NONE;	/* dangling */
			break;
		default:
			break;
		}
		if (obj.type != KX_FT_FILE)
			continue;
		dest = kx_xasprintf("%s/%s", dir, name);
		err = write_blob(t, dest, &obj.oid, obj.mode);
		free(dest);
		dest = NULL;
	}
	if (!err)
		g->extracted = true;
out:
	free(dir);
	return err;
}

/* True for the characters that end a path in a shell command. */
static bool ends_path(char c)
{
	return c == '\0' || strchr(" \t\n\r\v\f'\";|&<>()$`", c) != NULL;
}

/* Extracts what 'rel' (as written in a command) names; see tree.h. */
static int materialize_path(struct kx_tree *t, const char *rel)
{
	struct gobj obj;
	char *clean = NULL, *parent = NULL;
	const char *name;
	int err = 0;

	/* outside the tree or absent: the command will fail on its own,
	 * exactly as it would in a checked-out tree */
	if (norm_path(&clean, NULL, rel) < 0)
		goto out;
	if (git_resolve(t, clean, &obj) < 0)
		goto out;
	if (obj.type == KX_FT_DIR) {
		err = extract_dir(t, clean);
	} else {
		parent = split_parent(clean, &name);
		err = extract_dir(t, parent);
	}
out:
	free(parent);
	free(clean);
	return err;
}

int kx_tree_materialize(struct kx_tree *t, const char *cmd)
{
	const char *root, *p, *q;
	char *prefix = NULL, *rel;
	size_t plen;
	int err = 0;

	if (t->failed) {
		set_err(t, "%s: the tree could not be opened", t->describe);
		return KX_EINVAL;
	}
	if (t->kind == KX_TREE_DIR || !cmd)
		return 0;
	root = kx_tree_disk_root(t);
	if (!root)
		return KX_EIO;
	prefix = kx_xasprintf("%s/", root);
	plen = strlen(prefix);
	for (p = strstr(cmd, prefix); p && !err; p = strstr(q, prefix)) {
		p += plen;
		for (q = p; !ends_path(*q); q++)
			;
		rel = kx_xstrndup(p, (size_t)(q - p));
		err = materialize_path(t, rel);
		free(rel);
	}
	free(prefix);
	return err;
}
