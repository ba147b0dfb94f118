// SPDX-License-Identifier: MIT
/*
 * util.c - error strings, allocation helpers, growable strings, arenas,
 * string interning, diagnostics and safe file writes.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *kx_strerror(int err)
{
	switch (err) {
	case KX_OK: return "success";
	case KX_ENOMEM: return "out of memory";
	case KX_ENOTFOUND: return "not found";
	case KX_EIO: return "input/output error";
	case KX_ESYNTAX: return "syntax error";
	case KX_EGIT: return "git error";
	case KX_EINVAL: return "invalid argument";
	case KX_EDENIED: return "denied by policy";
	case KX_ELIMIT: return "limit exceeded";
	case KX_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

/* ---- allocation ------------------------------------------------------ */

static void oom(size_t n)
{
	fprintf(stderr, "kxen-config: out of memory (%zu bytes)\n", n);
	abort();
}

void *kx_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *kx_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *kx_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *kx_xstrdup(const char *s)
{
	return kx_xstrndup(s, strlen(s));
}

char *kx_xstrndup(const char *s, size_t n)
{
	char *p = kx_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *kx_xasprintf(const char *fmt, ...)
{
	struct kx_buf b = KX_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kx_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return kx_buf_detach(&b);
}

/* ---- kx_buf ------------------------------------------------------------ */

void kx_buf_init(struct kx_buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void kx_buf_free(struct kx_buf *b)
{
	free(b->s);
	kx_buf_init(b);
}

void kx_buf_reset(struct kx_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

static void buf_grow(struct kx_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->len)
		oom(SIZE_MAX);
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = kx_xrealloc(b->s, cap);
	b->cap = cap;
}

void kx_buf_add(struct kx_buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void kx_buf_puts(struct kx_buf *b, const char *s)
{
	kx_buf_add(b, s, strlen(s));
}

void kx_buf_putc(struct kx_buf *b, char c)
{
	buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

void kx_buf_vprintf(struct kx_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	buf_grow(b, 64);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void kx_buf_printf(struct kx_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kx_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *kx_buf_detach(struct kx_buf *b)
{
	char *s = b->s ? b->s : kx_xstrdup("");

	kx_buf_init(b);
	return s;
}

const char *kx_buf_cstr(const struct kx_buf *b)
{
	return b->s ? b->s : "";
}

/* ---- arena --------------------------------------------------------------- */

#define ARENA_CHUNK (256 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct kx_arena {
	struct arena_chunk *chunks;
	bool debug;		/* each allocation a separate malloc */
	void **dbg;		/* debug mode: every allocation */
	size_t ndbg, capdbg;
};

struct kx_arena *kx_arena_new(void)
{
	struct kx_arena *a = kx_xcalloc(1, sizeof(*a));

#ifdef KX_ARENA_DEBUG
	a->debug = true;	/* make CFLAGS=-DKX_ARENA_DEBUG: one malloc each */
#endif
	return a;
}

void kx_arena_free(struct kx_arena *a)
{
	if (!a)
		return;
	for (struct arena_chunk *c = a->chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	for (size_t i = 0; i < a->ndbg; i++)
		free(a->dbg[i]);
	free(a->dbg);
	free(a);
}

void *kx_arena_alloc(struct kx_arena *a, size_t n)
{
	/* pointers and 64-bit integers; nothing here needs long double */
	const size_t align = 8;
	struct arena_chunk *c = a->chunks;

	if (a->debug) {
		void *p = kx_xcalloc(1, n);

		if (a->ndbg == a->capdbg) {
			a->capdbg = a->capdbg ? a->capdbg * 2 : 1024;
			a->dbg = kx_xrealloc(a->dbg, a->capdbg * sizeof(*a->dbg));
		}
		a->dbg[a->ndbg++] = p;
		return p;
	}
	n = (n + align - 1) & ~(align - 1);
	if (!n)
		n = align;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;

		/* calloc: fresh chunks are zero (and large ones come from
		 * mmap already zeroed), so allocations need no memset */
		c = kx_xcalloc(1, sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		if (n > ARENA_CHUNK / 4 && a->chunks) {
			/* big object: keep the current chunk for small ones */
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = a->chunks;
			a->chunks = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *kx_arena_strndup(struct kx_arena *a, const char *s, size_t n)
{
	char *p = kx_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *kx_arena_strdup(struct kx_arena *a, const char *s)
{
	return kx_arena_strndup(a, s, strlen(s));
}

char *kx_arena_printf(struct kx_arena *a, const char *fmt, ...)
{
	struct kx_buf b = KX_BUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	kx_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p = kx_arena_strndup(a, kx_buf_cstr(&b), b.len);
	kx_buf_free(&b);
	return p;
}

/* ---- interning ------------------------------------------------------------ */

uint32_t kx_hash_fnv32(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s; s++)
		h = (h ^ (uint32_t)(int32_t)(signed char)*s) * 0x01000193U;
	return h;
}

struct kx_strtab {
	struct kx_arena *arena;
	const char **slots;
	size_t cap, n;
};

struct kx_strtab *kx_strtab_new(struct kx_arena *a)
{
	struct kx_strtab *t = kx_xcalloc(1, sizeof(*t));

	t->arena = a;
	t->cap = 256;
	t->slots = kx_xcalloc(t->cap, sizeof(*t->slots));
	return t;
}

void kx_strtab_free(struct kx_strtab *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

const char *kx_intern(struct kx_strtab *t, const char *s)
{
	if (t->n * 2 >= t->cap) {
		size_t cap = t->cap * 2;
		const char **slots = kx_xcalloc(cap, sizeof(*slots));

		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slots[i])
				continue;
			size_t j = kx_hash_fnv32(t->slots[i]) & (cap - 1);
			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	size_t j = kx_hash_fnv32(s) & (t->cap - 1);
	while (t->slots[j]) {
		if (!strcmp(t->slots[j], s))
			return t->slots[j];
		j = (j + 1) & (t->cap - 1);
	}
	t->slots[j] = kx_arena_strdup(t->arena, s);
	t->n++;
	return t->slots[j];
}

/* ---- hash map ---------------------------------------------------------------- */

struct kx_map_ent {
	const void *key;	/* in m->keys; NULL: an empty slot */
	size_t len;
	uint64_t hash;
	void *val;
};

/* FNV-1a, 64 bits */
static uint64_t map_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The slot holding 'key', or the empty slot where it would go. */
static struct kx_map_ent *map_slot(const struct kx_map *m, const void *key,
				   size_t len, uint64_t h)
{
	size_t i;

	for (i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
		if (m->v[i].hash == h && m->v[i].len == len &&
		    !memcmp(m->v[i].key, key, len))
			break;
	return &m->v[i];
}

void *kx_map_get(const struct kx_map *m, const void *key, size_t len)
{
	return m->cap ? map_slot(m, key, len, map_hash(key, len))->val : NULL;
}

void *kx_map_set(struct kx_map *m, const void *key, size_t len, void *val)
{
	uint64_t h = map_hash(key, len);
	struct kx_map_ent *e;
	void *old;
	char *copy;

	if (2 * (m->n + 1) > m->cap) {
		struct kx_map big = { NULL, 0, m->cap ? 2 * m->cap : 64, m->keys };

		big.v = kx_xcalloc(big.cap, sizeof(*big.v));
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*map_slot(&big, m->v[i].key, m->v[i].len,
					  m->v[i].hash) = m->v[i];
		big.n = m->n;
		free(m->v);
		*m = big;
	}
	e = map_slot(m, key, len, h);
	if (e->key) {
		old = e->val;
		e->val = val;
		return old;
	}
	if (!m->keys)
		m->keys = kx_arena_new();
	copy = kx_arena_alloc(m->keys, len ? len : 1);
	memcpy(copy, key, len);
	e->key = copy;
	e->len = len;
	e->hash = h;
	e->val = val;
	m->n++;
	return NULL;
}

void *kx_map_gets(const struct kx_map *m, const char *key)
{
	return kx_map_get(m, key, strlen(key));
}

void *kx_map_sets(struct kx_map *m, const char *key, void *val)
{
	return kx_map_set(m, key, strlen(key), val);
}

bool kx_map_next(const struct kx_map *m, size_t *i, void **val)
{
	for (; *i < m->cap; (*i)++)
		if (m->v[*i].key) {
			*val = m->v[(*i)++].val;
			return true;
		}
	return false;
}

void kx_map_free(struct kx_map *m)
{
	free(m->v);
	kx_arena_free(m->keys);
	*m = (struct kx_map)KX_MAP_INIT;
}

/* ---- diagnostics ----------------------------------------------------------- */

void kx_diags_init(struct kx_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void kx_diags_free(struct kx_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

void kx_diags_vadd(struct kx_diags *d, enum kx_diag_level level,
		   const char *file, int line, const char *fmt, va_list ap)
{
	struct kx_diag diag;
	struct kx_buf b = KX_BUF_INIT;
	size_t limit = d->limit ? d->limit : 10000;

	kx_buf_vprintf(&b, fmt, ap);
	diag.level = level;
	diag.file = file;
	diag.line = line;
	diag.text = kx_buf_detach(&b);
	if (level == KX_DIAG_ERROR)
		d->nerrors++;
	else if (level == KX_DIAG_WARNING)
		d->nwarnings++;
	if (d->echo)
		d->echo(&diag, d->echo_ctx);
	if (d->n >= limit) {
		free(diag.text);
		return;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = kx_xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n++] = diag;
}

void kx_diags_add(struct kx_diags *d, enum kx_diag_level level,
		  const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kx_diags_vadd(d, level, file, line, fmt, ap);
	va_end(ap);
}

const char *kx_diags_first(const struct kx_diags *d, enum kx_diag_level level)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level >= level)
			return d->v[i].text;
	return NULL;
}

void kx_diags_echo_file(const struct kx_diag *d, void *ctx)
{
	FILE *f = ctx ? ctx : stderr;

	fputs(d->text, f);
	fputc('\n', f);
	fflush(f);
}

/* ---- files ------------------------------------------------------------------ */

long kx_binary_offset(const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);

	return nul ? (long)(nul - data) : -1;
}

int kx_read_file(char **data, size_t *len, const char *path)
{
	struct kx_buf b = KX_BUF_INIT;
	char tmp[65536];
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	*data = NULL;
	if (len)
		*len = 0;
	/* O_NONBLOCK: a FIFO without a writer must not hang the open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? KX_ENOTFOUND : KX_EIO;
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		err = EINVAL;	/* a socket or block device is no text input */
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > KX_INPUT_MAX) {
		err = EFBIG;
		goto out;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (n == 0)
			break;
		/* an endless input (/dev/zero, a pipe that never ends) stops here */
		if (b.len + (size_t)n > KX_INPUT_MAX) {
			err = EFBIG;
			break;
		}
		kx_buf_add(&b, tmp, (size_t)n);
	}
out:
	close(fd);
	if (err) {
		kx_buf_free(&b);
		errno = err;
		return err == EFBIG ? KX_ELIMIT : KX_EIO;	/* EFBIG: "File too large" */
	}
	if (len)
		*len = b.len;
	*data = kx_buf_detach(&b);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes the parts, in order, to an open descriptor; KX_EIO with errno set. */
static int write_through(int fd, const struct kx_part *parts, size_t nparts)
{
	for (size_t i = 0; i < nparts; i++)
		if (write_all(fd, parts[i].data, parts[i].len) < 0)
			return KX_EIO;
	return 0;
}

/*
 * Durability: after a rename, the directory entry itself must reach the
 * disk too (a crash could otherwise bring back the old name).  Best effort:
 * some file systems refuse fsync on directories.
 */
static void sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? kx_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : kx_xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int kx_write_file_atomic(const char *path, const char *data, size_t len,
			 const char *backup)
{
	struct kx_part part = { data, len };

	return kx_write_file_atomic_parts(path, &part, 1, backup, true);
}

int kx_write_file_atomic_parts(const char *path, const struct kx_part *parts,
			       size_t nparts, const char *backup, bool sync)
{
	char *tmp = kx_xasprintf("%s.kxtmp.%ld", path, (long)getpid());
	struct stat st;
	mode_t mode = 0644;
	int fd, saved;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			free(tmp);
			errno = EISDIR;
			return KX_EIO;
		}
		mode = st.st_mode & 07777;
	}
	/*
	 * Robustness: O_EXCL | O_NOFOLLOW never write through a symlink
	 * planted at the temporary name; a leftover of a killed process with
	 * the same pid is removed and the open retried once.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		goto fail_nofd;
	if (write_through(fd, parts, nparts) < 0)
		goto fail;
	if (sync && fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (backup && stat(path, &st) == 0) {
		/* keep the previous file as conf does: a hard link keeps
		 * 'path' in place until the rename below replaces it */
		unlink(backup);
		if (link(path, backup) < 0 && rename(path, backup) < 0)
			goto fail;
	}
	if (rename(tmp, path) < 0)
		goto fail;
	if (sync)
		sync_parent_dir(path);
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	free(tmp);
	return KX_EIO;
fail_nofd:
	saved = errno;
	free(tmp);
	errno = saved;
	return KX_EIO;
}

/*
 * Follows 'path' through symbolic links (at most 40, as the kernel does) to the
 * name the data must go to: the link's target, also when it does not exist
 * yet.  Returns a new string, or NULL with errno set (ELOOP).
 */
static char *follow_links(const char *path)
{
	char *p = kx_xstrdup(path);

	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		char target[4096];
		ssize_t n;

		if (lstat(p, &st) < 0 || !S_ISLNK(st.st_mode))
			return p;
		n = readlink(p, target, sizeof(target) - 1);
		if (n < 0) {
			free(p);
			return NULL;
		}
		target[n] = '\0';
		if (target[0] != '/' && strchr(p, '/')) {
			char *q = kx_xasprintf("%.*s/%s", (int)(strrchr(p, '/') - p), p, target);

			free(p);
			p = q;
		} else {
			free(p);
			p = kx_xstrdup(target);
		}
	}
	free(p);
	errno = ELOOP;
	return NULL;
}

/* where "-" writes: stdout, or a copy of it (kx_output_reserve_stdout) */
static int stdout_fd = STDOUT_FILENO;

void kx_output_reserve_stdout(void)
{
	int fd;

	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
		stdout_fd = fd;
}

/*
 * Writes through a character device or FIFO, never replacing it: /dev/null,
 * /dev/stdout, a terminal, a pipe from >(cmd).  O_NONBLOCK: a FIFO nobody
 * reads is an error (ENXIO), not a hang.
 */
static int write_to_device(const char *path, const struct kx_part *parts, size_t nparts)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK), err, saved;

	if (fd < 0)
		return KX_EIO;
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	err = write_through(fd, parts, nparts);
	saved = errno;
	if (close(fd) < 0 && !err) {
		saved = errno;
		err = KX_EIO;
	}
	errno = saved;
	return err;
}

int kx_write_output(const char *path, const struct kx_part *parts, size_t nparts,
		    unsigned flags)
{
	struct stat st;
	char *real, *old;
	int err, saved;

	if (!strcmp(path, "-")) {
		fflush(stdout);
		return write_through(stdout_fd, parts, nparts);
	}
	if (!*path) {
		errno = ENOENT;
		return KX_EIO;
	}
	real = follow_links(path);
	if (!real)
		return KX_EIO;
	/* anything but a regular file (or a name that does not exist yet) */
	if (stat(real, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
			err = write_to_device(real, parts, nparts);
		} else if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			err = KX_EIO;
		} else {
			errno = EINVAL;	/* a socket or block device: refused */
			err = KX_EDENIED;
		}
		saved = errno;
		free(real);
		errno = saved;
		return err;
	}
	old = flags & KX_OUT_KEEP_OLD ? kx_xasprintf("%s.old", real) : NULL;
	/* (the backup is made only when there is a previous file) */
	err = kx_write_file_atomic_parts(real, parts, nparts, old, !(flags & KX_OUT_NOSYNC));
	saved = errno;
	free(old);
	free(real);
	errno = saved;
	return err;
}

int kx_write_output_text(const char *path, const char *text, unsigned flags)
{
	struct kx_part part = { text, strlen(text) };

	return kx_write_output(path, &part, 1, flags);
}

const char *kx_output_strerror(int err)
{
	if (err == KX_EDENIED)
		return "not a regular file, character device or FIFO (refused)";
	if (errno == ENXIO)
		return "a FIFO that no process reads";
	return strerror(errno);
}

int kx_mkdir_p(const char *path, unsigned mode)
{
	char *p = kx_xstrdup(path);
	struct stat st;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			free(p);
			return KX_EIO;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, (mode_t)mode) < 0 && errno != EEXIST)
		return KX_EIO;
	if (stat(path, &st) < 0)
		return KX_EIO;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return KX_EIO;
	}
	return 0;
}

