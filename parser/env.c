// SPDX-License-Identifier: MIT
/*
 * env.c - the environment Kconfig sees, and how the kernel's Makefile
 * derives it.
 *
 * kx_env is an ordered NAME=VALUE map (insertion order; kx_env_set on an
 * existing name replaces the value in place) with a cached execve()
 * vector.
 *
 * kx_env_derive() reproduces what `make [NAME=VALUE...] ARCH=... olddefconfig`
 * exports to scripts/kconfig/conf, measured with strace on Debian's 6.1
 * and 6.12 trees (x86_64, i386, arm64, m68k, arc, sh, loongarch; gcc and
 * LLVM=1; stray values in the environment and on the command line) and
 * read from the top Makefile, scripts/subarch.include,
 * scripts/Makefile.clang, scripts/Makefile.compiler, scripts/kconfig/Makefile
 * and arch/$(SRCARCH)/Makefile.  The variables and their Makefile operators
 * are listed in env.h.
 *
 * make's precedence, which the derivation follows (struct derive,
 * make_set()):
 *   - command-line assignments win over every Makefile assignment (except
 *     `override`, which no variable we derive uses) and are exported,
 *     even through the sub-make that runs conf: a command-line LC_ALL
 *     reaches conf although the top Makefile unexports LC_ALL;
 *   - NAME = / NAME := in a Makefile replaces an environment value, and
 *     make still exports the variable (with the Makefile's value) because
 *     it came from the environment: an environment SUBARCH=foo reaches
 *     conf as the host's SUBARCH, CLANG_FLAGS=x as "" (CLANG_FLAGS :=);
 *   - NAME ?= keeps an environment value (ARCH, KCONFIG_CONFIG);
 *   - variables only read (LLVM, LLVM_IAS, CROSS_COMPILE, cross_compiling,
 *     USERCFLAGS, ...) come from the command line or the environment.
 *
 * The order of evaluation matters in one place: the top Makefile includes
 * scripts/Makefile.clang (CLANG_FLAGS, using CROSS_COMPILE) before
 * arch/$(SRCARCH)/Makefile, which may then set CROSS_COMPILE with
 * cc-cross-prefix (and may change a tool: alpha's NM := $(NM) -B); CC and
 * CC_VERSION_TEXT are recursive variables and are exported with the final
 * CROSS_COMPILE.  The arch Makefile is evaluated by a small make
 * interpreter (conditionals, assignments, foreach, and cc-cross-prefix,
 * which searches PATH for ${prefix}gcc like `command -v`); it never runs a
 * $(shell ...), so what depends on one is not reproduced (6.1 powerpc's
 * NM --synthetic; a CROSS_COMPILE depending on one gets a warning).
 * In 6.1 and 6.12, m68k, mips, parisc, powerpc, sh and xtensa only do so
 * under `ifdef cross_compiling`, which nothing in those trees defines: only
 * cross_compiling=1 in the environment or on the command line enables it
 * (it also drops the host files from KCONFIG_DEFCONFIG_LIST); arc does it
 * whenever CROSS_COMPILE is empty, loongarch when ARCH differs from SUBARCH.
 *
 * srctree is always the tree's absolute directory (make uses "." in-tree,
 * ".." from a subdirectory, the absolute path with O= elsewhere).
 */
#include "env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/util.h"
#include "parser/shell.h"
#include "parser/tree.h"

struct kx_env {
	char **names;
	char **values;
	size_t n, cap;
	char **vec;		/* cached "NAME=VALUE" vector, or NULL */
	unsigned long gen;	/* changes whenever a variable does */
};

static void drop_vector(struct kx_env *e)
{
	size_t i;

	e->gen++;
	if (!e->vec)
		return;
	for (i = 0; e->vec[i]; i++)
		free(e->vec[i]);
	free(e->vec);
	e->vec = NULL;
}

static long env_find(const struct kx_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->names[i], name))
			return (long)i;
	return -1;
}

/* Returns a new, empty environment (free with kx_env_free). */
struct kx_env *kx_env_new(void)
{
	return kx_xcalloc(1, sizeof(struct kx_env));
}

/* Frees the environment and every string it owns. */
void kx_env_free(struct kx_env *e)
{
	size_t i;

	if (!e)
		return;
	drop_vector(e);
	for (i = 0; i < e->n; i++) {
		free(e->names[i]);
		free(e->values[i]);
	}
	free(e->names);
	free(e->values);
	free(e);
}

/*
 * Copies NAME=VALUE entries; entries without '=' are skipped, and for a
 * name given twice the first wins, as getenv() would see it.
 */
void kx_env_import(struct kx_env *e, char *const *vec)
{
	size_t i, j;

	for (i = 0; vec && vec[i]; i++) {
		const char *eq = strchr(vec[i], '=');
		size_t len;
		char *name;
		bool dup = false;

		if (!eq || eq == vec[i])
			continue;
		len = eq - vec[i];
		for (j = 0; j < i && !dup; j++)
			dup = !strncmp(vec[j], vec[i], len + 1);
		if (dup)
			continue;
		name = kx_xstrndup(vec[i], len);
		kx_env_set(e, name, eq + 1);
		free(name);
	}
}

/* Value of 'name' or NULL; owned by the env. */
const char *kx_env_get(const struct kx_env *e, const char *name)
{
	long i = env_find(e, name);

	return i < 0 ? NULL : e->values[i];
}

/* Sets name=value (copies), replacing an earlier value in place. */
void kx_env_set(struct kx_env *e, const char *name, const char *value)
{
	long i = env_find(e, name);
	char *v = kx_xstrdup(value);

	drop_vector(e);
	if (i >= 0) {
		free(e->values[i]);
		e->values[i] = v;
		return;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 32;
		e->names = kx_xrealloc(e->names, e->cap * sizeof(char *));
		e->values = kx_xrealloc(e->values, e->cap * sizeof(char *));
	}
	e->names[e->n] = kx_xstrdup(name);
	e->values[e->n] = v;
	e->n++;
}

/* Removes 'name' (keeps the order of the others). */
void kx_env_unset(struct kx_env *e, const char *name)
{
	long i = env_find(e, name);

	if (i < 0)
		return;
	drop_vector(e);
	free(e->names[i]);
	free(e->values[i]);
	memmove(e->names + i, e->names + i + 1, (e->n - i - 1) * sizeof(char *));
	memmove(e->values + i, e->values + i + 1,
		(e->n - i - 1) * sizeof(char *));
	e->n--;
}

/* NULL-terminated NAME=VALUE vector, owned by the env, valid until changed. */
char *const *kx_env_vector(struct kx_env *e)
{
	size_t i;

	if (e->vec)
		return e->vec;
	e->vec = kx_xcalloc(e->n + 1, sizeof(char *));
	for (i = 0; i < e->n; i++)
		e->vec[i] = kx_xasprintf("%s=%s", e->names[i], e->values[i]);
	return e->vec;
}

unsigned long kx_env_generation(const struct kx_env *e)
{
	return e->gen;
}

/* Number of variables. */
size_t kx_env_count(const struct kx_env *e)
{
	return e->n;
}

/* The i-th variable in insertion order; strings owned by the env. */
void kx_env_at(const struct kx_env *e, size_t i, const char **name,
	       const char **value)
{
	*name = e->names[i];
	*value = e->values[i];
}

/* ---- architecture names ---------------------------------------------------- */

