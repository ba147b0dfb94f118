// SPDX-License-Identifier: MIT
/*
 * shell.c - $(shell,...) probes: run, memoize, cache, record, refuse.
 *
 * Running a probe (conf's do_shell, see shell.h): "/bin/sh -c CMD" with the
 * kx_env environment, stdin from /dev/null, stderr inherited, in opts->cwd
 * if set, in its own process group.  At most 4096 bytes of standard output
 * are read, as conf's single fread() does; when 4096 arrive the pipe is
 * closed at once (like pclose() after the fread), so a command that keeps
 * writing gets SIGPIPE exactly as under conf.  Of those bytes conf keeps
 * 4095 when the buffer filled, strips trailing '\n's, turns the others into
 * spaces, and its strdup() stops at the first NUL byte; so do we.  On
 * timeout the whole process group is killed (KX_ELIMIT).  The processes
 * are started and waited for by util/proc.c (kx_proc_run), as every
 * program the library runs.
 *
 * Fast path: Kconfig.include's if-success/success/failure macros expand to
 *     { CMD; } >/dev/null 2>&1 && echo "A" || echo "B"
 * When CMD is a simple command (words of [A-Za-z0-9_./=,+:@%^-] separated
 * by blanks, the first not a shell builtin, keyword or assignment) and A/B
 * are plain words that echo prints verbatim, we run CMD's program directly
 * (PATH search with the env's PATH, stdout and stderr to /dev/null) and
 * answer A or B by its exit status; a program that cannot be found or
 * executed answers B, as sh's 126/127 would.  Only programs that start
 * with "#!" or an ELF header are run directly; anything else (a script
 * without "#!", which sh runs itself, a directory, binfmt_misc formats)
 * and any other command shape goes through /bin/sh.  The PATH must
 * consist of absolute directories (sh's own default and relative entries
 * are left to sh).
 *
 * Answers, in order of precedence:
 *   1. the per-process memo (command + cwd + whole environment);
 *   2. the replay file (command -> answer, loaded at kx_shell_new);
 *   3. the persistent cache (below);
 *   4. running the command (not with KX_PROBES_CACHE_ONLY).
 * KX_PROBES_DENY refuses every call before any of these.
 *
 * Persistent cache: one file per key under opts->cache_dir, named by the
 * SHA-256 (hex) of the key text.  The key text is
 *     "kxen-config probe key v3\n"
 *     "cmd\t<cmd>\n"
 *     "cwd\t<absolute working directory>\n"  or  "cwd\t(any, writable)\n" /
 *                                              "cwd\t(any, read-only)\n"
 *     "envsha256\t<SHA-256 of the env lines>\n"
 *     "file\t<realpath>\t<size>\t<mtime s.ns>\t<inode>\n"   sorted, unique,
 *     "rel\t<name>\t<none|file|dir|other>\n"         with the file lines
 * where the working directory is named only when the command may depend
 * on it beyond the files it names (cwd_sensitive: pwd/PWD, globs, cd, ls,
 * ./ and ../ paths); otherwise only whether it is writable counts, so the
 * answers hold for every object directory (v2 keyed every probe by the
 * directory: each new O= ran all of them again); and the env lines are
 * "env\t<NAME=VALUE>\n", one per variable, sorted (strcmp), except "_",
 * OLDPWD, SHLVL and PWD.  (v1 had the env lines
 * themselves: a make environment is 10-20 KB, and hashing it again for
 * each of a tree's ~100 probes was 15% of a warm olddefconfig.)
 * (every field escaped as in record files: \\ \t \n), where the files are
 * the regular files the command names: every word containing '/' (also the
 * part after '=' in words like --opt=/path), relative ones taken from the
 * working directory (each also gives a "rel" line: what that name is
 * there, so that a name that exists in one directory and not in another
 * is a miss), and every bare word that a PATH search (the env's
 * PATH) finds, which covers the first word of each simple command and
 * programs passed as arguments (scripts/cc-version.sh gcc).  A cache file
 * holds
 *     "# kxen-config probe cache entry v3\n" <key text> "answer\t<answer>\n"
 * and is written atomically; a file that does not match this exactly (other
 * key: a hash collision, truncated, corrupt) is a miss.  A hit sets the
 * entry's mtime to now.  The directory is kept bounded: when writing an
 * entry makes more than cache_max entries (counted once per runner with
 * readdir, then incremented), the entries with the oldest mtime are
 * deleted until 80% of cache_max remain (least recently used first).  Only
 * files named like entries are ever deleted, and a failure to list or
 * delete is ignored.
 *
 * Record/replay files: one "command<TAB>answer" line per probe, with '\\',
 * TAB and newline escaped as \\, \t, \n in both fields.  Every command a
 * kx_shell answers (from any source) is recorded once, as it is answered.
 */
#include "shell.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/util.h"
#include "parser/env.h"

#define CONF_READ_MAX	4096	/* conf's buffer: reads 4096, keeps 4095 */
#define CACHE_MAX_DEFAULT 20000	/* persistent cache entries */

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
	e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
		     ((a & b) ^ (a & cc) ^ (b & cc));
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

static void sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	while (n) {
		size_t k = 64 - c->nbuf;

		if (k > n)
			k = n;
		memcpy(c->buf + c->nbuf, p, k);
		c->nbuf += k;
		p += k;
		n -= k;
		if (c->nbuf == 64) {
			sha256_block(c, c->buf);
			c->nbuf = 0;
		}
	}
}

