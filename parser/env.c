// SPDX-License-Identifier: MIT
/*
 * env.c - the environment Kconfig sees, and how the kernel's Makefile
 * derives it.
 *
 * kx_env is an ordered NAME=VALUE map (insertion order; kx_env_set on an
 * existing name replaces the value in place) with a cached execve()
 * vector.
 *
 * kx_env_derive() reproduces what `make ARCH=... olddefconfig` exports to
 * scripts/kconfig/conf, measured with strace on Debian's 6.1 and 6.12 trees
 * (x86_64, i386, arm64; gcc and LLVM=1) and read from the top Makefile,
 * scripts/subarch.include, scripts/Makefile.clang, scripts/kconfig/Makefile
 * and arch/$(SRCARCH)/Makefile:
 *
 *   ARCH           ?= $(SUBARCH)  (uname -m through subarch.include's sed)
 *   SRCARCH        ARCH, with i386/x86_64 -> x86, sparc64 -> sparc,
 *                  parisc64 -> parisc, sh64 -> sh
 *   SUBARCH, HEADER_ARCH   only for ARCH=um (arch/um/Makefile exports them)
 *   srctree        the tree (make: "." in-tree, "..", or the absolute path
 *                  with O=; we always use the absolute disk root)
 *   KERNELVERSION  $(VERSION)$(if $(PATCHLEVEL),.$(PATCHLEVEL)$(if
 *                  $(SUBLEVEL),.$(SUBLEVEL)))$(EXTRAVERSION)
 *   CROSS_COMPILE  exported even when empty
 *   CC LD AR NM OBJCOPY OBJDUMP READELF STRIP
 *                  $(CROSS_COMPILE)gcc/ld/ar/...; with LLVM (any non-empty
 *                  value, even "0"): clang, ld.lld, llvm-ar, ... with
 *                  LLVM=/dir/ as prefix or LLVM=-NN as suffix
 *   HOSTCC HOSTCXX gcc/g++, or clang/clang++ with LLVM (prefix/suffix)
 *   RUSTC=rustc BINDGEN=bindgen PAHOLE=pahole PYTHON3=python3
 *   CC_VERSION_TEXT      $(subst #,,$(shell LC_ALL=C $(CC) --version
 *                        2>/dev/null | head -n 1))   (run_tools only)
 *   RUSTC_VERSION_TEXT   $(subst #,,$(shell $(RUSTC) --version 2>/dev/null))
 *                        only where the Makefile has it (6.12, not 6.1);
 *                        "" when rustc is missing (run_tools only)
 *   CLANG_FLAGS    only when CC_VERSION_TEXT contains "clang": built as
 *                  scripts/Makefile.clang does (--target=..., integrated
 *                  assembler flag, its -Werror=... list)
 *   KCONFIG_DEFCONFIG_LIST  "/lib/modules/$(uname -r)/.config
 *                  /etc/kernel-config /boot/config-$(uname -r)
 *                  arch/$(SRCARCH)/configs/$(KBUILD_DEFCONFIG)" - conf reads
 *                  the first that exists when there is no .config
 *   LC_COLLATE=C LC_NUMERIC=C; LC_ALL is removed (the Makefile unexports it)
 *
 * Variables already in the env are kept (they play the role of make
 * command-line overrides), except LC_COLLATE/LC_NUMERIC/LC_ALL, which make
 * always forces.  Not derived: the other ~90 variables make exports
 * (KBUILD_CFLAGS, ...), which no Kconfig file of 6.1/6.12 references, and
 * CROSS_COMPILE values that some arch Makefiles compute with
 * cc-cross-prefix (arc, m68k, mips, parisc, powerpc, sh, xtensa when
 * cross compiling).
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
};

static void drop_vector(struct kx_env *e)
{
	size_t i;

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

/* ---- derivation --------------------------------------------------------- */

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

