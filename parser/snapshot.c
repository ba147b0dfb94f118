// SPDX-License-Identifier: MIT
/*
 * snapshot.c - the model cache (see snapshot.h).
 *
 * The inputs of a load, and how each is checked:
 *   - this program: the size, mtime and inode of /proc/self/exe and of the
 *     file it was started as, so that a rebuilt kxen-config never reads a
 *     snapshot an older one wrote;
 *   - the tree: a directory's absolute path, or a git commit id;
 *   - the options: top Kconfig file, semantics (kernel release), strict,
 *     no_help; KERNELVERSION, ARCH and SRCARCH;
 *     all of the above make up the key, whose hash names the file and
 *     which the file repeats in full (a hash collision is then a miss);
 *   - every Kconfig file read (directory trees; a commit never changes):
 *     size, mtime, ctime, inode and device, as make judges files, plus the
 *     ctime that no tar or touch can set back;
 *   - every environment variable the Kconfig files referenced: the same
 *     value, and those looked up while unset are still unset;
 *   - every $(shell,...) answer: the probe runner must give the same
 *     answer without running anything (its memo, replay file or cache,
 *     whose own key covers the compiler, PATH and flags); otherwise the
 *     probe would run, and only a full load may run it.
 * The model is a deterministic function of these, so equal inputs give an
 * equal model.  kx_snapshot_load checks all of them before it prints or
 * builds anything.  kx_kconfig_load writes a snapshot after a full load in
 * which no probe had to run (all came from the probe cache): a load that
 * ran probes is in a new environment (a fresh working directory, another
 * compiler) that may not come back, and the next load there writes it.
 *
 * The file (native byte order and word size; it never leaves this
 * machine) is a sequence of 32-bit words: a header with the key, a blob of
 * NUL-terminated strings (referenced as offset + 1, 0 for NULL), the
 * inputs, then the model: expressions in post order (children first, so
 * they are rebuilt through the hash-consing constructors), symbols,
 * menus, properties and dependency lines, all referring to each other by
 * index.  Every index and offset is bounds-checked when read and the whole
 * file is checksummed: a damaged file is a miss, never a crash.  The
 * checksum is no defence against someone who can write the cache directory
 * (and so rewrite a file and its checksum), and the model is not checked
 * again for what a parse rejects (dependency loops, depth limits): the
 * cache directory is trusted like the probe cache, whose answers become
 * Kconfig text.  Files owned by another user are ignored.  Files are written to a temporary name
 * and renamed, and at most KX_MODEL_CACHE_MAX (default 16) are kept: the
 * least recently written go first.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser/env.h"
#include "parser/parse_internal.h"
#include "parser/preprocess.h"
#include "parser/shell.h"
#include "parser/snapshot.h"
#include "parser/tree.h"

#define SNAP_MAGIC 0x4e53584bU		/* "KXSN" */
#define SNAP_VERSION 3U
#define SNAP_BOM 0x01020304U
#define SNAP_END 0x4e45584bU		/* "KXEN" */

/* sym references: 0 NULL, then the three constants, then kc->syms[] */
enum { SREF_NULL, SREF_YES, SREF_MOD, SREF_NO, SREF_FIRST };

/* ---- the key ------------------------------------------------------------ */

static int make_key(struct kx_buf *key, struct kx_tree *tree,
		    const struct kx_load_opts *o, const char *top,
		    const struct kx_semantics *sem)
{
	struct stat st;
	const char *kv = kx_env_get(o->env, "KERNELVERSION");
	const char *arch = kx_env_get(o->env, "ARCH");
	const char *srcarch = kx_env_get(o->env, "SRCARCH");

	/*
	 * The program: /proc/self/exe, and the file it was started as
	 * (AT_EXECFN), which differs under valgrind (whose tool is
	 * /proc/self/exe then)
	 */
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	kx_buf_printf(key, "kxen-config model %u\n", SNAP_VERSION);
	for (int i = 0; i < 2; i++) {
		const char *exe = i ? execfn : "/proc/self/exe";

		if (!exe || stat(exe, &st) < 0) {
			if (!i)
				return KX_EIO;
			continue;
		}
		kx_buf_printf(key, "exe %lld %lld.%09ld %llu\n", (long long)st.st_size,
			      (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
			      (unsigned long long)st.st_ino);
	}
	if (kx_tree_kind(tree) == KX_TREE_GIT)
		kx_buf_printf(key, "git %s\n", kx_tree_commit(tree));
	else
		kx_buf_printf(key, "dir %s\n", kx_tree_disk_root(tree));
	kx_buf_printf(key, "top %s\nsem %d %llx\n", top, sem->version,
		      (unsigned long long)sem->rules);
	kx_buf_printf(key, "strict %d help %d\nKERNELVERSION %s\nARCH %s\nSRCARCH %s\n",
		      o->strict, !o->no_help, kv ? kv : "", arch ? arch : "",
		      srcarch ? srcarch : "");
	return 0;
}

static char *snap_path(const char *dir, const struct kx_buf *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < key->len; i++) {
		h ^= (unsigned char)key->s[i];
		h *= 0x100000001b3ULL;
	}
	return kx_xasprintf("%s/%016llx.kxm", dir, (unsigned long long)h);
}