/* Writes the digest as 64 lowercase hex digits + NUL into hex[65]. */
static void sha256_final_hex(struct sha256 *c, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = c->len * 8;
	unsigned char pad = 0x80, len8[8];
	int i;

	sha256_update(c, &pad, 1);
	pad = 0;
	while (c->nbuf != 56)
		sha256_update(c, &pad, 1);
	for (i = 0; i < 8; i++)
		len8[i] = bits >> (56 - 8 * i);
	sha256_update(c, len8, 8);
	for (i = 0; i < 32; i++) {
		unsigned char byte = c->h[i / 4] >> (24 - 8 * (i % 4));

		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 15];
	}
	hex[64] = '\0';
}

static void sha256_hex(const void *data, size_t n, char hex[65])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final_hex(&c, hex);
}

/* ---- string -> string maps (key and value copied) on util's kx_map ---- */

static const char *strmap_get(const struct kx_map *m, const char *key)
{
	return kx_map_gets(m, key);
}

/* Sets key -> val, replacing an earlier value. */
static void strmap_set(struct kx_map *m, const char *key, const char *val)
{
	free(kx_map_sets(m, key, kx_xstrdup(val)));
}

static void strmap_clear(struct kx_map *m)
{
	void *val;

	for (size_t i = 0; kx_map_next(m, &i, &val);)
		free(val);
	kx_map_free(m);
}

/* ---- escaping for record/replay/cache text ------------------------------ */

static void escape_into(struct kx_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': kx_buf_puts(b, "\\\\"); break;
		case '\t': kx_buf_puts(b, "\\t"); break;
		case '\n': kx_buf_puts(b, "\\n"); break;
		default: kx_buf_putc(b, *s); break;
		}
	}
}

/* Unescapes [s, e); returns false on a malformed escape. */
static bool unescape_range(struct kx_buf *b, const char *s, const char *e)
{
	for (; s < e; s++) {
		if (*s != '\\') {
			kx_buf_putc(b, *s);
			continue;
		}
		if (++s == e)
			return false;
		switch (*s) {
		case '\\': kx_buf_putc(b, '\\'); break;
		case 't': kx_buf_putc(b, '\t'); break;
		case 'n': kx_buf_putc(b, '\n'); break;
		default: return false;
		}
	}
	return true;
}

/* ---- the runner ----------------------------------------------------------- */

struct kx_shell {
	struct kx_env *env;
	enum kx_probe_policy policy;
	char *cache_dir;	/* NULL: cache off */
	size_t cache_max;	/* prune above this many entries */
	long cache_count;	/* entries in cache_dir (estimate), -1: unknown */
	char *cwd;		/* opts->cwd as given, or NULL */
	char *cwd_abs;		/* absolute working directory of probes */
	double timeout;
	int (*prepare)(void *ctx, const char *cmd);
	void *prepare_ctx;
	int record_fd;		/* -1: not recording */

	struct kx_map memo;	/* env-hash + " " + cmd -> answer */
	struct kx_map replay;	/* cmd -> answer */
	struct kx_map pathmemo;	/* word -> resolved path or "" */
	char *pathmemo_path;	/* PATH the pathmemo was computed with */
	struct kx_map realmemo;	/* path -> its identity line, or "" */
	/* the env's key lines and their SHA-256, for env generation envgen */
	char *envtext;
	char envhex[65];
	unsigned long envgen;

	struct kx_shell_stats st;
	char *last_error;
};

static void set_error(struct kx_shell *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct kx_shell *sh, const char *fmt, ...)
{
	struct kx_buf b = KX_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kx_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(sh->last_error);
	sh->last_error = kx_buf_detach(&b);
}

/* Fails a probe that ran out of time (kx_proc_run killed its group). */
static int timed_out(struct kx_shell *sh, const char *cmd)
{
	set_error(sh, "probe timed out after %g s (killed): %s", sh->timeout,
		  cmd);
	return KX_ELIMIT;
}

/*
 * How a probe's process is started (util/proc.h): 'path' with 'argv' and
 * the env's environment, stdin from /dev/null, in the probe directory, in a
 * new process group, with default signal dispositions and an empty signal
 * mask, within the time limit.  Standard output and error are the
 * caller's to set.
 */
static struct kx_proc_opts probe_opts(struct kx_shell *sh, const char *path,
				      char *const argv[])
{
	struct kx_proc_opts po;

	memset(&po, 0, sizeof(po));
	po.file = path;
	po.argv = argv;
	po.envp = kx_env_vector(sh->env);
	po.cwd = sh->cwd;
	po.in.io = KX_PROC_NULL;
	po.new_group = true;
	po.reset_signals = true;
	po.timeout = sh->timeout;
	return po;
}

/*
 * Runs a probe process with stdout and stderr to /dev/null (the fast
 * path).  Returns 0 with *status set, KX_ELIMIT (timed out, killed), or a
 * positive errno when it could not be started.
 */
static int spawn_quiet(struct kx_shell *sh, const char *path, char *const argv[],
		       int *status)
{
	struct kx_proc_opts po = probe_opts(sh, path, argv);
	struct kx_proc_result res;
	int err;

	po.out.io = KX_PROC_NULL;
	po.err.io = KX_PROC_STDOUT;
	err = kx_proc_run(&po, &res);
	if (res.started)
		sh->st.spawned++;
	if (err == KX_ELIMIT)
		return KX_ELIMIT;
	if (err)
		return res.error ? res.error : EINVAL;
	*status = res.status;
	return 0;
}