static void set_default(struct kx_env *e, const char *name, const char *value)
{
	if (!kx_env_get(e, name))
		kx_env_set(e, name, value);
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
static char *run_tool(struct kx_env *e, const char *cmd)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *out = NULL;

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_RUN;
	so.timeout = 60;
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

/* PATH search in the env's PATH; malloc'd path or NULL. */
static char *which(struct kx_env *e, const char *prog)
{
	const char *path = kx_env_get(e, "PATH"), *p, *end;

	if (!path || !*prog)
		return NULL;
	for (p = path;; p = end + 1) {
		char *cand;
		struct stat st;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		cand = kx_xasprintf("%.*s%s%s", (int)(end - p), p,
				    end == p ? "" : "/", prog);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
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
 * KBUILD_DEFCONFIG as arch/$(SRCARCH)/Makefile sets it (scripts/kconfig/
 * Makefile: "defconfig" when the arch does not).  The conditional forms of
 * x86, um, sparc, parisc and powerpc are evaluated; elsewhere a single
 * plain assignment is taken.
 */
static char *kbuild_defconfig(struct kx_env *e, struct kx_tree *t)
{
	const char *arch = kx_env_get(e, "ARCH");
	const char *srcarch = kx_env_get(e, "SRCARCH");
	const char *user = kx_env_get(e, "KBUILD_DEFCONFIG");
	char *path, *mk = NULL, *m = machine(), *res = NULL, *v;
	size_t len;

	if (!arch || !srcarch)
		goto out;
	path = kx_xasprintf("arch/%s/Makefile", srcarch);
	if (kx_tree_read(t, path, &mk, &len) < 0)
		mk = NULL;
	free(path);
	if (!mk || !strstr(mk, "KBUILD_DEFCONFIG")) {
		res = kx_xstrdup(user ? user : "defconfig");
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

static void set_defconfig_list(struct kx_env *e, struct kx_tree *t,
			       const char *topmk)
{
	const char *srcarch = kx_env_get(e, "SRCARCH");
	char *def = kbuild_defconfig(e, t);
	struct kx_buf b = KX_BUF_INIT;
	struct utsname u;
	bool cross = false;

	if (!def || !srcarch) {
		free(def);
		return;
	}
	/* trees that define cross_compiling (newer upstream) skip the host */
	if (topmk && (strstr(topmk, "cross_compiling :=") ||
		      strstr(topmk, "cross_compiling =")))
		cross = strcmp(srcarch, kx_env_host_arch()) != 0;
	if (!cross && uname(&u) == 0)
		kx_buf_printf(&b, "/lib/modules/%s/.config /etc/kernel-config "
			      "/boot/config-%s ", u.release, u.release);
	kx_buf_printf(&b, "arch/%s/configs/%s", srcarch, def);
	set_default(e, "KCONFIG_DEFCONFIG_LIST", kx_buf_cstr(&b));
	kx_buf_free(&b);
	free(def);
}

/* Fills in what make would export to conf; see env.h and the top. */
int kx_env_derive(struct kx_env *e, struct kx_tree *t,
		  const struct kx_env_opts *opts, struct kx_diags *d)
{
	static const struct { const char *name, *gnu, *llvm; } tools[] = {
		{ "CC", "gcc", "clang" },
		{ "LD", "ld", "ld.lld" },
		{ "AR", "ar", "llvm-ar" },
		{ "NM", "nm", "llvm-nm" },
		{ "OBJCOPY", "objcopy", "llvm-objcopy" },
		{ "OBJDUMP", "objdump", "llvm-objdump" },
		{ "READELF", "readelf", "llvm-readelf" },
		{ "STRIP", "strip", "llvm-strip" },
	};
	const char *arch, *llvm, *cross, *pre = "", *suf = "";
	const char *srctree = opts ? opts->srctree : NULL;
	char *mk = NULL, *s = NULL;
	size_t len, i;
	int err = 0;

	/* make: LC_COLLATE=C LC_NUMERIC=C exported, LC_ALL unexported */
	kx_env_set(e, "LC_COLLATE", "C");
	kx_env_set(e, "LC_NUMERIC", "C");
	kx_env_unset(e, "LC_ALL");

	arch = opts && opts->arch ? opts->arch : kx_env_get(e, "ARCH");
	if (!arch)
		arch = kx_env_host_arch();
	set_default(e, "ARCH", arch);
	arch = kx_env_get(e, "ARCH");
	set_default(e, "SRCARCH", kx_env_srcarch(arch));
	if (!strcmp(arch, "um")) {
		const char *sub;

		set_default(e, "SUBARCH", kx_env_host_arch());
		sub = kx_env_get(e, "SUBARCH");
		set_default(e, "HEADER_ARCH",
			    !strcmp(sub, "x86") || !strcmp(sub, "x86_64") ||
			    !strcmp(sub, "i386") ? "x86" : sub);
	}

	if (!srctree && t)
		srctree = kx_tree_disk_root(t);
	if (srctree)
		set_default(e, "srctree", srctree);

	if (!t || kx_tree_read(t, "Makefile", &mk, &len) < 0) {
		diag(d, KX_DIAG_ERROR,
			     "%s: no top-level Makefile; cannot derive "
			     "KERNELVERSION and the toolchain variables",
			     t ? kx_tree_describe(t) : "(no tree)");
		err = KX_ENOTFOUND;
		goto out;
	}
	s = kernelversion(mk);
	set_default(e, "KERNELVERSION", s);
	free(s);
	s = NULL;

	set_default(e, "CROSS_COMPILE", "");
	cross = kx_env_get(e, "CROSS_COMPILE");
	llvm = kx_env_get(e, "LLVM");
	if (llvm && *llvm) {
		size_t ll = strlen(llvm);

		if (llvm[ll - 1] == '/')
			pre = llvm;
		else if (llvm[0] == '-')
			suf = llvm;
		s = kx_xasprintf("%sclang%s", pre, suf);
		set_default(e, "HOSTCC", s);
		free(s);
		s = kx_xasprintf("%sclang++%s", pre, suf);
		set_default(e, "HOSTCXX", s);
		free(s);
		s = NULL;
	} else {
		llvm = NULL;
		set_default(e, "HOSTCC", "gcc");
		set_default(e, "HOSTCXX", "g++");
	}
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (llvm)
			s = kx_xasprintf("%s%s%s", pre, tools[i].llvm, suf);
		else
			s = kx_xasprintf("%s%s", cross, tools[i].gnu);
		set_default(e, tools[i].name, s);
		free(s);
		s = NULL;
	}
	set_default(e, "RUSTC", "rustc");
	set_default(e, "BINDGEN", "bindgen");
	set_default(e, "PAHOLE", "pahole");
	set_default(e, "PYTHON3", "python3");

	if (opts && opts->run_tools && !kx_env_get(e, "CC_VERSION_TEXT")) {
		char *cmd = kx_xasprintf("LC_ALL=C %s --version 2>/dev/null | head -n 1",
					 kx_env_get(e, "CC"));

		s = run_tool(e, cmd);
		free(cmd);
		remove_pound(s);
		kx_env_set(e, "CC_VERSION_TEXT", s);
		free(s);
		s = NULL;
	}
	if (opts && opts->run_tools && strstr(mk, "RUSTC_VERSION_TEXT") &&
	    !kx_env_get(e, "RUSTC_VERSION_TEXT")) {
		char *cmd = kx_xasprintf("%s --version 2>/dev/null",
					 kx_env_get(e, "RUSTC"));

		s = run_tool(e, cmd);
		free(cmd);
		remove_pound(s);
		kx_env_set(e, "RUSTC_VERSION_TEXT", s);
		free(s);
		s = NULL;
	}
	if (kx_env_get(e, "CC_VERSION_TEXT") &&
	    strstr(kx_env_get(e, "CC_VERSION_TEXT"), "clang") &&
	    !kx_env_get(e, "CLANG_FLAGS")) {
		s = clang_flags(e, t, d);
		if (s)
			kx_env_set(e, "CLANG_FLAGS", s);
		free(s);
		s = NULL;
	}
	set_defconfig_list(e, t, mk);
out:
	free(mk);
	return err;
}