/* identity of a file, as make (and a little more) judges it */
struct fid {
	uint64_t v[7];
};

static int file_id(const char *root, const char *path, struct fid *f)
{
	struct stat st;
	char *full = path[0] == '/' ? kx_xstrdup(path)
				    : kx_xasprintf("%s/%s", root, path);
	int r = stat(full, &st);

	free(full);
	if (r < 0)
		return KX_ENOTFOUND;
	f->v[0] = (uint64_t)st.st_size;
	f->v[1] = (uint64_t)st.st_mtim.tv_sec;
	f->v[2] = (uint64_t)st.st_mtim.tv_nsec;
	f->v[3] = (uint64_t)st.st_ctim.tv_sec;
	f->v[4] = (uint64_t)st.st_ctim.tv_nsec;
	f->v[5] = (uint64_t)st.st_ino;
	f->v[6] = (uint64_t)st.st_dev;
	return 0;
}

/*
 * A checksum of the file (all bytes before the trailer): a damaged file is
 * a miss.  Four FNV-style lanes over 64-bit words, 32 bytes a step (about
 * 0.5 ms for 7 MB); the bytes of a last partial block go in one by one.
 */
struct csum {
	uint64_t lane[4];
	unsigned char pend[32];
	size_t npend;
	uint64_t total;
};

#define CSUM_P 0x100000001b3ULL

static void csum_block(struct csum *c, const unsigned char *p)
{
	for (int i = 0; i < 4; i++) {
		uint64_t w;

		memcpy(&w, p + 8 * i, 8);
		c->lane[i] = (c->lane[i] ^ w) * CSUM_P + 0x9e3779b97f4a7c15ULL;
	}
}

static void csum_add(struct csum *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!len)
		return;		/* an empty part (its data may be NULL) */
	c->total += len;
	if (c->npend) {
		size_t k = 32 - c->npend < len ? 32 - c->npend : len;

		memcpy(c->pend + c->npend, p, k);
		c->npend += k;
		p += k;
		len -= k;
		if (c->npend < 32)
			return;
		csum_block(c, c->pend);
		c->npend = 0;
	}
	for (; len >= 32; p += 32, len -= 32)
		csum_block(c, p);
	memcpy(c->pend, p, len);
	c->npend = len;
}

static uint64_t csum_end(const struct csum *c)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ c->total;

	for (int i = 0; i < 4; i++)
		h = (h ^ c->lane[i]) * CSUM_P;
	for (size_t i = 0; i < c->npend; i++)
		h = (h ^ c->pend[i]) * CSUM_P;
	return h;
}

/* ---- writing ---------------------------------------------------------------- */

/* object address -> its index (> 0) in the file, on util's kx_map */
static uint32_t pmap_get(const struct kx_map *m, const void *k)
{
	return (uint32_t)(uintptr_t)kx_map_get(m, &k, sizeof(k));
}

static void pmap_set(struct kx_map *m, const void *k, uint32_t v)
{
	kx_map_set(m, &k, sizeof(k), (void *)(uintptr_t)v);
}

/* a growable list of objects of one kind, in index order */
struct olist {
	const void **v;
	size_t n, cap;
};

struct wr {
	const struct kx_kconfig *kc;
	struct kx_buf blob, exprs, syms, menus, props, deps, head;
	struct kx_map strs, objs;
	struct olist menul, propl, depl;
	size_t nexprs;
	bool bad;			/* something the format cannot hold */
};

static void put(struct kx_buf *b, uint32_t v)
{
	kx_buf_add(b, (const char *)&v, sizeof(v));
}

static void put64(struct kx_buf *b, uint64_t v)
{
	put(b, (uint32_t)v);
	put(b, (uint32_t)(v >> 32));
}

static uint32_t str_ref(struct wr *w, const char *s)
{
	uint32_t r;

	if (!s)
		return 0;
	r = pmap_get(&w->strs, s);
	if (!r) {
		r = (uint32_t)w->blob.len + 1;
		kx_buf_add(&w->blob, s, strlen(s) + 1);
		pmap_set(&w->strs, s, r);
	}
	return r;
}

static void put_str(struct kx_buf *b, struct wr *w, const char *s)
{
	put(b, str_ref(w, s));
}

static uint32_t sym_ref(struct wr *w, const struct kx_sym *s)
{
	const struct kx_kconfig *kc = w->kc;

	if (!s)
		return SREF_NULL;
	if (s == &kc->sym_yes)
		return SREF_YES;
	if (s == &kc->sym_mod)
		return SREF_MOD;
	if (s == &kc->sym_no)
		return SREF_NO;
	if (s->seq >= kc->nsyms || kc->syms[s->seq] != s) {
		w->bad = true;
		return SREF_NULL;
	}
	return SREF_FIRST + s->seq;
}

static bool expr_has_sym_operands(enum kx_expr_type t)
{
	return t != KX_E_OR && t != KX_E_AND && t != KX_E_NOT;
}