/* Applies conf's do_shell() rules to the bytes read. */
static char *conf_output(char *buf, size_t n)
{
	size_t i;

	if (n == CONF_READ_MAX)
		n--;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	return kx_xstrndup(buf, strnlen(buf, n));
}

/* Runs "/bin/sh -c cmd" as conf's popen() would. */
static int run_sh(struct kx_shell *sh, const char *cmd, char **out)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	struct kx_proc_opts po = probe_opts(sh, "/bin/sh", argv);
	struct kx_proc_result res;
	struct kx_buf buf = KX_BUF_INIT;
	char *bytes;
	int err;

	/* stderr inherited; at most conf's 4096 bytes, then the pipe closes */
	po.out.io = KX_PROC_PIPE;
	po.capture = &buf;
	po.capture_max = CONF_READ_MAX;
	err = kx_proc_run(&po, &res);
	if (res.started)
		sh->st.spawned++;
	bytes = kx_buf_detach(&buf);
	if (err == KX_ELIMIT) {
		free(bytes);
		return timed_out(sh, cmd);
	}
	if (err) {
		free(bytes);
		if (res.spawn_failed)
			set_error(sh, "cannot run /bin/sh: %s: %s", strerror(res.error), cmd);
		else
			set_error(sh, "cannot create a pipe: %s: %s", strerror(res.error), cmd);
		return KX_EIO;
	}
	*out = conf_output(bytes, res.nread);
	free(bytes);
	return 0;
}

/* ---- the fast path -------------------------------------------------------- */

static bool is_safe_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_./=,+:@%^-", c) != NULL;
}

