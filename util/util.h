/* SPDX-License-Identifier: MIT */
/*
 * util.h - small shared utilities: error codes, growable strings, arenas,
 * diagnostics.
 *
 * Conventions (docs/ARCHITECTURE.md): functions return 0 or a negative KX_E*
 * code; out-parameters come first; the caller owns what a function returns
 * unless the comment says the memory belongs to an arena.
 */
#ifndef KX_UTIL_H
#define KX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- error codes ------------------------------------------------------ */

enum kx_error {
	KX_OK = 0,
	KX_ENOMEM = -1,		/* allocation failed */
	KX_ENOTFOUND = -2,	/* file, revision or symbol not found */
	KX_EIO = -3,		/* read/write failure (errno kept by caller) */
	KX_ESYNTAX = -4,	/* malformed Kconfig / .config input */
	KX_EGIT = -5,		/* libgit2 failure */
	KX_EINVAL = -6,		/* invalid argument */
	KX_EDENIED = -7,	/* refused by policy (probes=deny, ...) */
	KX_ELIMIT = -8,		/* a documented limit was exceeded */
	KX_EINTERNAL = -9,	/* a bug: an invariant did not hold */
};

/* Returns a static description of a KX_E* code. */
const char *kx_strerror(int err);

/* ---- allocation helpers ------------------------------------------------ */

/*
 * The x* helpers print "kxen-config: out of memory" and abort when an
 * allocation fails.  The whole program uses them, the library included:
 * no function returns after a failed allocation of its own working memory
 * (symbols, expressions, buffers), so no caller has to handle one.  The
 * exceptions return KX_ENOMEM instead: reading a file in one piece sized
 * by the file (the tree back ends of parser/tree.c; kx_read_file's inputs
 * are bounded by KX_INPUT_MAX before they are allocated), and the
 * constructors kx_shell_new() and kx_pp_new().  Input size is bounded
 * before memory is (docs/RELIABILITY.md), so on a machine with the memory
 * conf needs, an abort here means a bug or an exhausted machine.
 */
void *kx_xmalloc(size_t n);
void *kx_xcalloc(size_t n, size_t size);
void *kx_xrealloc(void *p, size_t n);
char *kx_xstrdup(const char *s);
char *kx_xstrndup(const char *s, size_t n);
char *kx_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- growable NUL-terminated string ------------------------------------ */