/* SRCARCH for a user ARCH (static string or 'arch' itself). */
const char *kx_env_srcarch(const char *arch)
{
	static const struct { const char *arch, *src; } map[] = {
		{ "i386", "x86" },	{ "x86_64", "x86" },
		{ "sparc32", "sparc" },	{ "sparc64", "sparc" },
		{ "parisc64", "parisc" }, { "sh64", "sh" },
		{ "tilepro", "tile" },	{ "tilegx", "tile" },
	};
	size_t i;

	if (!arch)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(arch, map[i].arch))
			return map[i].src;
	return arch;
}

/*
 * Applies one sed "s/PAT/REPL/" of subarch.include, where PAT is either a
 * literal with '.' wildcards or such a literal followed by ".*".
 */
static void sed_sub(char *s, size_t size, const char *pat, const char *repl)
{
	size_t plen = strlen(pat), slen = strlen(s), i, k;
	bool to_end = plen >= 2 && !strcmp(pat + plen - 2, ".*");
	char tmp[128];

	if (to_end)
		plen -= 2;
	for (i = 0; i + plen <= slen; i++) {
		for (k = 0; k < plen; k++)
			if (pat[k] != '.' && pat[k] != s[i + k])
				break;
		if (k < plen)
			continue;
		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)i, s, repl,
			 to_end ? "" : s + i + plen);
		snprintf(s, size, "%s", tmp);
		return;
	}
}

/* subarch.include's sed (6.12 form) applied to a uname -m string. */
static void subarch_of(char *m, size_t size)
{
	sed_sub(m, size, "i.86", "x86");
	sed_sub(m, size, "x86_64", "x86");
	sed_sub(m, size, "sun4u", "sparc64");
	if (strcmp(m, "arm64"))
		sed_sub(m, size, "arm.*", "arm");
	sed_sub(m, size, "sa110", "arm");
	sed_sub(m, size, "s390x", "s390");
	sed_sub(m, size, "ppc.*", "powerpc");
	sed_sub(m, size, "mips.*", "mips");
	sed_sub(m, size, "sh2.*", "sh");
	sed_sub(m, size, "sh3.*", "sh");
	sed_sub(m, size, "sh4.*", "sh");
	sed_sub(m, size, "aarch64.*", "arm64");
	sed_sub(m, size, "riscv.*", "riscv");
	sed_sub(m, size, "loongarch.*", "loongarch");
}

/*
 * The host's SUBARCH ("x86" on x86_64 and i?86 hosts), which is make's
 * default ARCH.  Returns a per-thread buffer, valid until the next call
 * in the same thread.
 */
const char *kx_env_host_arch(void)
{
	static _Thread_local char buf[128];
	struct utsname u;

	if (uname(&u) < 0)
		return "";
	snprintf(buf, sizeof(buf), "%s", u.machine);
	subarch_of(buf, sizeof(buf));
	return buf;
}

/* ---- derivation helpers ------------------------------------------------- */