/* expression index + 1, writing it (children first) on first use */
static uint32_t expr_ref(struct wr *w, const struct kx_expr *e)
{
	uint32_t r, a, b;

	if (!e)
		return 0;
	r = pmap_get(&w->objs, e);
	if (r)
		return r;
	if (expr_has_sym_operands(e->type)) {
		a = sym_ref(w, e->left.sym);
		b = sym_ref(w, e->right.sym);
	} else {
		a = expr_ref(w, e->left.expr);
		b = expr_ref(w, e->right.expr);
	}
	put(&w->exprs, (uint32_t)e->type);
	put(&w->exprs, a);
	put(&w->exprs, b);
	r = (uint32_t)++w->nexprs;
	pmap_set(&w->objs, e, r);
	return r;
}

static uint32_t obj_ref(struct wr *w, struct olist *l, const void *p)
{
	uint32_t r;

	if (!p)
		return 0;
	r = pmap_get(&w->objs, p);
	if (!r) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 4096;
			l->v = kx_xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = p;
		r = (uint32_t)l->n;
		pmap_set(&w->objs, p, r);
	}
	return r;
}

#define MENU(w, m) obj_ref(w, &(w)->menul, m)
#define PROP(w, p) obj_ref(w, &(w)->propl, p)
#define DEP(w, d) obj_ref(w, &(w)->depl, d)

static void write_sym(struct wr *w, const struct kx_sym *s)
{
	struct kx_buf *b = &w->syms;

	put_str(b, w, s->name);
	put(b, (uint32_t)s->type);
	put(b, s->flags);
	put_str(b, w, s->curr.val);
	put(b, (uint32_t)s->curr.tri);
	for (int i = 0; i < KX_DEF_COUNT; i++) {
		put_str(b, w, s->def[i].val);
		put(b, (uint32_t)s->def[i].tri);
		put(b, sym_ref(w, s->choice_def[i]));
	}
	put(b, sym_ref(w, s->choice_curr));
	put(b, (uint32_t)s->visible);
	put(b, MENU(w, s->menus));
	put(b, PROP(w, s->prop));
	put(b, expr_ref(w, s->dir_dep));
	put(b, expr_ref(w, s->rev_dep));
	put(b, expr_ref(w, s->implied));
	put(b, (uint32_t)s->dir_dep_tri);
	put(b, (uint32_t)s->rev_dep_tri);
	put(b, (uint32_t)s->implied_tri);
	put(b, MENU(w, s->member_of));
	put(b, sym_ref(w, s->choice_sym));
	put(b, s->hash);
}

static void write_menu(struct wr *w, const struct kx_menu *m)
{
	struct kx_buf *b = &w->menus;

	put(b, MENU(w, m->next));
	put(b, MENU(w, m->parent));
	put(b, MENU(w, m->list));
	put(b, MENU(w, m->lexical_parent));
	put(b, sym_ref(w, m->sym));
	put(b, PROP(w, m->prompt));
	put(b, expr_ref(w, m->visibility));
	put(b, expr_ref(w, m->dep));
	put(b, expr_ref(w, m->dep_written));
	put(b, DEP(w, m->deps));
	put(b, m->flags);
	put_str(b, w, m->help);
	put_str(b, w, m->file);
	put(b, (uint32_t)m->line);
	put(b, m->is_if);
	put(b, MENU(w, m->sym_next));
	put(b, (uint32_t)m->nmembers);
	for (size_t i = 0; i < m->nmembers; i++)
		put(b, sym_ref(w, m->members[i]));
	put(b, (uint32_t)m->nprio);
	for (size_t i = 0; i < m->nprio; i++)
		put(b, sym_ref(w, m->prio[i]));
}

static void write_prop(struct wr *w, const struct kx_prop *p)
{
	struct kx_buf *b = &w->props;

	put(b, PROP(w, p->next));
	put(b, (uint32_t)p->type);
	put_str(b, w, p->text);
	put(b, expr_ref(w, p->expr));
	put(b, expr_ref(w, p->cond));
	put(b, expr_ref(w, p->visible));
	put(b, (uint32_t)p->visible_tri);
	put(b, MENU(w, p->menu));
	put_str(b, w, p->file);
	put(b, (uint32_t)p->line);
}

static void write_dep(struct wr *w, const struct kx_dep *d)
{
	put(&w->deps, DEP(w, d->next));
	put(&w->deps, expr_ref(w, d->expr));
	put(&w->deps, (uint32_t)d->line);
}