/* Shell reserved words and builtins of dash and bash: never fast. */
static bool is_shell_word(const char *w)
{
	static const char *const words[] = {
		".", ":", "alias", "bg", "bind", "break", "builtin", "caller",
		"case", "cd", "chdir", "command", "compgen", "complete",
		"compopt", "continue", "coproc", "declare", "dirs", "disown",
		"do", "done", "echo", "elif", "else", "enable", "esac", "eval",
		"exec", "exit", "export", "false", "fc", "fg", "fi", "for",
		"function", "getopts", "hash", "help", "history", "if", "in",
		"jobs", "kill", "let", "local", "logout", "mapfile", "popd",
		"printf", "pushd", "pwd", "read", "readarray", "readonly",
		"return", "select", "set", "shift", "shopt", "source",
		"suspend", "test", "then", "time", "times", "trap", "true",
		"type", "typeset", "ulimit", "umask", "unalias", "unset",
		"until", "wait", "while",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* A word echo prints as is (dash and bash): safe chars, not an option. */
static bool is_echo_word(const char *s, const char *e)
{
	const char *p;

	for (p = s; p < e; p++)
		if (!is_safe_char(*p))
			return false;
	if (e - s >= 2 && *s == '-') {
		for (p = s + 1; p < e && strchr("neE", *p); p++)
			;
		if (p == e)
			return false;
	}
	return true;
}

struct fast_probe {
	char **argv;	/* NULL-terminated, malloc'd words */
	char *yes;	/* answer when the command succeeds */
	char *no;
};

static void fast_probe_free(struct fast_probe *fp)
{
	char **a;

	if (fp->argv)
		for (a = fp->argv; *a; a++)
			free(*a);
	free(fp->argv);
	free(fp->yes);
	free(fp->no);
	memset(fp, 0, sizeof(*fp));
}

/* Recognises the if-success shape with a simple command; see the top. */
static bool parse_fast_probe(const char *cmd, struct fast_probe *fp)
{
	static const char mid[] = "; } >/dev/null 2>&1 && echo \"";
	static const char alt[] = "\" || echo \"";
	const char *body, *body_end, *a, *a_end, *b, *b_end, *p;
	size_t nw = 0;

	memset(fp, 0, sizeof(*fp));
	if (strncmp(cmd, "{ ", 2))
		return false;
	body = cmd + 2;
	body_end = strstr(body, mid);
	if (!body_end)
		return false;
	a = body_end + strlen(mid);
	a_end = strchr(a, '"');
	if (!a_end || strncmp(a_end, alt, strlen(alt)))
		return false;
	b = a_end + strlen(alt);
	b_end = strchr(b, '"');
	if (!b_end || b_end[1] != '\0')
		return false;
	if (!is_echo_word(a, a_end) || !is_echo_word(b, b_end))
		return false;

	for (p = body; p < body_end; p++)
		if (*p != ' ' && *p != '\t' && !is_safe_char(*p))
			return false;

	fp->argv = kx_xcalloc(body_end - body + 2, sizeof(char *));
	for (p = body; p < body_end;) {
		const char *w;

		while (p < body_end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == body_end)
			break;
		w = p;
		while (p < body_end && *p != ' ' && *p != '\t')
			p++;
		fp->argv[nw++] = kx_xstrndup(w, p - w);
	}
	if (nw == 0 || strchr(fp->argv[0], '=') || is_shell_word(fp->argv[0])) {
		fast_probe_free(fp);
		return false;
	}
	fp->yes = kx_xstrndup(a, a_end - a);
	fp->no = kx_xstrndup(b, b_end - b);
	return true;
}

/*
 * Whether 'path' (relative paths are in the probe directory) starts like
 * something execve() runs itself: "#!" or an ELF header.  Other files go
 * through sh, which decides (a file without "#!" is run as a script; the
 * kernel may know more formats through binfmt_misc).  We do not rely on
 * posix_spawn() reporting ENOEXEC: that depends on the C library and is
 * not reported at all under valgrind.
 */
static bool directly_executable(struct kx_shell *sh, const char *path)
{
	unsigned char magic[4] = { 0 };
	char *abs = NULL;
	ssize_t n;
	int fd;

	if (path[0] != '/')
		path = abs = kx_xasprintf("%s/%s", sh->cwd_abs, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	free(abs);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR;	/* sh: 127 */
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return (n >= 2 && magic[0] == '#' && magic[1] == '!') ||
	       (n == 4 && !memcmp(magic, "\177ELF", 4));
}

/*
 * Errors of execve() itself, for which sh reports 126/127; anything else
 * (fork or chdir failing, ...) sends the probe through sh, which then
 * reports it properly.
 */
static bool exec_error(int err)
{
	switch (err) {
	case ENOENT: case ENOTDIR: case EACCES: case EPERM: case ELOOP:
	case ENAMETOOLONG: case ETXTBSY: case EISDIR: case ENOEXEC:
		return true;
	}
	return false;
}

/* What starting a fast-path program came to. */
enum {
	FAST_RAN = 0,	/* it ran: its status decides */
	FAST_NO,	/* not found or not executable: sh exits 126 or 127 */
	FAST_SH,	/* the fast path does not apply after all: run through sh */
	FAST_SCRIPT,	/* not an executable format (ENOEXEC): sh runs it as a script */
};

/* Runs 'path'; returns a FAST_* or KX_ELIMIT. */
static int start_fast(struct kx_shell *sh, const char *path, char *const argv[],
		      int *status)
{
	int err = spawn_quiet(sh, path, argv, status);

	if (err <= 0)
		return err;	/* FAST_RAN or KX_ELIMIT */
	if (err == ENOEXEC)
		return FAST_SCRIPT;
	return exec_error(err) ? FAST_NO : FAST_SH;
}

/*
 * Runs the program of a word without '/' from the env's PATH, as sh's
 * search does (an entry it cannot execute: the next one); *cand gets the
 * path tried last.  Returns a FAST_* or KX_ELIMIT.
 */
static int start_from_path(struct kx_shell *sh, const struct fast_probe *fp,
			   struct kx_buf *cand, int *status)
{
	const char *path = kx_env_get(sh->env, "PATH");
	const char *p, *e;
	int r;

	/* sh's own default PATH and relative entries: leave to sh */
	if (!path)
		return FAST_SH;
	for (p = path;; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (e == p || *p != '/')
			return FAST_SH;
		if (!*e)
			break;
	}
	for (p = path;; p = e + 1) {
		struct stat st;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		kx_buf_reset(cand);
		kx_buf_add(cand, p, e - p);
		kx_buf_putc(cand, '/');
		kx_buf_puts(cand, fp->argv[0]);
		if (stat(kx_buf_cstr(cand), &st) == 0 && S_ISREG(st.st_mode)) {
			if (!directly_executable(sh, kx_buf_cstr(cand)))
				return FAST_SH;
			r = start_fast(sh, kx_buf_cstr(cand), fp->argv, status);
			if (r != FAST_NO)
				return r;
		}
		if (!*e)
			return FAST_NO;
	}
}

/* Runs 'prog' as sh runs a file that is no executable format. */
static int start_script(struct kx_shell *sh, const char *prog,
			const struct fast_probe *fp, int *status)
{
	size_t n = 0, i;
	char **argv2;
	int err;

	while (fp->argv[n])
		n++;
	argv2 = kx_xcalloc(n + 2, sizeof(char *));
	argv2[0] = (char *)"/bin/sh";
	argv2[1] = (char *)prog;
	for (i = 1; i < n; i++)
		argv2[i + 1] = fp->argv[i];
	err = spawn_quiet(sh, "/bin/sh", argv2, status);
	free(argv2);
	if (err == KX_ELIMIT)
		return KX_ELIMIT;
	return err ? FAST_NO : FAST_RAN;
}

/*
 * Runs a recognised probe.  Returns 1 with *out set, 0 when the fast path
 * does not apply after all (run through sh), or a negative KX_E* code.
 */
static int run_fast(struct kx_shell *sh, const char *cmd,
		    const struct fast_probe *fp, char **out)
{
	const char *prog = fp->argv[0];
	struct kx_buf cand = KX_BUF_INIT;
	int status = 0, r;

	if (strchr(prog, '/')) {
		/* also a directory or a script without "#!": sh decides */
		r = directly_executable(sh, prog) ?
		    start_fast(sh, prog, fp->argv, &status) : FAST_SH;
	} else {
		r = start_from_path(sh, fp, &cand, &status);
		prog = kx_buf_cstr(&cand);
	}
	if (r == FAST_SCRIPT)
		r = start_script(sh, prog, fp, &status);
	kx_buf_free(&cand);
	if (r == KX_ELIMIT)
		return timed_out(sh, cmd);
	if (r == FAST_SH)
		return 0;
	*out = kx_xstrdup(r == FAST_RAN && WIFEXITED(status) &&
			  WEXITSTATUS(status) == 0 ? fp->yes : fp->no);
	return 1;
}

/* Runs a command (fast path or sh); *out is malloc'd. */
static int run_command(struct kx_shell *sh, const char *cmd, char **out)
{
	struct fast_probe fp;
	int r;

	if (parse_fast_probe(cmd, &fp)) {
		r = run_fast(sh, cmd, &fp, out);
		fast_probe_free(&fp);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return run_sh(sh, cmd, out);
}

/* ---- cache keys ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Variables an interactive shell changes behind the user's back ("_" is
 * the last command run, OLDPWD the previous directory, SHLVL the nesting
 * depth, PWD the working directory) and that no probe reads: keeping them
 * in the key would make every invocation from another place or wrapper a
 * cache miss.  (A command that mentions PWD is keyed by the working
 * directory itself: cwd_sensitive.)
 */
static bool env_is_noise(const char *nv)
{
	return !strncmp(nv, "_=", 2) || !strncmp(nv, "OLDPWD=", 7) ||
	       !strncmp(nv, "SHLVL=", 6) || !strncmp(nv, "PWD=", 4);
}

/*
 * The env as sorted escaped lines "env\tNAME=VALUE\n" (minus noise), and
 * their SHA-256 in sh->envhex; computed once per env generation.
 */
static const char *env_lines(struct kx_shell *sh)
{
	char *const *vec;
	size_t n = 0, i;
	char **sorted;
	struct kx_buf key = KX_BUF_INIT;

	if (sh->envtext && sh->envgen == kx_env_generation(sh->env))
		return sh->envtext;
	vec = kx_env_vector(sh->env);
	while (vec[n])
		n++;
	sorted = kx_xcalloc(n + 1, sizeof(char *));
	memcpy(sorted, vec, n * sizeof(char *));
	qsort(sorted, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		if (env_is_noise(sorted[i]))
			continue;
		kx_buf_puts(&key, "env\t");
		escape_into(&key, sorted[i]);
		kx_buf_putc(&key, '\n');
	}
	free(sorted);
	free(sh->envtext);
	sh->envtext = kx_buf_detach(&key);
	sha256_hex(sh->envtext, strlen(sh->envtext), sh->envhex);
	sh->envgen = kx_env_generation(sh->env);
	return sh->envtext;
}

/* PATH search for a bare word, memoized per PATH; NULL: not found. */
static const char *path_lookup(struct kx_shell *sh, const char *word)
{
	const char *path = kx_env_get(sh->env, "PATH");
	const char *hit;
	char *found = NULL;

	if (!path)
		path = "";
	if (!sh->pathmemo_path || strcmp(sh->pathmemo_path, path)) {
		strmap_clear(&sh->pathmemo);
		free(sh->pathmemo_path);
		sh->pathmemo_path = kx_xstrdup(path);
	}
	hit = strmap_get(&sh->pathmemo, word);
	if (hit)
		return *hit ? hit : NULL;

	/* an empty PATH finds nothing here (an empty entry in a longer one: ".") */
	if (*path)
		found = kx_env_which_in(sh->env, word, sh->cwd_abs);
	strmap_set(&sh->pathmemo, word, found ? found : "");
	free(found);
	hit = strmap_get(&sh->pathmemo, word);
	return *hit ? hit : NULL;
}

/* Appends the identity line of file 'path' (if a regular file) to files. */
static void add_file(struct kx_shell *sh, const char *path, char ***files,
		     size_t *n)
{
	struct kx_buf line = KX_BUF_INIT;
	const char *word = path;
	char *abs = NULL, *real = NULL;
	struct stat st;
	int found;

	if (path[0] != '/')
		path = abs = kx_xasprintf("%s/%s", sh->cwd_abs, path);
	found = stat(path, &st) == 0;
	if (abs) {
		/* a relative name: what it is in this working directory */
		kx_buf_puts(&line, "rel\t");
		escape_into(&line, word);
		kx_buf_printf(&line, "\t%s\n", !found ? "none" : S_ISREG(st.st_mode) ?
				     "file" : S_ISDIR(st.st_mode) ? "dir" : "other");
		*files = kx_xrealloc(*files, (*n + 1) * sizeof(char *));
		(*files)[(*n)++] = kx_buf_detach(&line);
	}
	if (found && S_ISREG(st.st_mode)) {
		/* realpath() is a readlink per component: once per path */
		const char *memo = strmap_get(&sh->realmemo, path);

		if (memo) {
			real = kx_xstrdup(memo);
		} else {
			real = realpath(path, NULL);
			if (real)
				strmap_set(&sh->realmemo, path, real);
		}
	}
	if (real) {
		kx_buf_puts(&line, "file\t");
		escape_into(&line, real);
		kx_buf_printf(&line, "\t%lld\t%lld.%09ld\t%llu\n",
			      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			      (long)st.st_mtim.tv_nsec,
			      (unsigned long long)st.st_ino);
		*files = kx_xrealloc(*files, (*n + 1) * sizeof(char *));
		(*files)[(*n)++] = kx_buf_detach(&line);
	}
	free(real);
	free(abs);
}

static bool is_command_name(const char *w)
{
	if (!*w || *w == '-' || *w == '.')
		return false;
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		      (*w >= '0' && *w <= '9') || strchr("_.+-", *w)))
			return false;
	return true;
}

/* The identities of every file 'cmd' names, sorted and unique. */
static void add_file_lines(struct kx_shell *sh, struct kx_buf *key,
			   const char *cmd)
{
	static const char seps[] = " \t\n;|&(){}<>`";
	struct kx_buf word = KX_BUF_INIT;
	char **files = NULL;
	size_t n = 0, i;
	const char *p = cmd;

	for (;;) {
		if (*p && !strchr(seps, *p)) {
			if (*p != '"' && *p != '\'')
				kx_buf_putc(&word, *p);
			p++;
			continue;
		}
		if (word.len) {
			const char *w = kx_buf_cstr(&word);
			const char *eq = strchr(w, '=');

			if (strchr(w, '/')) {
				add_file(sh, w, &files, &n);
			} else if (is_command_name(w)) {
				const char *hit = path_lookup(sh, w);

				if (hit)
					add_file(sh, hit, &files, &n);
			}
			if (eq && strchr(eq + 1, '/'))
				add_file(sh, eq + 1, &files, &n);
			kx_buf_reset(&word);
		}
		if (!*p)
			break;
		p++;
	}
	kx_buf_free(&word);

	if (n)	/* qsort(NULL, 0) is undefined (glibc: nonnull) */
		qsort(files, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(files[i], files[i - 1]))
			kx_buf_puts(key, files[i]);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/*
 * Whether the answer of 'cmd' may depend on the working directory beyond
 * the files it names (which the key holds by identity) and whether it can
 * write there: a command that mentions pwd or PWD, globs (outside
 * quotes), changes or lists directories, or names paths relative to "."
 * or "..".  Kconfig's probes do none of this (cc-option makes and removes
 * its own .tmp_$$ directory), so their answers are shared between object
 * directories (O=).
 */
static bool cwd_sensitive(const char *cmd)
{
	static const char *const words[] = { ".", "..", "cd", "pushd", "popd",
					     "dirs", "ls", "find", "du" };
	char *bare = kx_xstrdup(cmd), q = 0, *p;
	bool sens = strcasestr(cmd, "pwd") != NULL;	/* also "$PWD" in quotes */

	/* quoted text is data (C source fed to $(CC)): blank it out */
	for (p = bare; *p; p++) {
		if (q == '"' && *p == '\\' && p[1]) {
			*p++ = ' ';
			*p = ' ';
		} else if (q && *p == q) {
			q = 0;
			*p = ' ';
		} else if (q) {
			*p = ' ';
		} else if (*p == '\'' || *p == '"') {
			q = *p;
			*p = ' ';
		} else if (*p == '\\' && p[1]) {
			p++;
		}
	}
	if (strpbrk(bare, "*?["))
		sens = true;	/* a glob */
	for (p = bare; !sens && *p;) {
		size_t n;

		p += strspn(p, " \t\n;|&(){}<>`=");
		n = strcspn(p, " \t\n;|&(){}<>`=");
		if (!n)
			break;
		if (!strncmp(p, "./", 2) || !strncmp(p, "../", 3))
			sens = true;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i]) == n && !strncmp(p, words[i], n))
				sens = true;
		p += n;
	}
	free(bare);
	return sens;
}