struct kx_buf {
	char *s;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define KX_BUF_INIT { NULL, 0, 0 }

void kx_buf_init(struct kx_buf *b);
void kx_buf_free(struct kx_buf *b);
void kx_buf_reset(struct kx_buf *b);	/* len = 0, keep storage */
void kx_buf_add(struct kx_buf *b, const char *s, size_t n);
void kx_buf_puts(struct kx_buf *b, const char *s);
void kx_buf_putc(struct kx_buf *b, char c);
void kx_buf_printf(struct kx_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kx_buf_vprintf(struct kx_buf *b, const char *fmt, va_list ap);
/* Returns the string (never NULL) and leaves the buffer empty. */
char *kx_buf_detach(struct kx_buf *b);
/* Returns the current contents, "" when empty (never NULL). */
const char *kx_buf_cstr(const struct kx_buf *b);

/* ---- arena --------------------------------------------------------------- */

/*
 * A bump allocator that owns everything reachable from a loaded tree; it is
 * freed at once.  With KX_ARENA_DEBUG=1 in the environment (or when built
 * with -DKX_ARENA_DEBUG) every allocation is a separate malloc so that ASan
 * and valgrind see each object.
 */
struct kx_arena;

struct kx_arena *kx_arena_new(void);
void kx_arena_free(struct kx_arena *a);
void *kx_arena_alloc(struct kx_arena *a, size_t n);	/* zeroed, 8-byte aligned */
char *kx_arena_strdup(struct kx_arena *a, const char *s);
char *kx_arena_strndup(struct kx_arena *a, const char *s, size_t n);
char *kx_arena_printf(struct kx_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- string interning --------------------------------------------------- */

/*
 * An interned string table backed by an arena: kx_intern returns the same
 * pointer for equal strings, so file names can be compared by pointer.
 */
struct kx_strtab;
struct kx_strtab *kx_strtab_new(struct kx_arena *a);
void kx_strtab_free(struct kx_strtab *t);
const char *kx_intern(struct kx_strtab *t, const char *s);

/* FNV-1a 32-bit hash over bytes interpreted as (signed) char, as the
 * kernel's kconfig does; used where iteration order must match conf. */
uint32_t kx_hash_fnv32(const char *s);

/* ---- hash map -------------------------------------------------------------- */

/*
 * A map from byte-string keys to pointers: open addressing, at most half
 * full, keys copied into the map's own arena, values the caller's (NULL is
 * not a value: it means "absent").  A string is its own key (kx_map_gets,
 * kx_map_sets); anything else is keyed by its bytes (a pointer p:
 * kx_map_get(m, &p, sizeof(p))).
 *
 *	struct kx_map m = KX_MAP_INIT;
 *	free(kx_map_sets(&m, "key", val));	 (the value it replaces, or NULL)
 *	v = kx_map_gets(&m, "key");
 *	for (size_t i = 0; kx_map_next(&m, &i, &val);)  free(val);
 *	kx_map_free(&m);			 (the values are not freed)
 */
struct kx_map_ent;
struct kx_map {
	struct kx_map_ent *v;
	size_t n, cap;			/* cap: 0 or a power of two */
	struct kx_arena *keys;
};

#define KX_MAP_INIT { NULL, 0, 0, NULL }

void *kx_map_get(const struct kx_map *m, const void *key, size_t len);
void *kx_map_set(struct kx_map *m, const void *key, size_t len, void *val);
void *kx_map_gets(const struct kx_map *m, const char *key);
void *kx_map_sets(struct kx_map *m, const char *key, void *val);
/* Every value in turn (*i starts at 0); false after the last. */
bool kx_map_next(const struct kx_map *m, size_t *i, void **val);
/* Empties the map (it can be used again). */
void kx_map_free(struct kx_map *m);

/* ---- diagnostics ---------------------------------------------------------- */

enum kx_diag_level { KX_DIAG_NOTE, KX_DIAG_INFO, KX_DIAG_WARNING, KX_DIAG_ERROR };

/*
 * One diagnostic.  'text' is the complete message exactly as it is printed
 * (for problems conf also reports, in conf's words, e.g.
 * "arch/x86/Kconfig:12: unknown statement \"foo\""), possibly several lines,
 * without a trailing newline.  file/line locate it for tools (JSON, editors);
 * file may be NULL.
 */
struct kx_diag {
	enum kx_diag_level level;
	const char *file;	/* interned or static; may be NULL */
	int line;
	char *text;
};

/*
 * A list of diagnostics owned by the caller.  When 'echo' is set, each
 * diagnostic is also passed to it as it is added (the CLI prints to stderr
 * immediately so that messages interleave with $(info) output as in conf).
 */
struct kx_diags {
	struct kx_diag *v;
	size_t n, cap;
	int nerrors, nwarnings;
	void (*echo)(const struct kx_diag *d, void *ctx);
	void *echo_ctx;
	size_t limit;		/* stop storing (still counting) past this; 0 = 10000 */
};

void kx_diags_init(struct kx_diags *d);
void kx_diags_free(struct kx_diags *d);
void kx_diags_add(struct kx_diags *d, enum kx_diag_level level,
		  const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void kx_diags_vadd(struct kx_diags *d, enum kx_diag_level level,
		   const char *file, int line, const char *fmt, va_list ap);
/* Text of the first diagnostic of at least 'level', or NULL. */
const char *kx_diags_first(const struct kx_diags *d, enum kx_diag_level level);
/* Standard echo callback: writes text + "\n" to the FILE* in ctx. */
void kx_diags_echo_file(const struct kx_diag *d, void *ctx);

/*
 * Passes one line of conf's stdout chatter ($(info,...), notes of the
 * expression simplifications) to 'info', or prints it on stdout when
 * 'info' is NULL.
 */
void kx_info_out(void (*info)(void *ctx, const char *line), void *ctx,
		 const char *line);

/* ---- small file helpers ---------------------------------------------------- */

/* The largest input file read (configs, fragments, policies): 64 MiB. */
#define KX_INPUT_MAX ((size_t)64 << 20)

/*
 * Reads a whole file; *data is NUL-terminated (the NUL is not counted).
 * Regular files, FIFOs and character devices are read (a FIFO without a
 * writer reads as empty, it does not hang); a directory, socket or block
 * device is refused (KX_EIO, errno EISDIR or EINVAL).  An input of more
 * than KX_INPUT_MAX bytes (also an endless one, /dev/zero) is KX_ELIMIT
 * with errno EFBIG.  A missing file is KX_ENOTFOUND; other failures KX_EIO
 * with errno set.
 */
int kx_read_file(char **data, size_t *len, const char *path);

/*
 * Where 'data' stops being text: the offset of its first NUL byte, or -1.
 * Config files and fragments never hold one; a file that does (an ELF, an
 * image given by mistake) is refused by the analysis commands instead of
 * being read as a stream of "unexpected data" lines.
 */
long kx_binary_offset(const char *data, size_t len);

/*
 * Writes 'len' bytes to 'path' safely: a temporary file in the same
 * directory, fsync, then rename over the target.  When 'backup' is non-NULL
 * and the target exists, the old file is renamed to 'backup' first (conf's
 * .config.old).  On failure the target is untouched and errno describes the
 * cause; returns 0 or KX_EIO.
 */
int kx_write_file_atomic(const char *path, const char *data, size_t len,
			 const char *backup);

/*
 * The same for a file written in pieces (concatenated in order); 'sync'
 * false skips the fsyncs (a cache file, which is checked when read).
 */
struct kx_part {
	const char *data;
	size_t len;
};
int kx_write_file_atomic_parts(const char *path, const struct kx_part *parts,
			       size_t nparts, const char *backup, bool sync);

/*
 * The output writer of every command that writes a file the user named
 * (-o FILE, the default .config of merge, ...); conf's own .config writing
 * (KCONFIG_CONFIG in the conf modes) keeps conf's behaviour instead, see
 * analyzer/confdata.c.  By what 'path' is:
 *   "-"                   standard output
 *   a symbolic link       followed: what it points to is written (also a
 *                         target that does not exist yet); the link stays
 *   a regular file, or    written atomically: a temporary file in the same
 *   nothing yet           directory, fsync (unless KX_OUT_NOSYNC), rename;
 *                         with KX_OUT_KEEP_OLD the previous file is kept as
 *                         PATH.old (PATH: after following links)
 *   a character device    written through, never replaced (/dev/null, a
 *   or a FIFO             terminal, >(cmd)); a FIFO nobody reads fails
 *                         with ENXIO instead of hanging
 *   a directory           KX_EIO, errno EISDIR
 *   a socket, a block     refused: KX_EDENIED
 *   device
 * On failure nothing was replaced; returns KX_EIO with errno set (the
 * user's environment: a missing directory, permissions, a full disk) or
 * KX_EDENIED; kx_output_strerror() says which in words.
 */
enum { KX_OUT_KEEP_OLD = 1, KX_OUT_NOSYNC = 2 };
int kx_write_output(const char *path, const struct kx_part *parts, size_t nparts,
		    unsigned flags);
int kx_write_output_text(const char *path, const char *text, unsigned flags);
/*
 * From now on "-" writes to the standard output of the process as it is
 * now, and the stdout of printf & co. goes to standard error (the output
 * file owns stdout).
 */
void kx_output_reserve_stdout(void);
/* The reason of a kx_write_output() failure (reads errno: call it first). */
const char *kx_output_strerror(int err);

/*
 * mkdir -p: creates 'path' and the directories leading to it (mode 'mode',
 * less the umask).  Returns 0 when 'path' is a directory afterwards, else
 * KX_EIO with errno set (ENOTDIR when something else is in the way).
 */
int kx_mkdir_p(const char *path, unsigned mode);

/*
 * The user's cache home, the one rule of the whole program: $XDG_CACHE_HOME
 * when it is an absolute path (the XDG spec ignores a relative one), else
 * $HOME/.cache, else the passwd entry's home + /.cache; NULL when there is
 * none.  The caller frees the string.  (scripts/lib.sh follows the same rule.)
 */
char *kx_cache_home(void);

/* ---- formatting ------------------------------------------------------------ */

/*
 * A duration for people, rounded to the second: "42s", "3m07s",
 * "1h02m03s".  Writes at most 'n' bytes into 'buf' and returns it.
 */
const char *kx_fmt_duration(char *buf, size_t n, double secs);

/* ---- JSON output ---------------------------------------------------------- */

/* Appends 's' as a JSON string literal (quoted, escaped; NULL -> null). */
void kx_json_str(struct kx_buf *b, const char *s);

#endif /* KX_UTIL_H */