static void diag(struct kx_diags *d, enum kx_diag_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(struct kx_diags *d, enum kx_diag_level level,
		 const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	kx_diags_vadd(d, level, NULL, 0, fmt, ap);
	va_end(ap);
}

/*
 * The value of the first "NAME = value" (or :=, ?=) line of a Makefile:
 * leading blanks skipped, cut at '#', trailing blanks kept (make keeps
 * them).  Returns a malloc'd string or NULL.
 */
static char *makefile_var(const char *text, const char *name)
{
	size_t nl = strlen(name);
	const char *p = text;

	while (p && *p) {
		const char *q = p, *v, *eol;

		if (!strncmp(q, name, nl)) {
			q += nl;
			while (*q == ' ' || *q == '\t')
				q++;
			if (q[0] == ':' || q[0] == '?')
				q++;
			if (q[0] == '=') {
				v = q + 1;
				while (*v == ' ' || *v == '\t')
					v++;
				eol = v + strcspn(v, "#\n");
				return kx_xstrndup(v, eol - v);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* make's $(if X,...) test: X with surrounding white space removed */
static bool make_nonempty(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return true;
	return false;
}

static char *kernelversion(const char *mk)
{
	char *v = makefile_var(mk, "VERSION");
	char *pl = makefile_var(mk, "PATCHLEVEL");
	char *sl = makefile_var(mk, "SUBLEVEL");
	char *ev = makefile_var(mk, "EXTRAVERSION");
	struct kx_buf b = KX_BUF_INIT;

	kx_buf_puts(&b, v ? v : "");
	if (make_nonempty(pl)) {
		kx_buf_printf(&b, ".%s", pl);
		if (make_nonempty(sl))
			kx_buf_printf(&b, ".%s", sl);
	}
	kx_buf_puts(&b, ev ? ev : "");
	free(v);
	free(pl);
	free(sl);
	free(ev);
	return kx_buf_detach(&b);
}

/* Runs 'cmd' like make's $(shell) for a one-line answer; "" on failure. */
static char *run_tool(struct kx_env *e, const char *cmd, const char *cache_dir)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *out = NULL;

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_RUN;
	so.timeout = 60;
	so.cache_dir = cache_dir;
	if (kx_shell_new(&sh, e, &so) < 0)
		return kx_xstrdup("");
	if (kx_shell_run(sh, cmd, &out) < 0)
		out = kx_xstrdup("");
	kx_shell_free(sh);
	return out;
}

/* $(subst #,,...) */
static void remove_pound(char *s)
{
	char *d = s;

	for (; *s; s++)
		if (*s != '#')
			*d++ = *s;
	*d = '\0';
}

/* An executable regular file? */
static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/*
 * `command -v PROG` with the env's PATH (an empty entry is the current
 * directory; a PROG with a '/' is taken as is).  Returns a malloc'd path
 * or NULL.
 */
static char *which(struct kx_env *e, const char *prog)
{
	const char *path = kx_env_get(e, "PATH"), *p, *end;

	if (!*prog)
		return NULL;
	if (strchr(prog, '/'))
		return is_exec_file(prog) ? kx_xstrdup(prog) : NULL;
	if (!path)
		return NULL;
	for (p = path;; p = end + 1) {
		char *cand;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		cand = kx_xasprintf("%.*s%s%s", (int)(end - p), p,
				    end == p ? "" : "/", prog);
		if (is_exec_file(cand))
			return cand;
		free(cand);
		if (!*end)
			return NULL;
	}
}

static const char *notdir(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

/*
 * CLANG_FLAGS as scripts/Makefile.clang builds it.  Returns a malloc'd
 * string, or NULL when the file is missing or has no --target for the arch
 * (make would stop with an error there).
 */
static char *clang_flags(struct kx_env *e, struct kx_tree *t,
			 struct kx_diags *d)
{
	const char *srcarch = kx_env_get(e, "SRCARCH");
	const char *cross = kx_env_get(e, "CROSS_COMPILE");
	const char *ias = kx_env_get(e, "LLVM_IAS");
	struct kx_buf b = KX_BUF_INIT;
	char *mk = NULL, *target = NULL, *name = NULL, *p;
	size_t len;

	if (kx_tree_read(t, "scripts/Makefile.clang", &mk, &len) < 0)
		return NULL;
	if (!cross)
		cross = "";
	if (srcarch && !strcmp(srcarch, "um") && kx_env_get(e, "SUBARCH"))
		srcarch = kx_env_get(e, "SUBARCH");
	if (srcarch) {
		name = kx_xasprintf("CLANG_TARGET_FLAGS_%s", srcarch);
		target = makefile_var(mk, name);
		if (target) {
			/* trailing blanks are not part of a --target */
			for (p = target + strlen(target);
			     p > target && (p[-1] == ' ' || p[-1] == '\t'); p--)
				;
			*p = '\0';
		}
	}

	if (strstr(mk, "ifeq ($(CROSS_COMPILE),)") && *cross) {
		/* 6.1: --target=$(notdir $(CROSS_COMPILE:%-=%)) */
		char *c = kx_xstrdup(cross);
		size_t cl = strlen(c);

		if (cl && c[cl - 1] == '-')
			c[cl - 1] = '\0';
		kx_buf_printf(&b, "--target=%s", notdir(c));
		free(c);
	} else if (target && *target) {
		kx_buf_printf(&b, "--target=%s", target);
	} else {
		diag(d, KX_DIAG_WARNING,
			     "scripts/Makefile.clang has no --target for %s; "
			     "CLANG_FLAGS left unset",
			     srcarch ? srcarch : "(no SRCARCH)");
		goto fail;
	}

	if (ias && !strcmp(ias, "0")) {
		char *elfedit = kx_xasprintf("%selfedit", cross);
		char *found = which(e, elfedit);
		const char *slash = found ? strrchr(found, '/') : NULL;

		kx_buf_puts(&b, " -fno-integrated-as --prefix=");
		if (found)
			kx_buf_add(&b, found, slash ? (size_t)(slash - found + 1) : 0);
		kx_buf_puts(&b, notdir(cross));
		free(found);
		free(elfedit);
	} else {
		kx_buf_puts(&b, " -fintegrated-as");
	}

	/* the unconditional "CLANG_FLAGS += -Werror=..." lines, in order */
	for (p = mk; p && *p;) {
		const char *q = p;

		if (!strncmp(q, "CLANG_FLAGS", 11)) {
			q += 11;
			while (*q == ' ' || *q == '\t')
				q++;
			if (!strncmp(q, "+=", 2)) {
				q += 2;
				while (*q == ' ' || *q == '\t')
					q++;
				if (!strncmp(q, "-Werror=", 8)) {
					size_t n = strcspn(q, " \t#\n");

					kx_buf_putc(&b, ' ');
					kx_buf_add(&b, q, n);
				}
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(mk);
	free(target);
	free(name);
	return kx_buf_detach(&b);
fail:
	kx_buf_free(&b);
	free(mk);
	free(target);
	free(name);
	return NULL;
}

static char *machine(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return kx_xstrdup("");
	return kx_xstrdup(u.machine);
}

/*
 * KBUILD_DEFCONFIG as arch/$(SRCARCH)/Makefile sets it; when the arch does
 * not, 'user' (the environment's value) if non-empty, else "defconfig" as
 * scripts/kconfig/Makefile sets it.  The conditional forms of
 * x86, um, sparc, parisc and powerpc are evaluated; elsewhere a single
 * plain assignment is taken.
 */
static char *kbuild_defconfig(struct kx_env *e, struct kx_tree *t,
			      const char *user)
{
	const char *arch = kx_env_get(e, "ARCH");
	const char *srcarch = kx_env_get(e, "SRCARCH");
	char *path, *mk = NULL, *m = machine(), *res = NULL, *v;
	size_t len;

	if (!arch || !srcarch)
		goto out;
	path = kx_xasprintf("arch/%s/Makefile", srcarch);
	if (kx_tree_read(t, path, &mk, &len) < 0)
		mk = NULL;
	free(path);
	if (!mk || !strstr(mk, "KBUILD_DEFCONFIG")) {
		/* scripts/kconfig/Makefile: ifndef KBUILD_DEFCONFIG */
		res = kx_xstrdup(user && *user ? user : "defconfig");
		goto out;
	}
	if (!strcmp(srcarch, "x86")) {
		bool i386;

		if (strcmp(arch, "x86")) {
			res = kx_xasprintf("%s_defconfig", arch);
			goto out;
		}
		if (strstr(mk, "s/i.86/i386/")) {	/* 6.12 */
			i386 = m[0] == 'i' && m[1] && !strcmp(m + 2, "86");
		} else {				/* 6.1 */
			i386 = strcmp(m, "x86_64") != 0;
		}
		res = kx_xstrdup(i386 ? "i386_defconfig" : "x86_64_defconfig");
	} else if (!strcmp(srcarch, "um")) {
		const char *sub = kx_env_get(e, "SUBARCH");

		if (sub && !strcmp(sub, "x86"))
			res = kx_xstrdup(strcmp(m, "x86_64") ? "i386_defconfig" :
					 "x86_64_defconfig");
		else
			res = kx_xasprintf("%s_defconfig", sub ? sub : "");
	} else if (!strcmp(srcarch, "sparc")) {
		res = kx_xstrdup(strcmp(arch, "sparc64") ? "sparc32_defconfig" :
				 "sparc64_defconfig");
	} else if (!strcmp(srcarch, "parisc")) {
		res = kx_xstrdup(strcmp(arch, "parisc64") ?
				 "generic-32bit_defconfig" :
				 "generic-64bit_defconfig");
	} else if (!strcmp(srcarch, "powerpc") &&
		   (v = strstr(mk, "),$(uname),")) != NULL) {
		const char *fb = v + strlen("),$(uname),");
		size_t n = strcspn(fb, ")\n");

		if (!strncmp(m, "ppc", 3))
			res = kx_xasprintf("%s_defconfig", m);
		else
			res = kx_xasprintf("%.*s_defconfig", (int)n, fb);
	} else {
		v = makefile_var(mk, "KBUILD_DEFCONFIG");
		if (!v) {
			/* indented assignment */
			const char *q = strstr(mk, "KBUILD_DEFCONFIG");

			q += strlen("KBUILD_DEFCONFIG");
			q += strspn(q, " \t");
			if (*q == ':')
				q++;
			if (*q == '=') {
				q++;
				q += strspn(q, " \t");
				v = kx_xstrndup(q, strcspn(q, " \t#\n"));
			}
		}
		if (v) {
			char *end = v + strlen(v);

			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
		}
		res = v && *v && !strchr(v, '$') ? v : kx_xstrdup("defconfig");
		if (res != v)
			free(v);
	}
out:
	free(mk);
	free(m);
	return res;
}

/* ---- make's precedence -------------------------------------------------- */

struct derive {
	struct kx_env *e;		/* the environment being derived */
	const struct kx_env *cl;	/* command-line assignments, or NULL */
	const char *arch_opt;		/* opts->arch: a command-line ARCH */
	struct kx_tree *t;
	struct kx_diags *d;
	const char *topmk;		/* the tree's top Makefile, or NULL */
	char *subarch;			/* make's $(SUBARCH) */
	char *cross_compiling;		/* make's $(cross_compiling) */
	const char *tool_cache;		/* opts->tool_cache_dir */
};

/* Whether 'name' was given on make's command line. */
static bool from_cmdline(const struct derive *dv, const char *name)
{
	if (dv->arch_opt && !strcmp(name, "ARCH"))
		return true;
	return dv->cl && kx_env_get(dv->cl, name);
}

/* A Makefile's "NAME = value" or "NAME := value": the command line wins. */
static void make_set(struct derive *dv, const char *name, const char *value)
{
	if (!from_cmdline(dv, name))
		kx_env_set(dv->e, name, value);
}

/* The toolchain variables of the top Makefile: $(CROSS_COMPILE)gnu, or llvm. */
static const struct {
	const char *name, *gnu, *llvm;
} tools[] = {
	{ "CC", "gcc", "clang" },
	{ "LD", "ld", "ld.lld" },
	{ "AR", "ar", "llvm-ar" },
	{ "NM", "nm", "llvm-nm" },
	{ "OBJCOPY", "objcopy", "llvm-objcopy" },
	{ "OBJDUMP", "objdump", "llvm-objdump" },
	{ "READELF", "readelf", "llvm-readelf" },
	{ "STRIP", "strip", "llvm-strip" },
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

/* ---- a small make evaluator ---------------------------------------------- */

/*
 * Just enough of GNU make to evaluate how arch/$(SRCARCH)/Makefile sets
 * CROSS_COMPILE: conditionals (ifdef, ifndef, ifeq/ifneq with parentheses,
 * else, else if..., endif), variable assignments (=, :=, ::=, ?=, +=, with
 * export/override), recipe lines and define blocks skipped, and expansion
 * of $(VAR), ${VAR}, $$, $(foreach v,list,text) and
 * $(call cc-cross-prefix,list).  Anything else ($(shell ...), other
 * functions) is "unknown": a conditional on it selects no branch for sure,
 * and a variable assigned from it, or in such a branch, is unknown too.
 *
 * Variable lookup follows make: foreach variables, then the command line,
 * then the variables the file assigned so far (seeded with make's SUBARCH
 * and cross_compiling), then the environment.  The file is read in a
 * config-target make, where include/config/auto.conf is not included, so
 * CONFIG_* are normally undefined.
 */
enum { MK_FALSE, MK_TRUE, MK_UNKNOWN };

#define MK_MAX_DEPTH	32

struct mk_var {
	char *name;
	char *value;
	bool recursive;
	bool unknown;
	bool assigned;		/* by the file (not a seed) */
};

struct mk {
	struct derive *dv;
	struct mk_var *vars;
	size_t nvars, cap;
	const char *bind_name[MK_MAX_DEPTH];
	const char *bind_val[MK_MAX_DEPTH];
	size_t nbind;
	int depth;
};

static struct mk_var *mk_find(struct mk *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nvars; i++)
		if (!strcmp(m->vars[i].name, name))
			return &m->vars[i];
	return NULL;
}

/* Sets a file variable (copies 'value'). */
static struct mk_var *mk_set(struct mk *m, const char *name, const char *value,
			     bool recursive, bool unknown)
{
	struct mk_var *v = mk_find(m, name);

	if (!v) {
		if (m->nvars == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->vars = kx_xrealloc(m->vars, m->cap * sizeof(*m->vars));
		}
		v = &m->vars[m->nvars++];
		v->name = kx_xstrdup(name);
		v->value = NULL;
		v->assigned = false;
	}
	free(v->value);
	v->value = kx_xstrdup(value);
	v->recursive = recursive;
	v->unknown = unknown;
	return v;
}

static void mk_free(struct mk *m)
{
	size_t i;

	for (i = 0; i < m->nvars; i++) {
		free(m->vars[i].name);
		free(m->vars[i].value);
	}
	free(m->vars);
}

/*
 * The raw value of variable 'name' (NULL: undefined), whether it must be
 * expanded (*recursive) and whether it is unknown.
 */
static const char *mk_lookup(struct mk *m, const char *name, bool *recursive,
			     bool *unknown)
{
	struct mk_var *v;
	size_t i;

	*recursive = false;
	*unknown = false;
	for (i = m->nbind; i-- > 0;)
		if (!strcmp(m->bind_name[i], name))
			return m->bind_val[i];
	if (from_cmdline(m->dv, name))
		return kx_env_get(m->dv->e, name);
	v = mk_find(m, name);
	if (v) {
		*recursive = v->recursive;
		*unknown = v->unknown;
		return v->value;
	}
	return kx_env_get(m->dv->e, name);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim_range(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Length of the reference that starts with the '(' or '{' at s[0]; 0 if unterminated. */
static size_t match_close(const char *s, size_t len)
{
	char open = s[0], close = open == '(' ? ')' : '}';
	size_t i;
	int depth = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return 0;
}

/* Splits at top-level commas into at most 'max' arguments (the last takes the rest). */
static size_t split_args(const char *s, size_t len, const char **arg,
			 size_t *alen, size_t max)
{
	size_t n = 0, i, start = 0;
	int depth = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && (s[i] == '(' || s[i] == '{')) {
			depth++;
		} else if (i < len && (s[i] == ')' || s[i] == '}')) {
			depth--;
		} else if (i == len || (s[i] == ',' && !depth && n + 1 < max)) {
			arg[n] = s + start;
			alen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* The next blank-separated word of *p (advanced); false at the end. */
static bool next_word(const char **p, const char **w, size_t *wlen)
{
	const char *s = *p;

	while (*s && (is_blank(*s) || *s == '\n'))
		s++;
	if (!*s)
		return false;
	*w = s;
	while (*s && !is_blank(*s) && *s != '\n')
		s++;
	*wlen = s - *w;
	*p = s;
	return true;
}

static bool mk_expand(struct mk *m, const char *s, size_t len, struct kx_buf *out);

/* Expands a variable's value into 'out'; false when unknown. */
static bool mk_expand_var(struct mk *m, const char *name, struct kx_buf *out)
{
	bool recursive, unknown, ok;
	const char *v = mk_lookup(m, name, &recursive, &unknown);

	if (unknown)
		return false;
	if (!v)
		return true;
	if (!recursive) {
		kx_buf_puts(out, v);
		return true;
	}
	if (m->depth >= MK_MAX_DEPTH)
		return false;
	m->depth++;
	ok = mk_expand(m, v, strlen(v), out);
	m->depth--;
	return ok;
}

/* Expands s[0..len) into a new string; NULL when unknown. */
static char *mk_expand_str(struct mk *m, const char *s, size_t len)
{
	struct kx_buf b = KX_BUF_INIT;

	if (!mk_expand(m, s, len, &b)) {
		kx_buf_free(&b);
		return NULL;
	}
	return kx_buf_detach(&b);
}

/* $(foreach var,list,text) */
static bool mk_foreach(struct mk *m, const char *args, size_t len,
		       struct kx_buf *out)
{
	const char *arg[3], *p, *w;
	size_t alen[3], wlen;
	char *var = NULL, *list = NULL;
	bool ok = false, first = true;

	if (split_args(args, len, arg, alen, 3) != 3 || m->nbind >= MK_MAX_DEPTH)
		return false;
	var = mk_expand_str(m, arg[0], alen[0]);
	list = mk_expand_str(m, arg[1], alen[1]);
	if (!var || !list)
		goto out;
	{
		const char *vn = var;
		size_t vl = strlen(var);

		trim_range(&vn, &vl);
		var[vn - var + vl] = '\0';
		memmove(var, vn, vl + 1);
	}
	for (p = list; next_word(&p, &w, &wlen);) {
		char *word = kx_xstrndup(w, wlen);
		bool r;

		m->bind_name[m->nbind] = var;
		m->bind_val[m->nbind] = word;
		m->nbind++;
		if (!first)
			kx_buf_putc(out, ' ');
		first = false;
		r = mk_expand(m, arg[2], alen[2], out);
		m->nbind--;
		free(word);
		if (!r)
			goto out;
	}
	ok = true;
out:
	free(var);
	free(list);
	return ok;
}

/*
 * $(call cc-cross-prefix,list): scripts/Makefile.compiler's "the first
 * word c of list for which `command -v -- $(c)gcc` finds something", or "".
 */
static bool mk_call(struct mk *m, const char *args, size_t len,
		    struct kx_buf *out)
{
	const char *arg[2], *fn, *p, *w;
	size_t alen[2], fl, wlen;
	char *list;

	if (split_args(args, len, arg, alen, 2) != 2)
		return false;
	fn = arg[0];
	fl = alen[0];
	trim_range(&fn, &fl);
	if (fl != strlen("cc-cross-prefix") || strncmp(fn, "cc-cross-prefix", fl))
		return false;
	list = mk_expand_str(m, arg[1], alen[1]);
	if (!list)
		return false;
	for (p = list; next_word(&p, &w, &wlen);) {
		char *gcc = kx_xasprintf("%.*sgcc", (int)wlen, w);
		char *found = which(m->dv->e, gcc);

		free(gcc);
		if (found) {
			free(found);
			kx_buf_add(out, w, wlen);
			break;
		}
	}
	free(list);
	return true;
}

/* GNU make's built-in functions (a reference "$(NAME args)" calls one). */
static bool is_make_function(const char *s, size_t n)
{
	static const char *const fns[] = {
		"abspath", "addprefix", "addsuffix", "and", "basename", "call",
		"dir", "error", "eval", "file", "filter", "filter-out",
		"findstring", "firstword", "flavor", "foreach", "guile", "if",
		"info", "intcmp", "join", "lastword", "let", "notdir", "or",
		"origin", "patsubst", "realpath", "shell", "sort", "strip",
		"subst", "suffix", "value", "warning", "wildcard", "word",
		"wordlist", "words",
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i]) == n && !strncmp(s, fns[i], n))
			return true;
	return false;
}

/* A $(...) or ${...} reference with content s[0..len). */
static bool mk_reference(struct mk *m, const char *s, size_t len,
			 struct kx_buf *out)
{
	size_t n = 0;
	char *name;
	bool ok;

	while (n < len && ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '-'))
		n++;
	if (n < len && is_blank(s[n]) && is_make_function(s, n)) {
		if (n == 7 && !strncmp(s, "foreach", 7))
			return mk_foreach(m, s + n + 1, len - n - 1, out);
		if (n == 4 && !strncmp(s, "call", 4))
			return mk_call(m, s + n + 1, len - n - 1, out);
		return false;	/* not evaluated: unknown */
	}
	name = mk_expand_str(m, s, len);
	if (!name)
		return false;
	ok = mk_expand_var(m, name, out);
	free(name);
	return ok;
}

static bool mk_expand(struct mk *m, const char *s, size_t len, struct kx_buf *out)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] != '$') {
			kx_buf_putc(out, s[i++]);
			continue;
		}
		if (i + 1 >= len)
			return true;	/* a lone '$' at the end expands to nothing */
		if (s[i + 1] == '$') {
			kx_buf_putc(out, '$');
			i += 2;
		} else if (s[i + 1] == '(' || s[i + 1] == '{') {
			size_t n = match_close(s + i + 1, len - i - 1);

			if (!n)
				return false;
			if (!mk_reference(m, s + i + 2, n - 2, out))
				return false;
			i += 1 + n;
		} else {
			char name[2] = { s[i + 1], '\0' };

			if (!mk_expand_var(m, name, out))
				return false;
			i += 2;
		}
	}
	return true;
}

/* A conditional directive's test ("ifdef X", "ifeq (a,b)", ...). */
static int mk_condition(struct mk *m, const char *kw, const char *rest)
{
	size_t len = strlen(rest);
	int r = MK_UNKNOWN;

	trim_range(&rest, &len);
	if (!strcmp(kw, "ifdef") || !strcmp(kw, "ifndef")) {
		bool recursive, unknown;
		char *name = mk_expand_str(m, rest, len);
		const char *v;

		if (!name)
			return MK_UNKNOWN;
		/* ifdef does not expand the value: "defined and non-empty" */
		v = mk_lookup(m, name, &recursive, &unknown);
		free(name);
		if (unknown)
			return MK_UNKNOWN;
		r = v && *v ? MK_TRUE : MK_FALSE;
		if (!strcmp(kw, "ifndef"))
			r = r == MK_TRUE ? MK_FALSE : MK_TRUE;
		return r;
	}
	if (len >= 2 && rest[0] == '(' && rest[len - 1] == ')' &&
	    match_close(rest, len) == len) {
		const char *arg[2];
		size_t alen[2];
		char *a = NULL, *b = NULL;

		if (split_args(rest + 1, len - 2, arg, alen, 2) != 2)
			return MK_UNKNOWN;
		trim_range(&arg[0], &alen[0]);
		trim_range(&arg[1], &alen[1]);
		a = mk_expand_str(m, arg[0], alen[0]);
		b = mk_expand_str(m, arg[1], alen[1]);
		if (a && b) {
			r = !strcmp(a, b) ? MK_TRUE : MK_FALSE;
			if (!strcmp(kw, "ifneq"))
				r = r == MK_TRUE ? MK_FALSE : MK_TRUE;
		}
		free(a);
		free(b);
	}
	return r;
}

static int mk_and(int a, int b)
{
	if (a == MK_FALSE || b == MK_FALSE)
		return MK_FALSE;
	if (a == MK_UNKNOWN || b == MK_UNKNOWN)
		return MK_UNKNOWN;
	return MK_TRUE;
}

static bool is_cond_kw(const char *w)
{
	return !strcmp(w, "ifdef") || !strcmp(w, "ifndef") ||
	       !strcmp(w, "ifeq") || !strcmp(w, "ifneq");
}

/* Cuts a line at its first unescaped '#'. */
static void strip_comment(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '#') {
			*p = '\0';
			return;
		}
	}
}

/*
 * A variable assignment line (after export/override): returns true with
 * *name, *op ("=", ":=", "?=", "+=", "!=") and *value pointing into 'p'
 * (which is modified).
 */
static bool parse_assignment(char *p, char **name, const char **op,
			     char **value, bool *override)
{
	char *n, *e;

	*override = false;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!strncmp(p, "export", 6) && is_blank(p[6])) {
			p += 7;
		} else if (!strncmp(p, "override", 8) && is_blank(p[8])) {
			*override = true;
			p += 9;
		} else {
			break;
		}
	}
	n = p;
	while (*p && !is_blank(*p) && !strchr(":?+!=$#()", *p))
		p++;
	if (p == n)
		return false;
	e = p;
	while (is_blank(*p))
		p++;
	if (p[0] == '=') {
		*op = "=";
		p += 1;
	} else if (!strncmp(p, ":::=", 4)) {
		*op = ":=";
		p += 4;
	} else if (!strncmp(p, "::=", 3)) {
		*op = ":=";
		p += 3;
	} else if (!strncmp(p, ":=", 2)) {
		*op = ":=";
		p += 2;
	} else if (!strncmp(p, "?=", 2)) {
		*op = "?=";
		p += 2;
	} else if (!strncmp(p, "+=", 2)) {
		*op = "+=";
		p += 2;
	} else if (!strncmp(p, "!=", 2)) {
		*op = "!=";
		p += 2;
	} else {
		return false;
	}
	*e = '\0';
	while (is_blank(*p))
		p++;
	*name = n;
	*value = p;
	return true;
}