/* The full cache key text of 'cmd' now (see the top of the file). */
static char *cache_key(struct kx_shell *sh, const char *cmd)
{
	struct kx_buf key = KX_BUF_INIT;

	kx_buf_puts(&key, "kxen-config probe key v3\ncmd\t");
	escape_into(&key, cmd);
	kx_buf_puts(&key, "\ncwd\t");
	if (cwd_sensitive(cmd))
		escape_into(&key, sh->cwd_abs);
	else
		kx_buf_puts(&key, access(sh->cwd_abs, W_OK) ? "(any, read-only)" :
							      "(any, writable)");
	kx_buf_putc(&key, '\n');
	env_lines(sh);
	kx_buf_printf(&key, "envsha256\t%s\n", sh->envhex);
	add_file_lines(sh, &key, cmd);
	return kx_buf_detach(&key);
}

static const char cache_magic[] = "# kxen-config probe cache entry v3\n";

static char *cache_path(struct kx_shell *sh, const char *key)
{
	char hex[65];

	sha256_hex(key, strlen(key), hex);
	return kx_xasprintf("%s/%s", sh->cache_dir, hex);
}

/* Looks 'key' up; returns a malloc'd answer or NULL (miss, corrupt). */
static char *cache_read(struct kx_shell *sh, const char *key)
{
	char *path = cache_path(sh, key), *data = NULL, *ans = NULL;
	size_t len, ml = strlen(cache_magic), kl = strlen(key);
	struct kx_buf b = KX_BUF_INIT;
	const char *p, *end;

	struct stat st;

	/* an entry someone else wrote (a shared cache directory) is not trusted */
	if (stat(path, &st) < 0 || st.st_uid != geteuid() ||
	    kx_read_file(&data, &len, path) < 0)
		goto out;
	if (len < ml + kl || memcmp(data, cache_magic, ml) ||
	    memcmp(data + ml, key, kl))
		goto out;
	p = data + ml + kl;
	end = data + len;
	if ((size_t)(end - p) < 8 || memcmp(p, "answer\t", 7) || end[-1] != '\n')
		goto out;
	p += 7;
	if (memchr(p, '\n', end - 1 - p) || memchr(p, '\0', end - 1 - p))
		goto out;
	if (!unescape_range(&b, p, end - 1))
		goto out;
	ans = kx_buf_detach(&b);
	/* recently used: pruning removes the entries with the oldest mtime */
	(void)utimensat(AT_FDCWD, path, NULL, 0);
out:
	kx_buf_free(&b);
	free(data);
	free(path);
	return ans;
}