/* the inputs to check, and what the load printed */
static void write_inputs(struct wr *w, struct kx_tree *tree,
			 const struct kx_load_opts *o,
			 const struct kx_snapshot_inputs *in)
{
	const struct kx_kconfig *kc = w->kc;
	struct kx_buf *b = &w->head;
	size_t n, i;

	if (kx_tree_kind(tree) == KX_TREE_GIT) {
		put(b, 0);
	} else {
		put(b, (uint32_t)kc->nfiles);
		for (i = 0; i < kc->nfiles; i++) {
			struct fid f = { { 0 } };

			if (file_id(kx_tree_disk_root(tree), kc->files[i], &f) < 0)
				w->bad = true;
			put_str(b, w, kc->files[i]);
			for (int k = 0; k < 7; k++)
				put64(b, f.v[k]);
		}
	}
	/* the variables referenced: the load recorded them in kc (for
	 * auto.conf.cmd); the reader takes kc's list from here too */
	put(b, (uint32_t)kc->nenv);
	for (i = 0; i < kc->nenv; i++) {
		put_str(b, w, kc->env_names[i]);
		put_str(b, w, kc->env_values[i]);
	}
	n = kx_pp_env_miss_count(in->pp);
	put(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		put_str(b, w, kx_pp_env_miss_at(in->pp, i));
	n = kx_pp_probe_count(in->pp);
	put(b, (uint32_t)n);
	for (i = 0; i < n; i++) {
		const char *cmd, *ans;

		kx_pp_probe_at(in->pp, i, &cmd, &ans);
		put_str(b, w, cmd);
		put_str(b, w, ans);
	}
	n = o->diags->n - in->diag_first;
	put(b, (uint32_t)n);
	for (i = in->diag_first; i < o->diags->n; i++) {
		const struct kx_diag *d = &o->diags->v[i];

		put(b, (uint32_t)d->level);
		put_str(b, w, d->file);
		put(b, (uint32_t)d->line);
		put_str(b, w, d->text);
	}
	put(b, (uint32_t)in->ninfos);
	for (i = 0; i < in->ninfos; i++)
		put_str(b, w, in->infos[i]);
}

static void write_model(struct wr *w)
{
	const struct kx_kconfig *kc = w->kc;
	struct kx_buf *b = &w->head;
	size_t i;

	/* the tree-wide fields */
	put(b, sym_ref(w, kc->modules_sym));
	put_str(b, w, kc->mainmenu);
	put(b, (uint32_t)kc->expr_trans_count);
	put(b, kc->elim_memo);
	put(b, kc->changed);
	put(b, (uint32_t)kc->nfiles);
	for (i = 0; i < kc->nfiles; i++)
		put_str(b, w, kc->files[i]);
	/* objects: symbols first (they reach everything else) */
	MENU(w, &kc->rootmenu);		/* menu 1 */
	write_sym(w, &kc->sym_yes);
	write_sym(w, &kc->sym_mod);
	write_sym(w, &kc->sym_no);
	for (i = 0; i < kc->nsyms; i++)
		write_sym(w, kc->syms[i]);
	for (size_t mi = 0, pi = 0, di = 0;
	     mi < w->menul.n || pi < w->propl.n || di < w->depl.n;) {
		while (mi < w->menul.n)
			write_menu(w, w->menul.v[mi++]);
		while (pi < w->propl.n)
			write_prop(w, w->propl.v[pi++]);
		while (di < w->depl.n)
			write_dep(w, w->depl.v[di++]);
	}
}

static void evict(const char *dir, size_t keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct ent { char *path; struct timespec t; } *v = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *p;

		if (len < 4 || strcmp(de->d_name + len - 4, ".kxm"))
			continue;
		p = kx_xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) < 0) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = kx_xrealloc(v, cap * sizeof(*v));
		}
		v[n].path = p;
		v[n++].t = st.st_mtim;
	}
	closedir(d);
	while (n > keep) {	/* drop the oldest, one at a time (n is small) */
		size_t old = 0;

		for (size_t i = 1; i < n; i++)
			if (v[i].t.tv_sec < v[old].t.tv_sec ||
			    (v[i].t.tv_sec == v[old].t.tv_sec &&
			     v[i].t.tv_nsec < v[old].t.tv_nsec))
				old = i;
		unlink(v[old].path);
		free(v[old].path);
		v[old] = v[--n];
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* How many models the cache keeps: KX_MODEL_CACHE_MAX in the load's
 * environment, default 16. */
static size_t cache_max(const struct kx_env *env)
{
	const char *v = kx_env_get(env, "KX_MODEL_CACHE_MAX");
	long n = v ? atol(v) : 0;

	return n > 0 ? (size_t)n : 16;
}

int kx_snapshot_save(const struct kx_kconfig *kc, struct kx_tree *tree,
		     const struct kx_load_opts *o, const char *top,
		     const struct kx_snapshot_inputs *in)
{
	struct wr w;
	struct kx_buf key = KX_BUF_INIT, out = KX_BUF_INIT;
	struct kx_buf counts = KX_BUF_INIT, trailer = KX_BUF_INIT;
	char *path = NULL;
	int err;

	memset(&w, 0, sizeof(w));
	w.kc = kc;
	err = make_key(&key, tree, o, top, &kc->sem);
	if (err < 0)
		goto out;
	write_inputs(&w, tree, o, in);
	write_model(&w);
	err = KX_EINVAL;
	if (w.bad || w.blob.len >= UINT32_MAX || w.nexprs >= UINT32_MAX)
		goto out;
	/* the maps are done with: free them before the file is written */
	kx_map_free(&w.strs);
	kx_map_free(&w.objs);
	put(&out, SNAP_MAGIC);
	put(&out, SNAP_VERSION);
	put(&out, SNAP_BOM);
	put(&out, (uint32_t)key.len);
	kx_buf_add(&out, key.s, key.len);
	while (out.len % 4)
		kx_buf_putc(&out, 0);
	put(&out, (uint32_t)w.blob.len);
	while (w.blob.len % 4)
		kx_buf_putc(&w.blob, 0);
	put(&counts, (uint32_t)(kc->nsyms + 3));
	put(&counts, (uint32_t)w.nexprs);
	put(&counts, (uint32_t)w.menul.n);
	put(&counts, (uint32_t)w.propl.n);
	put(&counts, (uint32_t)w.depl.n);
	{
		struct kx_part parts[] = {
			{ out.s, out.len }, { w.blob.s, w.blob.len },
			{ counts.s, counts.len }, { w.head.s, w.head.len },
			{ w.exprs.s, w.exprs.len }, { w.syms.s, w.syms.len },
			{ w.menus.s, w.menus.len }, { w.props.s, w.props.len },
			{ w.deps.s, w.deps.len }, { NULL, 0 },
		};
		size_t np = sizeof(parts) / sizeof(parts[0]);
		struct csum c = { { 0 }, { 0 }, 0, 0 };

		for (size_t i = 0; i + 1 < np; i++)
			csum_add(&c, parts[i].data, parts[i].len);
		put64(&trailer, csum_end(&c));
		put(&trailer, SNAP_END);
		parts[np - 1].data = trailer.s;
		parts[np - 1].len = trailer.len;

		err = kx_mkdir_p(o->snapshot_dir, 0777);
		if (err < 0)
			goto out;
		path = snap_path(o->snapshot_dir, &key);
		err = kx_write_file_atomic_parts(path, parts, np, NULL, false);
	}
	if (!err)
		evict(o->snapshot_dir, cache_max(o->env));
out:
	free(path);
	kx_buf_free(&key);
	kx_buf_free(&out);
	kx_buf_free(&counts);
	kx_buf_free(&trailer);
	kx_buf_free(&w.blob);
	kx_buf_free(&w.exprs);
	kx_buf_free(&w.syms);
	kx_buf_free(&w.menus);
	kx_buf_free(&w.props);
	kx_buf_free(&w.deps);
	kx_buf_free(&w.head);
	kx_map_free(&w.strs);
	kx_map_free(&w.objs);
	free(w.menul.v);
	free(w.propl.v);
	free(w.depl.v);
	return err;
}

/* ---- reading -------------------------------------------------------------- */

struct rd {
	const uint32_t *p, *end;
	const char *blob;
	size_t bloblen;
	bool bad;
	struct kx_kconfig *kc;
	struct kx_sym *symv;		/* symbols after the three constants */
	struct kx_expr **exprv;
	struct kx_menu *menuv;		/* menuv[0] is not used: kc->rootmenu */
	struct kx_prop *propv;
	struct kx_dep *depv;
	uint32_t nsyms, nexprs, nmenus, nprops, ndeps;
	const uint32_t *env;		/* the environment refs (inputs) */
	uint32_t nenv;
};

static uint32_t get(struct rd *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static uint64_t get64(struct rd *r)
{
	uint64_t lo = get(r);

	return lo | (uint64_t)get(r) << 32;
}

static const char *get_str(struct rd *r)
{
	uint32_t v = get(r);

	if (!v)
		return NULL;
	if (v > r->bloblen) {
		r->bad = true;
		return "";
	}
	return r->blob + v - 1;
}

/* a value below 'limit' (enums, tristates) */
static uint32_t get_lt(struct rd *r, uint32_t limit)
{
	uint32_t v = get(r);

	if (v >= limit) {
		r->bad = true;
		return 0;
	}
	return v;
}

static struct kx_sym *get_sym(struct rd *r)
{
	uint32_t v = get(r);

	switch (v) {
	case SREF_NULL: return NULL;
	case SREF_YES: return &r->kc->sym_yes;
	case SREF_MOD: return &r->kc->sym_mod;
	case SREF_NO: return &r->kc->sym_no;
	}
	if (v - SREF_FIRST >= r->nsyms - 3) {
		r->bad = true;
		return NULL;
	}
	return &r->symv[v - SREF_FIRST];
}

/* an object reference: 0 for NULL, else its index + 1 (at most n) */
static uint32_t get_ref(struct rd *r, uint32_t n)
{
	uint32_t v = get(r);

	if (v > n) {
		r->bad = true;
		return 0;
	}
	return v;
}

static struct kx_menu *get_menu(struct rd *r)
{
	uint32_t v = get_ref(r, r->nmenus);

	return v == 0 ? NULL : v == 1 ? &r->kc->rootmenu : &r->menuv[v - 1];
}

static struct kx_prop *get_prop(struct rd *r)
{
	uint32_t v = get_ref(r, r->nprops);

	return v ? &r->propv[v - 1] : NULL;
}

static struct kx_dep *get_dep(struct rd *r)
{
	uint32_t v = get_ref(r, r->ndeps);

	return v ? &r->depv[v - 1] : NULL;
}

static struct kx_expr *get_expr(struct rd *r, uint32_t below)
{
	uint32_t v = get_ref(r, below);

	return v ? r->exprv[v - 1] : NULL;
}

#define GET_EXPR(r) get_expr(r, (r)->nexprs)

static void read_exprs(struct rd *r)
{
	struct kx_kconfig *kc = r->kc;

	for (uint32_t i = 0; i < r->nexprs && !r->bad; i++) {
		enum kx_expr_type t = (enum kx_expr_type)get_lt(r, KX_E_RANGE + 1);
		struct kx_expr *e = NULL;

		if (expr_has_sym_operands(t)) {
			struct kx_sym *a = get_sym(r), *b = get_sym(r);

			if (t == KX_E_SYMBOL)
				e = b || !a ? NULL : kx_expr_sym(kc, a);
			else
				e = a && b ? kx_expr_comp(kc, t, a, b) : NULL;
		} else {
			struct kx_expr *a = get_expr(r, i), *b = get_expr(r, i);

			if (t == KX_E_NOT)
				e = a && !b ? kx_expr_one(kc, t, a) : NULL;
			else
				e = a && b ? kx_expr_two(kc, t, a, b) : NULL;
		}
		if (!e || kc->expr_too_deep)
			r->bad = true;
		r->exprv[i] = e;
	}
}

static void read_sym(struct rd *r, struct kx_sym *s)
{
	s->name = get_str(r);
	s->type = (enum kx_symtype)get_lt(r, KX_S_STRING + 1);
	s->flags = get(r);
	s->curr.val = get_str(r);
	s->curr.tri = (kx_tri)get_lt(r, 3);
	for (int i = 0; i < KX_DEF_COUNT; i++) {
		s->def[i].val = get_str(r);
		s->def[i].tri = (kx_tri)get_lt(r, 3);
		s->choice_def[i] = get_sym(r);
	}
	s->choice_curr = get_sym(r);
	s->visible = (kx_tri)get_lt(r, 3);
	s->menus = get_menu(r);
	s->prop = get_prop(r);
	s->dir_dep = GET_EXPR(r);
	s->rev_dep = GET_EXPR(r);
	s->implied = GET_EXPR(r);
	s->dir_dep_tri = (kx_tri)get_lt(r, 3);
	s->rev_dep_tri = (kx_tri)get_lt(r, 3);
	s->implied_tri = (kx_tri)get_lt(r, 3);
	s->member_of = get_menu(r);
	s->choice_sym = get_sym(r);
	s->hash = get(r);
}

static struct kx_sym **get_sym_array(struct rd *r, size_t *n)
{
	uint32_t k = get(r);
	struct kx_sym **v;

	if (k > (size_t)(r->end - r->p)) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	*n = k;
	if (!k)
		return NULL;
	v = kx_arena_alloc(r->kc->arena, k * sizeof(*v));
	for (uint32_t i = 0; i < k; i++)
		v[i] = get_sym(r);
	return v;
}

static void read_menu(struct rd *r, struct kx_menu *m)
{
	m->next = get_menu(r);
	m->parent = get_menu(r);
	m->list = get_menu(r);
	m->lexical_parent = get_menu(r);
	m->sym = get_sym(r);
	m->prompt = get_prop(r);
	m->visibility = GET_EXPR(r);
	m->dep = GET_EXPR(r);
	m->dep_written = GET_EXPR(r);
	m->deps = get_dep(r);
	m->flags = get(r);
	m->help = get_str(r);
	m->file = get_str(r);
	m->line = (int)get(r);
	m->is_if = get_lt(r, 2);
	m->sym_next = get_menu(r);
	m->members = get_sym_array(r, &m->nmembers);
	m->prio = get_sym_array(r, &m->nprio);
	m->capprio = m->nprio;
}

static void read_prop(struct rd *r, struct kx_prop *p)
{
	p->next = get_prop(r);
	p->type = (enum kx_prop_type)get_lt(r, KX_P_RANGE + 1);
	p->text = get_str(r);
	p->expr = GET_EXPR(r);
	p->cond = GET_EXPR(r);
	p->visible = GET_EXPR(r);
	p->visible_tri = (kx_tri)get_lt(r, 3);
	p->menu = get_menu(r);
	p->file = get_str(r);
	p->line = (int)get(r);
}

/* where the parser would append the next property and entry */
static void set_tails(struct kx_sym *s)
{
	s->prop_tail = &s->prop;
	while (*s->prop_tail)
		s->prop_tail = &(*s->prop_tail)->next;
	s->menus_tail = &s->menus;
	while (*s->menus_tail)
		s->menus_tail = &(*s->menus_tail)->sym_next;
}

/* The symbol table, kc->syms and the parse-time tails, as sym_new made them. */
static void index_syms(struct kx_kconfig *kc, struct kx_sym *symv, uint32_t n)
{
	size_t cap = 16384;

	while (n * 2 > cap)
		cap *= 2;
	kc->symtab_cap = cap;
	kc->symtab = kx_xcalloc(cap, sizeof(*kc->symtab));
	kc->capsyms = n ? n : 1;
	kc->syms = kx_xmalloc(kc->capsyms * sizeof(*kc->syms));
	kc->nsyms = n;
	for (uint32_t i = 0; i < n; i++) {
		struct kx_sym *s = &symv[i];

		s->seq = i;
		kc->syms[i] = s;
		set_tails(s);
		if (s->name) {
			size_t j = s->hash & (cap - 1);

			s->hnext = kc->symtab[j];
			kc->symtab[j] = s;
		}
	}
}

/* Checks every input of the load; true when all are as they were. */
static bool inputs_unchanged(struct rd *r, struct kx_tree *tree,
			     const struct kx_load_opts *o)
{
	uint32_t n = get(r);

	for (uint32_t i = 0; i < n && !r->bad; i++) {
		const char *path = get_str(r);
		struct fid f = { { 0 } };
		bool same;

		same = path && file_id(kx_tree_disk_root(tree), path, &f) == 0;
		for (int k = 0; k < 7; k++)
			if (get64(r) != f.v[k])
				same = false;
		if (!same)
			return false;
	}
	r->nenv = n = get(r);
	r->env = r->p;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		const char *name = get_str(r), *value = get_str(r);
		const char *now = name ? kx_env_get(o->env, name) : NULL;

		if (!now || !value || strcmp(now, value))
			return false;
	}
	n = get(r);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		const char *name = get_str(r);

		if (!name || kx_env_get(o->env, name))
			return false;
	}
	n = get(r);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		const char *cmd = get_str(r), *ans = get_str(r);
		char *now = NULL;
		bool same;

		if (!cmd || !ans || !o->shell)
			return false;
		same = kx_shell_peek(o->shell, cmd, &now) == 0 && !strcmp(now, ans);
		free(now);
		if (!same)
			return false;
	}
	return !r->bad;
}