static void mk_assign(struct mk *m, const char *name, const char *op,
		      const char *value, bool override, int state)
{
	bool unknown = state == MK_UNKNOWN, recursive, vu;
	struct mk_var *v;
	const char *old;
	char *x;

	if (from_cmdline(m->dv, name) && !override)
		return;		/* the command line wins */
	if (!strcmp(op, "=")) {
		mk_set(m, name, value, true, unknown);
	} else if (!strcmp(op, ":=")) {
		x = mk_expand_str(m, value, strlen(value));
		mk_set(m, name, x ? x : "", false, unknown || !x);
		free(x);
	} else if (!strcmp(op, "?=")) {
		old = mk_lookup(m, name, &recursive, &vu);
		if (!old)
			mk_set(m, name, value, true, unknown);
		else if (unknown)
			mk_set(m, name, old, recursive, true);
	} else if (!strcmp(op, "+=")) {
		v = mk_find(m, name);
		if (v && !v->recursive) {
			x = mk_expand_str(m, value, strlen(value));
			if (x) {
				char *nv = kx_xasprintf("%s%s%s", v->value,
							*v->value ? " " : "", x);

				mk_set(m, name, nv, false, v->unknown || unknown);
				free(nv);
			} else {
				v->unknown = true;
			}
			free(x);
		} else {
			old = v ? v->value : kx_env_get(m->dv->e, name);
			x = kx_xasprintf("%s%s%s", old ? old : "",
					 old && *old ? " " : "", value);
			mk_set(m, name, x, true, (v && v->unknown) || unknown);
			free(x);
		}
	} else {
		mk_set(m, name, "", false, true);	/* != runs the shell */
	}
	v = mk_find(m, name);
	if (v)
		v->assigned = true;
}