/* A cache entry's file name: 64 lowercase hex digits. */
static bool is_entry_name(const char *name)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return name[64] == '\0';
}

struct cache_ent {
	char name[65];
	struct timespec mtime;
};

static int cmp_cache_ent(const void *a, const void *b)
{
	const struct cache_ent *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Lists the cache entries (regular files with entry names; nothing else in
 * the directory is ever touched).  Returns the number, or -1 when the
 * directory cannot be read.  *ents (may be NULL) gets a malloc'd array.
 */
static long list_cache(struct kx_shell *sh, struct cache_ent **ents)
{
	struct cache_ent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir = opendir(sh->cache_dir);
	int dfd;

	if (ents)
		*ents = NULL;
	if (!dir)
		return -1;
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		struct stat st;

		if (!is_entry_name(de->d_name))
			continue;
		if (!ents) {
			n++;
			continue;
		}
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = kx_xrealloc(v, cap * sizeof(*v));
		}
		memcpy(v[n].name, de->d_name, 65);
		v[n].mtime = st.st_mtim;
		n++;
	}
	closedir(dir);
	if (ents)
		*ents = v;
	return (long)n;
}

/*
 * Deletes the least recently used entries (oldest mtime; a hit updates the
 * mtime) until at most 80% of cache_max remain, never 'keep' (the entry
 * just written).  Failures are ignored: pruning never fails a probe.
 */