/*
 * Maps the cache file 'path' (private, writable: pointers are patched in
 * place) when it is ours and of a possible size.  MAP_FAILED otherwise.
 */
static void *map_snapshot(const char *path, size_t *len)
{
	void *map = MAP_FAILED;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return MAP_FAILED;
	/* a file someone else wrote (a shared cache directory) is not trusted */
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    st.st_size >= 64 && st.st_size % 4 == 0) {
		*len = (size_t)st.st_size;
		map = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	}
	close(fd);
	return map;
}

/*
 * The checksum, header, key, string blob and object counts of a mapped
 * file: true when they are sound and the key is 'key' (r positioned after
 * the counts).
 */
static bool read_header(struct rd *r, const void *map, size_t len, const struct kx_buf *key)
{
	struct csum c = { { 0 }, { 0 }, 0, 0 };
	const uint32_t *t = (const uint32_t *)map + len / 4 - 3;
	uint32_t klen;

	csum_add(&c, map, len - 12);
	if (((uint64_t)t[1] << 32 | t[0]) != csum_end(&c) || t[2] != SNAP_END)
		return false;
	r->p = map;
	r->end = r->p + len / 4 - 3;
	if (get(r) != SNAP_MAGIC || get(r) != SNAP_VERSION || get(r) != SNAP_BOM)
		return false;
	klen = get(r);
	if (klen != key->len || klen > (size_t)(r->end - r->p) * 4 ||
	    memcmp(r->p, key->s, klen))
		return false;
	r->p += (klen + 3) / 4;
	r->bloblen = get(r);
	if (r->bad || r->bloblen > (size_t)(r->end - r->p) * 4 ||
	    (r->bloblen && ((const char *)r->p)[r->bloblen - 1]))
		return false;
	r->blob = (const char *)r->p;
	r->p += (r->bloblen + 3) / 4;
	r->nsyms = get(r);
	r->nexprs = get(r);
	r->nmenus = get(r);
	r->nprops = get(r);
	r->ndeps = get(r);
	/* each object takes at least two words: bounds the allocations */
	return !r->bad && r->nsyms >= 3 && r->nmenus >= 1 &&
	       (uint64_t)r->nsyms + r->nexprs + r->nmenus + r->nprops + r->ndeps <=
	       (uint64_t)(r->end - r->p) / 2;
}