struct mk_frame {
	int parent;	/* state around the conditional */
	int state;	/* state of the current branch */
	bool taken;	/* some branch was certainly taken */
	bool maybe;	/* some branch may have been taken */
};

/* Evaluates a makefile's text; see above. */
static void mk_eval(struct mk *m, const char *text)
{
	struct mk_frame stack[MK_MAX_DEPTH];
	struct kx_buf line = KX_BUF_INIT;
	const char *p = text;
	size_t depth = 0, skipped = 0;
	bool in_rule = false, in_define = false;

	while (*p) {
		char *s, *kw_end, kw[16], *name, *value;
		const char *op;
		bool tab = *p == '\t', override;
		int cur = depth ? stack[depth - 1].state : MK_TRUE;
		size_t kl;

		/* a logical line: backslash-newline joins with one space */
		kx_buf_reset(&line);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (n && p[n - 1] == '\\') {
				kx_buf_add(&line, p, n - 1);
				while (line.len && is_blank(line.s[line.len - 1]))
					line.len--;
				kx_buf_putc(&line, ' ');
				p += n + (nl ? 1 : 0);
				while (is_blank(*p))
					p++;
				continue;
			}
			kx_buf_add(&line, p, n);
			p += n + (nl ? 1 : 0);
			break;
		}
		s = (char *)kx_buf_cstr(&line);

		if (tab && in_rule)
			continue;	/* a recipe line */
		while (is_blank(*s))
			s++;
		if (in_define) {
			if (!strncmp(s, "endef", 5) && (!s[5] || is_blank(s[5])))
				in_define = false;
			continue;
		}
		strip_comment(s);
		if (!*s)
			continue;
		for (kw_end = s; *kw_end && !is_blank(*kw_end) &&
		     *kw_end != '('; kw_end++)
			;
		kl = kw_end - s;
		snprintf(kw, sizeof(kw), "%.*s", (int)(kl < sizeof(kw) ? kl : 0), s);

		if (is_cond_kw(kw)) {
			int c;

			if (depth == MK_MAX_DEPTH) {
				skipped++;
				continue;
			}
			c = cur == MK_FALSE ? MK_FALSE : mk_condition(m, kw, kw_end);
			stack[depth].parent = cur;
			stack[depth].state = mk_and(cur, c);
			stack[depth].taken = c == MK_TRUE;
			stack[depth].maybe = c != MK_FALSE;
			depth++;
			continue;
		}
		if (!strcmp(kw, "else")) {
			struct mk_frame *f;
			char *r = kw_end, sub[16];
			int c = MK_TRUE;

			if (!depth || skipped)
				continue;
			f = &stack[depth - 1];
			while (is_blank(*r))
				r++;
			if (*r) {
				/* "else ifeq (...)" and friends */
				char *se = r;
				int sl;

				while (*se && !is_blank(*se) && *se != '(')
					se++;
				sl = se - r < (long)sizeof(sub) ? (int)(se - r) : 0;
				snprintf(sub, sizeof(sub), "%.*s", sl, r);
				if (is_cond_kw(sub) && f->parent != MK_FALSE &&
				    !f->taken)
					c = mk_condition(m, sub, se);
				else
					c = MK_UNKNOWN;
			}
			if (f->taken)
				c = MK_FALSE;
			else if (f->maybe && c != MK_FALSE)
				c = MK_UNKNOWN;
			f->state = mk_and(f->parent, c);
			f->taken = f->taken || c == MK_TRUE;
			f->maybe = f->maybe || c != MK_FALSE;
			continue;
		}
		if (!strcmp(kw, "endif")) {
			if (skipped)
				skipped--;
			else if (depth)
				depth--;
			continue;
		}
		if (skipped || cur == MK_FALSE)
			continue;
		if (!strcmp(kw, "define")) {
			in_define = true;
			continue;
		}
		if (parse_assignment(s, &name, &op, &value, &override)) {
			mk_assign(m, name, op, value, override, cur);
			in_rule = false;
			continue;
		}
		/* a rule: tab-indented lines after it are its recipe */
		if (strchr(s, ':') && strcmp(kw, "include") &&
		    strcmp(kw, "-include") && strcmp(kw, "sinclude") &&
		    strcmp(kw, "export") && strcmp(kw, "unexport") &&
		    strcmp(kw, "vpath"))
			in_rule = true;
	}
	kx_buf_free(&line);
}