static void prune_cache(struct kx_shell *sh, const char *keep)
{
	struct cache_ent *v = NULL;
	long n = list_cache(sh, &v), i, target;
	int dfd;
	DIR *dir;

	if (n < 0)
		return;
	target = (long)(sh->cache_max - sh->cache_max / 5);	/* 80% */
	sh->cache_count = n;
	if (n <= target) {
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_cache_ent);
	dir = opendir(sh->cache_dir);
	dfd = dir ? dirfd(dir) : -1;
	for (i = 0; i < n && sh->cache_count > target && dfd >= 0; i++) {
		if (!strcmp(v[i].name, keep))
			continue;
		if (unlinkat(dfd, v[i].name, 0) == 0 || errno == ENOENT)
			sh->cache_count--;
	}
	if (dir)
		closedir(dir);
	free(v);
}

static void cache_write(struct kx_shell *sh, const char *key, const char *ans)
{
	struct kx_buf b = KX_BUF_INIT;
	char *path = cache_path(sh, key);

	kx_buf_puts(&b, cache_magic);
	kx_buf_puts(&b, key);
	kx_buf_puts(&b, "answer\t");
	escape_into(&b, ans);
	kx_buf_putc(&b, '\n');
	if (kx_write_file_atomic(path, kx_buf_cstr(&b), b.len, NULL) == 0) {
		if (sh->cache_count < 0)
			sh->cache_count = list_cache(sh, NULL);
		else
			sh->cache_count++;
		if (sh->cache_count > (long)sh->cache_max)
			prune_cache(sh, strrchr(path, '/') + 1);
	}
	kx_buf_free(&b);
	free(path);
}

/* ---- memo, record, replay ----------------------------------------------- */

static char *memo_key(struct kx_shell *sh, const char *cmd)
{
	env_lines(sh);
	return kx_xasprintf("%s %s", sh->envhex, cmd);
}

static void record(struct kx_shell *sh, const char *cmd, const char *ans)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t off = 0;

	if (sh->record_fd < 0)
		return;
	escape_into(&b, cmd);
	kx_buf_putc(&b, '\t');
	escape_into(&b, ans);
	kx_buf_putc(&b, '\n');
	while (off < b.len) {
		ssize_t r = write(sh->record_fd, b.s + off, b.len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += r;
	}
	kx_buf_free(&b);
}

static int load_replay(struct kx_shell *sh, const char *file)
{
	char *data = NULL, *p, *nl, *tab;
	struct kx_buf c = KX_BUF_INIT, a = KX_BUF_INIT;
	size_t len;
	int err;

	err = kx_read_file(&data, &len, file);
	if (err < 0) {
		set_error(sh, "cannot read probe replay file %s: %s", file,
			  strerror(errno));
		return KX_EIO;
	}
	for (p = data; p < data + len; p = nl + 1) {
		nl = memchr(p, '\n', data + len - p);
		if (!nl)
			nl = data + len;
		tab = memchr(p, '\t', nl - p);
		kx_buf_reset(&c);
		kx_buf_reset(&a);
		if (tab && unescape_range(&c, p, tab) &&
		    unescape_range(&a, tab + 1, nl))
			strmap_set(&sh->replay, kx_buf_cstr(&c), kx_buf_cstr(&a));
	}
	kx_buf_free(&c);
	kx_buf_free(&a);
	free(data);
	return 0;
}

/* ---- public interface ------------------------------------------------------ */

/*
 * Creates a probe runner in *out (free with kx_shell_free).  Returns 0,
 * KX_ENOMEM, or KX_EIO when the record file cannot be opened or the replay
 * file cannot be read (kx_shell_last_error() is not available then: the
 * runner is not created).
 */