char *kx_cache_home(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (x && x[0] == '/')
		return kx_xstrdup(x);
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	return home && *home ? kx_xasprintf("%s/.cache", home) : NULL;
}

void kx_info_out(void (*info)(void *ctx, const char *line), void *ctx,
		 const char *line)
{
	if (info) {
		info(ctx, line);
	} else {
		fputs(line, stdout);
		fputc('\n', stdout);
	}
}

/* ---- formatting --------------------------------------------------------------- */

const char *kx_fmt_duration(char *buf, size_t n, double secs)
{
	long t = (long)(secs + 0.5);

	if (t >= 3600)
		snprintf(buf, n, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%lds", t);
	return buf;
}

/* ---- JSON ------------------------------------------------------------------- */

void kx_json_str(struct kx_buf *b, const char *s)
{
	if (!s) {
		kx_buf_puts(b, "null");
		return;
	}
	kx_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': kx_buf_puts(b, "\\\""); break;
		case '\\': kx_buf_puts(b, "\\\\"); break;
		case '\n': kx_buf_puts(b, "\\n"); break;
		case '\t': kx_buf_puts(b, "\\t"); break;
		case '\r': kx_buf_puts(b, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				kx_buf_printf(b, "\\u%04x", *p);
			else
				kx_buf_putc(b, (char)*p);
		}
	}
	kx_buf_putc(b, '"');
}