/* What arch/$(SRCARCH)/Makefile changes among the variables we derive. */
struct arch_vars {
	char *cross;		/* CROSS_COMPILE it sets, or NULL */
	char *tool[NTOOLS];	/* CC, ..., NM it sets (alpha: "nm -B"), or NULL */
};

static void arch_vars_free(struct arch_vars *av)
{
	size_t i;

	free(av->cross);
	for (i = 0; i < NTOOLS; i++)
		free(av->tool[i]);
}

/*
 * Evaluates arch/$(SRCARCH)/Makefile (see "a small make evaluator") with
 * the top Makefile's toolchain variables (recursive $(CROSS_COMPILE)gcc
 * ..., or the LLVM names when 'llvm') and fills *av.  A CROSS_COMPILE that
 * cannot be evaluated is kept, with a warning; a tool that cannot (6.1's
 * powerpc sets NM from a $(shell ...) test) keeps the top Makefile's value.
 */
static void arch_makefile(struct derive *dv, bool llvm, struct arch_vars *av)
{
	const char *srcarch = kx_env_get(dv->e, "SRCARCH");
	char *path, *mk = NULL;
	struct mk m;
	struct mk_var *v;
	size_t len, i;

	memset(av, 0, sizeof(*av));
	if (!srcarch)
		return;
	path = kx_xasprintf("arch/%s/Makefile", srcarch);
	if (kx_tree_read(dv->t, path, &mk, &len) < 0)
		mk = NULL;
	free(path);
	if (!mk)
		return;

	memset(&m, 0, sizeof(m));
	m.dv = dv;
	if (!from_cmdline(dv, "SUBARCH"))
		mk_set(&m, "SUBARCH", dv->subarch, false, false);
	if (!from_cmdline(dv, "cross_compiling") && dv->cross_compiling)
		mk_set(&m, "cross_compiling", dv->cross_compiling, false, false);
	for (i = 0; i < NTOOLS; i++) {
		char *val;

		if (from_cmdline(dv, tools[i].name))
			continue;
		if (llvm) {
			mk_set(&m, tools[i].name, kx_env_get(dv->e, tools[i].name),
			       false, false);
			continue;
		}
		val = kx_xasprintf("$(CROSS_COMPILE)%s", tools[i].gnu);
		mk_set(&m, tools[i].name, val, true, false);
		free(val);
	}
	mk_eval(&m, mk);

	v = mk_find(&m, "CROSS_COMPILE");
	if (v && v->unknown) {
		diag(dv->d, KX_DIAG_WARNING,
		     "arch/%s/Makefile: cannot evaluate how it sets "
		     "CROSS_COMPILE; keeping \"%s\"", srcarch,
		     kx_env_get(dv->e, "CROSS_COMPILE"));
	} else if (v) {
		av->cross = v->recursive ?
			    mk_expand_str(&m, v->value, strlen(v->value)) :
			    kx_xstrdup(v->value);
		if (!av->cross)
			diag(dv->d, KX_DIAG_WARNING,
			     "arch/%s/Makefile: cannot evaluate CROSS_COMPILE",
			     srcarch);
	}
	for (i = 0; i < NTOOLS; i++) {
		v = mk_find(&m, tools[i].name);
		if (!v || !v->assigned || v->unknown)
			continue;
		av->tool[i] = v->recursive ?
			      mk_expand_str(&m, v->value, strlen(v->value)) :
			      kx_xstrdup(v->value);
	}
	mk_free(&m);
	free(mk);
}