int kx_shell_new(struct kx_shell **out, struct kx_env *env,
		 const struct kx_shell_opts *opts)
{
	struct kx_shell *sh = NULL;
	int err = 0;

	*out = NULL;
	sh = calloc(1, sizeof(*sh));
	if (!sh)
		return KX_ENOMEM;
	sh->env = env;
	sh->record_fd = -1;
	sh->policy = opts ? opts->policy : KX_PROBES_RUN;
	sh->timeout = opts && opts->timeout > 0 ? opts->timeout : 60;
	if (opts) {
		sh->prepare = opts->prepare;
		sh->prepare_ctx = opts->prepare_ctx;
	}
	if (opts && opts->cwd) {
		sh->cwd = kx_xstrdup(opts->cwd);
		sh->cwd_abs = realpath(opts->cwd, NULL);
		if (!sh->cwd_abs)
			sh->cwd_abs = kx_xstrdup(opts->cwd);
	} else {
		sh->cwd_abs = getcwd(NULL, 0);
		if (!sh->cwd_abs)
			sh->cwd_abs = kx_xstrdup(".");
	}
	if (opts && opts->cache_dir && *opts->cache_dir &&
	    kx_mkdir_p(opts->cache_dir, 0755) == 0) {
		sh->cache_dir = kx_xstrdup(opts->cache_dir);
		sh->st.cache_enabled = true;
	}
	sh->cache_count = -1;
	sh->cache_max = opts && opts->cache_max ? opts->cache_max : 0;
	if (!sh->cache_max) {
		const char *v = kx_env_get(env, "KX_PROBE_CACHE_MAX");
		char *end = NULL;
		unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;

		sh->cache_max = n > 0 && !*end && v[0] != '-' ? (size_t)n :
				CACHE_MAX_DEFAULT;
	}
	if (opts && opts->replay_file) {
		err = load_replay(sh, opts->replay_file);
		if (err < 0)
			goto out;
	}
	if (opts && opts->record_file) {
		sh->record_fd = open(opts->record_file,
				     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (sh->record_fd < 0) {
			err = KX_EIO;
			goto out;
		}
	}
out:
	if (err < 0) {
		kx_shell_free(sh);
		return err;
	}
	*out = sh;
	return 0;
}

/* Frees the runner (closes the record file). */
void kx_shell_free(struct kx_shell *sh)
{
	if (!sh)
		return;
	if (sh->record_fd >= 0)
		close(sh->record_fd);
	strmap_clear(&sh->memo);
	strmap_clear(&sh->replay);
	strmap_clear(&sh->pathmemo);
	strmap_clear(&sh->realmemo);
	free(sh->envtext);
	free(sh->pathmemo_path);
	free(sh->cache_dir);
	free(sh->cwd);
	free(sh->cwd_abs);
	free(sh->last_error);
	free(sh);
}

/* Answers 'cmd' (see shell.h); *out is malloc'd, the caller frees it. */
/* kx_shell_run(), or with may_run false kx_shell_peek() */
static int answer(struct kx_shell *sh, const char *cmd, char **out, bool may_run)
{
	char *mkey = NULL, *ckey = NULL, *ans = NULL;
	const char *hit;
	int err = 0;

	*out = NULL;
	if (sh->policy == KX_PROBES_DENY) {
		if (!may_run)
			return KX_ENOTFOUND;
		sh->st.calls++;
		set_error(sh, "probe denied by --probes=deny: %s", cmd);
		return KX_EDENIED;
	}
	sh->st.calls++;

	mkey = memo_key(sh, cmd);
	hit = strmap_get(&sh->memo, mkey);
	if (hit) {
		sh->st.memo_hits++;
		ans = kx_xstrdup(hit);
		goto done_quiet;
	}
	hit = strmap_get(&sh->replay, cmd);
	if (hit) {
		sh->st.replay_hits++;
		ans = kx_xstrdup(hit);
		goto done;
	}
	if (sh->cache_dir) {
		ckey = cache_key(sh, cmd);
		ans = cache_read(sh, ckey);
		if (ans) {
			sh->st.cache_hits++;
			goto done;
		}
	}
	if (!may_run) {
		sh->st.calls--;		/* not answered: no call */
		err = KX_ENOTFOUND;
		goto out;
	}
	if (sh->policy == KX_PROBES_CACHE_ONLY) {
		set_error(sh, "probe not in cache (--probes=cache-only): %s", cmd);
		err = KX_EDENIED;
		goto out;
	}
	if (sh->prepare) {
		err = sh->prepare(sh->prepare_ctx, cmd);
		if (err < 0) {
			set_error(sh, "cannot prepare probe (%s): %s",
				  kx_strerror(err), cmd);
			goto out;
		}
		err = 0;
		if (sh->cache_dir) {
			/* files the preparation created are part of the key */
			char *k2 = cache_key(sh, cmd);

			if (strcmp(k2, ckey)) {
				free(ckey);
				ckey = k2;
				ans = cache_read(sh, ckey);
				if (ans) {
					sh->st.cache_hits++;
					goto done;
				}
			} else {
				free(k2);
			}
		}
	}
	err = run_command(sh, cmd, &ans);
	if (err < 0)
		goto out;
	if (ckey)
		cache_write(sh, ckey, ans);
done:
	record(sh, cmd, ans);
	strmap_set(&sh->memo, mkey, ans);
done_quiet:
	*out = ans;
	ans = NULL;
out:
	free(ans);
	free(mkey);
	free(ckey);
	return err;
}

int kx_shell_run(struct kx_shell *sh, const char *cmd, char **out)
{
	return answer(sh, cmd, out, true);
}

int kx_shell_peek(struct kx_shell *sh, const char *cmd, char **out)
{
	return answer(sh, cmd, out, false);
}

/* The last error message ("" if none); owned by the runner. */
const char *kx_shell_last_error(const struct kx_shell *sh)
{
	return sh->last_error ? sh->last_error : "";
}

/* Copies the counters into *st. */
void kx_shell_stats(const struct kx_shell *sh, struct kx_shell_stats *st)
{
	*st = sh->st;
}