/* The model's objects into r->kc: true when all of it was sound. */
static bool read_model(struct rd *r)
{
	struct kx_kconfig *kc = r->kc;
	struct kx_sym *consts[3] = { &kc->sym_yes, &kc->sym_mod, &kc->sym_no };

	r->symv = kx_arena_alloc(kc->arena, (r->nsyms - 3) * sizeof(*r->symv) + 1);
	r->exprv = kx_xcalloc(r->nexprs + 1, sizeof(*r->exprv));
	r->menuv = kx_arena_alloc(kc->arena, r->nmenus * sizeof(*r->menuv));
	r->propv = kx_arena_alloc(kc->arena, r->nprops * sizeof(*r->propv) + 1);
	r->depv = kx_arena_alloc(kc->arena, r->ndeps * sizeof(*r->depv) + 1);
	kc->modules_sym = get_sym(r);
	kc->mainmenu = get_str(r);
	kc->expr_trans_count = (int)get(r);
	kc->elim_memo = get_lt(r, 2);
	kc->changed = get_lt(r, 2);
	kc->nfiles = kc->capfiles = get(r);
	if (kc->nfiles > (size_t)(r->end - r->p))
		return false;
	kc->files = kx_xcalloc(kc->nfiles + 1, sizeof(*kc->files));
	for (size_t i = 0; i < kc->nfiles; i++)
		kc->files[i] = get_str(r);
	/* kc's list of referenced variables is the inputs' (checked before) */
	kc->nenv = r->nenv;
	kc->env_names = kx_xcalloc(kc->nenv + 1, sizeof(*kc->env_names));
	kc->env_values = kx_xcalloc(kc->nenv + 1, sizeof(*kc->env_values));
	for (size_t i = 0; i < kc->nenv; i++) {
		kc->env_names[i] = r->blob + r->env[2 * i] - 1;
		kc->env_values[i] = r->blob + r->env[2 * i + 1] - 1;
	}
	read_exprs(r);
	/* the constants keep their identity; their fields are read */
	for (int i = 0; i < 3; i++)
		read_sym(r, consts[i]);
	for (uint32_t i = 0; i < r->nsyms - 3 && !r->bad; i++)
		read_sym(r, &r->symv[i]);
	read_menu(r, &kc->rootmenu);
	for (uint32_t i = 1; i < r->nmenus && !r->bad; i++)
		read_menu(r, &r->menuv[i]);
	for (uint32_t i = 0; i < r->nprops && !r->bad; i++)
		read_prop(r, &r->propv[i]);
	for (uint32_t i = 0; i < r->ndeps && !r->bad; i++) {
		r->depv[i].next = get_dep(r);
		r->depv[i].expr = GET_EXPR(r);
		r->depv[i].line = (int)get(r);
	}
	if (r->bad || r->p != r->end || !kc->modules_sym || !kc->mainmenu)
		return false;
	index_syms(kc, r->symv, r->nsyms - 3);
	for (int i = 0; i < 3; i++)
		set_tails(consts[i]);
	return true;
}