/* ---- derivation ----------------------------------------------------------- */

/* make's $(cross_compiling): command line, top Makefile, environment. */
static char *cross_compiling(struct derive *dv)
{
	const char *v = kx_env_get(dv->e, "cross_compiling");
	const char *srcarch = kx_env_get(dv->e, "SRCARCH");

	if (from_cmdline(dv, "cross_compiling"))
		return kx_xstrdup(v ? v : "");
	/* newer trees compute it in the top Makefile (never 6.1 or 6.12) */
	if (dv->topmk && (strstr(dv->topmk, "cross_compiling :=") ||
			  strstr(dv->topmk, "cross_compiling =")) &&
	    srcarch && strcmp(srcarch, dv->subarch))
		return kx_xstrdup("1");
	return kx_xstrdup(v ? v : "");
}

static void set_defconfig_list(struct derive *dv)
{
	struct kx_env *e = dv->e;
	const char *srcarch = kx_env_get(e, "SRCARCH");
	char *def = NULL, *kmk = NULL;
	struct kx_buf b = KX_BUF_INIT;
	struct utsname u;
	size_t len;
	bool host = true;

	if (!srcarch)
		return;
	kx_tree_read(dv->t, "scripts/kconfig/Makefile", &kmk, &len);
	if (from_cmdline(dv, "KBUILD_DEFCONFIG")) {
		def = kx_xstrdup(kx_env_get(e, "KBUILD_DEFCONFIG"));
	} else {
		def = kbuild_defconfig(e, dv->t, kx_env_get(e, "KBUILD_DEFCONFIG"));
		if (!def)
			goto out;
		kx_env_set(e, "KBUILD_DEFCONFIG", def);
	}
	/*
	 * Before 5.13 the list was a Kconfig symbol ('option defconfig_list'
	 * in init/Kconfig) and make exported no KCONFIG_DEFCONFIG_LIST.
	 */
	if (kmk && !strstr(kmk, "KCONFIG_DEFCONFIG_LIST"))
		goto out;
	/* scripts/kconfig/Makefile: ifndef cross_compiling ... host files */
	if (kmk && strstr(kmk, "ifndef cross_compiling"))
		host = !*dv->cross_compiling;
	if (host && uname(&u) == 0)
		kx_buf_printf(&b, "/lib/modules/%s/.config /etc/kernel-config "
			      "/boot/config-%s ", u.release, u.release);
	kx_buf_printf(&b, "arch/%s/configs/%s", srcarch, def);
	make_set(dv, "KCONFIG_DEFCONFIG_LIST", kx_buf_cstr(&b));
out:
	kx_buf_free(&b);
	free(kmk);
	free(def);
}

/* Sets CC, LD, ... from CROSS_COMPILE or LLVM (prefix/suffix). */
static void set_tools(struct derive *dv, const char *llvm_pre,
		      const char *llvm_suf)
{
	const char *cross = kx_env_get(dv->e, "CROSS_COMPILE");
	size_t i;

	for (i = 0; i < NTOOLS; i++) {
		char *s;

		if (llvm_pre)
			s = kx_xasprintf("%s%s%s", llvm_pre, tools[i].llvm, llvm_suf);
		else
			s = kx_xasprintf("%s%s", cross ? cross : "", tools[i].gnu);
		make_set(dv, tools[i].name, s);
		free(s);
	}
}

/* $(subst $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null | head -n 1)) */
static char *cc_version_text(struct kx_env *e, const char *cache_dir)
{
	char *cmd = kx_xasprintf("LC_ALL=C %s --version 2>/dev/null | head -n 1",
				 kx_env_get(e, "CC"));
	char *s = run_tool(e, cmd, cache_dir);

	free(cmd);
	remove_pound(s);
	return s;
}

/* Applies the command line: every assignment is exported as given. */
static void apply_cmdline(struct derive *dv)
{
	size_t i, n = dv->cl ? kx_env_count(dv->cl) : 0;

	for (i = 0; i < n; i++) {
		const char *name, *value;

		kx_env_at(dv->cl, i, &name, &value);
		kx_env_set(dv->e, name, value);
	}
	if (dv->arch_opt)
		kx_env_set(dv->e, "ARCH", dv->arch_opt);
}

/* Turns the environment into conf's under make; see env.h and the top. */
int kx_env_derive(struct kx_env *e, struct kx_tree *t,
		  const struct kx_env_opts *opts, struct kx_diags *d)
{
	struct derive dv;
	const char *arch, *llvm, *pre = NULL, *suf = "", *cc_text;
	const char *srctree = opts ? opts->srctree : NULL;
	bool run_tools = opts && opts->run_tools, clang;
	char *mk = NULL, *s = NULL, *cc0 = NULL, *text0 = NULL;
	struct arch_vars av;
	size_t len, i;
	int err = 0;

	memset(&dv, 0, sizeof(dv));
	memset(&av, 0, sizeof(av));
	dv.e = e;
	dv.cl = opts ? opts->cmdline : NULL;
	dv.arch_opt = opts ? opts->arch : NULL;
	dv.tool_cache = opts ? opts->tool_cache_dir : NULL;
	dv.t = t;
	dv.d = d;
	apply_cmdline(&dv);

	/*
	 * Top Makefile: LC_COLLATE=C LC_NUMERIC=C exported, LC_ALL
	 * unexported (a command-line LC_ALL still reaches conf through the
	 * sub-make); scripts/kconfig/Makefile unexports CONFIG_.
	 */
	make_set(&dv, "LC_COLLATE", "C");
	make_set(&dv, "LC_NUMERIC", "C");
	if (!from_cmdline(&dv, "LC_ALL"))
		kx_env_unset(e, "LC_ALL");
	kx_env_unset(e, "CONFIG_");

	/* SUBARCH := $(shell uname -m | sed ...); ARCH ?= $(SUBARCH) */
	dv.subarch = kx_xstrdup(from_cmdline(&dv, "SUBARCH") ?
				kx_env_get(e, "SUBARCH") : kx_env_host_arch());
	if (!kx_env_get(e, "ARCH"))
		kx_env_set(e, "ARCH", dv.subarch);
	arch = kx_env_get(e, "ARCH");
	if (!*arch)
		diag(d, KX_DIAG_WARNING, "ARCH is set but empty (make would "
		     "fail to find arch//Makefile)");
	make_set(&dv, "SRCARCH", kx_env_srcarch(arch));
	if (!strcmp(arch, "um") || kx_env_get(e, "SUBARCH"))
		make_set(&dv, "SUBARCH", dv.subarch);
	if (!strcmp(arch, "um")) {
		const char *sub = dv.subarch;

		make_set(&dv, "HEADER_ARCH",
			 !strcmp(sub, "x86") || !strcmp(sub, "x86_64") ||
			 !strcmp(sub, "i386") ? "x86" : sub);
	}

	if (!srctree && t)
		srctree = kx_tree_disk_root(t);
	if (srctree)
		make_set(&dv, "srctree", srctree);

	if (!t || kx_tree_read(t, "Makefile", &mk, &len) < 0) {
		diag(d, KX_DIAG_ERROR,
		     "%s: no top-level Makefile; cannot derive "
		     "KERNELVERSION and the toolchain variables",
		     t ? kx_tree_describe(t) : "(no tree)");
		err = KX_ENOTFOUND;
		goto out;
	}
	dv.topmk = mk;
	dv.cross_compiling = cross_compiling(&dv);
	s = kernelversion(mk);
	make_set(&dv, "KERNELVERSION", s);
	free(s);
	s = NULL;

	/* CROSS_COMPILE is only read (exported even when empty) */
	if (!kx_env_get(e, "CROSS_COMPILE"))
		kx_env_set(e, "CROSS_COMPILE", "");
	llvm = kx_env_get(e, "LLVM");
	if (llvm && *llvm) {
		size_t ll = strlen(llvm);

		pre = "";
		if (llvm[ll - 1] == '/')
			pre = llvm;
		else if (llvm[0] == '-')
			suf = llvm;
		s = kx_xasprintf("%sclang%s", pre, suf);
		make_set(&dv, "HOSTCC", s);
		free(s);
		s = kx_xasprintf("%sclang++%s", pre, suf);
		make_set(&dv, "HOSTCXX", s);
		free(s);
		s = NULL;
	} else {
		make_set(&dv, "HOSTCC", "gcc");
		make_set(&dv, "HOSTCXX", "g++");
	}
	set_tools(&dv, pre, suf);
	make_set(&dv, "RUSTC", "rustc");
	make_set(&dv, "BINDGEN", "bindgen");
	make_set(&dv, "PAHOLE", "pahole");
	make_set(&dv, "PYTHON3", "python3");

	/*
	 * The top Makefile includes scripts/Makefile.clang (when
	 * $(CC_VERSION_TEXT) contains "clang") before the arch Makefile:
	 * CLANG_FLAGS uses CROSS_COMPILE as it is before the arch sets it.
	 */
	cc0 = kx_xstrdup(kx_env_get(e, "CC"));
	if (run_tools && !from_cmdline(&dv, "CC_VERSION_TEXT")) {
		text0 = cc_version_text(e, dv.tool_cache);
		cc_text = text0;
	} else {
		cc_text = kx_env_get(e, "CC_VERSION_TEXT");
	}
	clang = cc_text && strstr(cc_text, "clang");
	if (clang && !from_cmdline(&dv, "CLANG_FLAGS")) {
		s = clang_flags(e, t, d);
		if (s)
			kx_env_set(e, "CLANG_FLAGS", s);
		else
			kx_env_unset(e, "CLANG_FLAGS");
		free(s);
		s = NULL;
	} else if (kx_env_get(e, "CLANG_FLAGS")) {
		make_set(&dv, "CLANG_FLAGS", "");	/* CLANG_FLAGS := */
	}

	/*
	 * arch/$(SRCARCH)/Makefile may set CROSS_COMPILE (cc-cross-prefix)
	 * and change a tool (alpha: NM := $(NM) -B)
	 */
	arch_makefile(&dv, pre != NULL, &av);
	if (av.cross && strcmp(av.cross, kx_env_get(e, "CROSS_COMPILE"))) {
		kx_env_set(e, "CROSS_COMPILE", av.cross);
		set_tools(&dv, pre, suf);
	}
	for (i = 0; i < NTOOLS; i++)
		if (av.tool[i])
			make_set(&dv, tools[i].name, av.tool[i]);

	if (run_tools && !from_cmdline(&dv, "CC_VERSION_TEXT")) {
		/* CC_VERSION_TEXT = ... is expanded with the final $(CC) */
		if (!strcmp(cc0, kx_env_get(e, "CC"))) {
			make_set(&dv, "CC_VERSION_TEXT", text0);
		} else {
			s = cc_version_text(e, dv.tool_cache);
			make_set(&dv, "CC_VERSION_TEXT", s);
			free(s);
			s = NULL;
		}
	}
	if (run_tools && strstr(mk, "RUSTC_VERSION_TEXT") &&
	    !from_cmdline(&dv, "RUSTC_VERSION_TEXT")) {
		char *cmd = kx_xasprintf("%s --version 2>/dev/null",
					 kx_env_get(e, "RUSTC"));

		s = run_tool(e, cmd, dv.tool_cache);
		free(cmd);
		remove_pound(s);
		make_set(&dv, "RUSTC_VERSION_TEXT", s);
		free(s);
		s = NULL;
	}
	/*
	 * 6.19+ (7.3 has it): make exports PAHOLE_VERSION, the output of
	 * scripts/pahole-version.sh $(PAHOLE) ("0" without pahole), for
	 * init/Kconfig's 'default "$(PAHOLE_VERSION)"'.  The script's logic
	 * is run inline, so that a git tree needs no checkout.
	 */
	if (run_tools && strstr(mk, "PAHOLE_VERSION = $(shell") &&
	    !from_cmdline(&dv, "PAHOLE_VERSION")) {
		const char *ph = kx_env_get(e, "PAHOLE");
		char *cmd = kx_xasprintf("if [ ! -x \"$(command -v %s)\" ]; then echo 0; "
					 "else %s --version | sed -E 's/v([0-9]+)\\.([0-9]+)/\\1\\2/'; fi",
					 ph, ph);

		s = run_tool(e, cmd, dv.tool_cache);
		free(cmd);
		make_set(&dv, "PAHOLE_VERSION", s);
		free(s);
		s = NULL;
	}
	set_defconfig_list(&dv);
out:
	free(dv.subarch);
	free(dv.cross_compiling);
	free(cc0);
	free(text0);
	arch_vars_free(&av);
	free(mk);
	return err;
}