/* What the full load printed: its diagnostics and $(info) lines, again. */
static void replay_messages(struct rd *r, const struct kx_load_opts *o,
			    const uint32_t *diags, uint32_t ndiags,
			    const uint32_t *infos, uint32_t ninfos)
{
	r->p = diags;
	r->end = diags + (size_t)ndiags * 4;
	for (uint32_t i = 0; i < ndiags; i++) {
		enum kx_diag_level lvl = (enum kx_diag_level)get_lt(r, KX_DIAG_ERROR + 1);
		const char *file = get_str(r);
		int line = (int)get(r);
		const char *text = get_str(r);

		kx_diags_add(o->diags, lvl, file, line, "%s", text ? text : "");
	}
	r->p = infos;
	r->end = infos + ninfos;
	for (uint32_t i = 0; i < ninfos; i++) {
		const char *line = get_str(r);

		kx_info_out(o->info, o->info_ctx, line ? line : "");
	}
}

int kx_snapshot_load(struct kx_kconfig **out, struct kx_tree *tree,
		     const struct kx_load_opts *o, const char *top,
		     const struct kx_semantics *sem)
{
	struct kx_buf key = KX_BUF_INIT;
	struct kx_kconfig *kc = NULL;
	struct rd r;
	char *path = NULL;
	void *map = MAP_FAILED;
	size_t len = 0;
	const uint32_t *diags = NULL, *infos = NULL;
	uint32_t ndiags = 0, ninfos = 0;
	int err = KX_ENOTFOUND;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if (make_key(&key, tree, o, top, sem) < 0)
		goto out;
	path = snap_path(o->snapshot_dir, &key);
	map = map_snapshot(path, &len);
	if (map == MAP_FAILED || !read_header(&r, map, len, &key) ||
	    !inputs_unchanged(&r, tree, o))
		goto out;
	ndiags = get(&r);
	diags = r.p;
	if (ndiags > (size_t)(r.end - r.p) / 4)
		goto out;
	r.p += (size_t)ndiags * 4;
	ninfos = get(&r);
	infos = r.p;
	if (ninfos > (size_t)(r.end - r.p))
		goto out;
	r.p += ninfos;

	kc = kx_kconfig_new();
	r.kc = kc;
	kc->sem = *sem;
	kc->diags = o->diags;
	kc->info = o->info;
	kc->info_ctx = o->info_ctx;
	if (!read_model(&r))
		goto out;
	kx_kconfig_set_origin(kc, o->env);
	kc->snap_map = map;
	kc->snap_len = len;
	kc->from_snapshot = true;
	map = MAP_FAILED;
	replay_messages(&r, o, diags, ndiags, infos, ninfos);
	*out = kc;
	kc = NULL;
	err = 0;
out:
	if (map != MAP_FAILED)
		munmap(map, len);
	free(r.exprv);
	kx_kconfig_free(kc);
	kx_buf_free(&key);
	free(path);
	return err;
}
