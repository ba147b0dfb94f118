// SPDX-License-Identifier: MIT
/*
 * build.c - the domU kernel build: the plan and its run (see build.h).
 */
#include "analyzer/build.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parser/env.h"
#include "util/proc.h"
#include "util/util.h"

#define LOG_TAIL_LINES 30

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* ---- the plan ------------------------------------------------------------------ */

/* Build products in the tree: an O= build fails with them.  *what: which. */
static bool tree_unclean(const char *srctree, const char *srcarch, char *what, size_t n)
{
	static const char *const marks[] = { ".config", "include/config", "include/generated" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", srctree, marks[i]);
		if (access(path, F_OK) == 0) {
			snprintf(what, n, "%s", marks[i]);
			return true;
		}
	}
	if (srcarch) {
		snprintf(path, sizeof(path), "%s/arch/%s/include/generated", srctree, srcarch);
		if (access(path, F_OK) == 0) {
			snprintf(what, n, "arch/%s/include/generated", srcarch);
			return true;
		}
	}
	return false;
}

/* The tree, the arch, and the target against the arch. */
static int plan_tree(struct kx_build_plan *p)
{
	const struct kx_build_opts *o = &p->opts;
	const char *arch_name;
	char mk[PATH_MAX];

	p->srctree = o->srctree ? o->srctree : ".";
	snprintf(mk, sizeof(mk), "%s/Makefile", p->srctree);
	if (access(mk, R_OK)) {
		p->error = kx_xasprintf("%s is not a kernel source tree (no Makefile); use -C",
					 p->srctree);
		return KX_EINVAL;
	}
	p->srcarch = kx_env_srcarch(o->arch ? o->arch : kx_env_host_arch());
	p->x86 = p->srcarch && !strcmp(p->srcarch, "x86");
	p->arm64 = p->srcarch && !strcmp(p->srcarch, "arm64");
	arch_name = o->arch ? o->arch : p->srcarch;
	if (o->target && strcmp(o->target, "bzImage") && strcmp(o->target, "vmlinux") &&
	    strcmp(o->target, "Image")) {
		p->error = kx_xasprintf("unknown target '%s'", o->target);
		return KX_EINVAL;
	}
	if (o->target && !strcmp(o->target, "bzImage") && !p->x86) {
		p->error = kx_xasprintf("bzImage is an x86 target (ARCH=%s)", arch_name);
		return KX_EINVAL;
	}
	if (o->target && !strcmp(o->target, "Image") && !p->arm64) {
		p->error = kx_xasprintf("Image is the arm64 target here (ARCH=%s)", arch_name);
		return KX_EINVAL;
	}
	return 0;
}

/* The config, the image plan (x86), and what the config lacks for it. */
static int plan_config(struct kx_build_plan *p)
{
	const struct kx_build_opts *o = &p->opts;
	const char *cfg;

	if (kx_read_file(&p->config_text, &p->config_len, o->config)) {
		p->error = kx_xasprintf("cannot read the config %s: %s", o->config,
					 strerror(errno));
		return KX_EINVAL;
	}
	cfg = p->config_text;
	if (!strstr(cfg, "CONFIG_")) {
		p->error = kx_xasprintf("%s has no CONFIG_ lines: not a .config", o->config);
		return KX_EINVAL;
	}
	p->have_compression = kx_image_find_compression(&p->compression, cfg) == 0;
	if (!p->have_compression)
		p->compression = KX_COMP_GZIP;
	if (!p->x86) {
		p->xen_ignored = o->xen_version || o->type == KX_GUEST_PVH;
		return 0;
	}
	if (kx_image_plan(&p->image, o->xen_version, o->type, p->have_compression ?
			  kx_image_compression_name(p->compression) : NULL)) {
		p->error = kx_xasprintf("internal error in the image plan");
		return KX_EINTERNAL;
	}
	if (!p->image.bootable) {
		p->error = kx_xasprintf("%s", p->image.warnings[0]);
		return KX_EINVAL;
	}
	if (o->target && !strcmp(o->target, "bzImage") && p->image.file != KX_IMAGE_BZIMAGE) {
		p->error = kx_xasprintf("--target bzImage, but %s", p->image.warnings[0]);
		return KX_EINVAL;
	}
	/* a kernel without the type's entry point cannot boot as that type: say
	 * so before a build of many minutes, not after */
	if (o->type == KX_GUEST_PVH && !strstr(cfg, "\nCONFIG_XEN_PVH=y")) {
		p->error = kx_xasprintf("%s has no CONFIG_XEN_PVH=y: the kernel would have no "
					"PVH entry, and xl refuses it as type pvh (add "
					"XEN_PVH, or --type pv)", o->config);
		return KX_EINVAL;
	}
	if (o->type == KX_GUEST_PV && !strstr(cfg, "\nCONFIG_XEN_PV=y")) {
		p->error = kx_xasprintf("%s has no CONFIG_XEN_PV=y: the kernel would have no "
					"PV entry, and xl refuses it as type pv (%s)", o->config,
					strstr(cfg, "\nCONFIG_X86_32=y") ?
					"32-bit x86 has no PV guests: use --type pvh" :
					"add XEN_PV, or --type pvh");
		return KX_EINVAL;
	}
	return 0;
}

/* The make targets, the image built and the file shipped. */
static void plan_files(struct kx_build_plan *p)
{
	const char *t = p->opts.target;
	bool x86_vmlinux = p->x86 && p->image.file == KX_IMAGE_VMLINUX;
	bool want_vm = !t || !strcmp(t, "vmlinux") || x86_vmlinux;
	bool want_bz = p->x86 && (!t || !strcmp(t, "bzImage"));
	bool want_image = p->arm64 && (!t || !strcmp(t, "Image"));
	size_t n = 0;

	if (want_vm)
		p->targets[n++] = "vmlinux";
	if (want_bz)
		p->targets[n++] = "bzImage";
	if (want_image)
		p->targets[n++] = "Image";
	if (!n)
		p->targets[n++] = "vmlinux";
	if (want_bz) {
		p->image_file = "arch/x86/boot/bzImage";
		p->image_name = "bzImage";
	} else if (want_image) {
		p->image_file = "arch/arm64/boot/Image";
		p->image_name = "Image";
	}
	if (p->x86 && p->image.file == KX_IMAGE_BZIMAGE && want_bz) {
		p->ship = KX_BUILD_SHIP_COPY;
		p->ship_name = "bzImage";
	} else if (want_image) {
		p->ship = KX_BUILD_SHIP_COPY;
		p->ship_name = "Image";
	} else if (x86_vmlinux && p->image.gzip) {
		p->ship = KX_BUILD_SHIP_STRIP_GZIP;
		p->ship_name = "vmlinux.gz";
	} else {
		p->ship = KX_BUILD_SHIP_STRIP;
		p->ship_name = "vmlinux";
	}
	if (!p->x86)
		return;
	p->need_note = p->opts.type == KX_GUEST_PVH ? KX_XEN_ELFNOTE_PHYS32_ENTRY :
						       KX_XEN_ELFNOTE_ENTRY;
	if (t && !strcmp(t, "vmlinux") && p->image.file == KX_IMAGE_BZIMAGE)
		p->why = "--target vmlinux (the plan for this Xen is a bzImage)";
	else
		p->why = p->image.reason;
}

int kx_build_plan(struct kx_build_plan *p, const struct kx_build_opts *o)
{
	char what[64];
	int err;

	memset(p, 0, sizeof(*p));
	p->opts = *o;
	p->jobs = o->jobs;
	if (p->jobs < 1)
		p->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (p->jobs < 1)
		p->jobs = 1;
	if ((err = plan_tree(p)) || (err = plan_config(p)))
		return err;
	if (tree_unclean(p->srctree, p->srcarch, what, sizeof(what))) {
		p->error = kx_xasprintf("the source tree %s is not clean (%s exists): O= builds "
					 "fail then (kbuild refuses, or the tree's generated "
					 "headers shadow the object directory's); run `make -C %s "
					 "mrproper` or use a clean copy", p->srctree, what,
					 p->srctree);
		return KX_EINVAL;
	}
	plan_files(p);
	return 0;
}

void kx_build_plan_free(struct kx_build_plan *p)
{
	free(p->config_text);
	free(p->error);
	memset(p, 0, sizeof(*p));
}

/* ---- running programs ------------------------------------------------------------ */

struct runner {
	const struct kx_build_plan *p;
	const struct kx_build_hooks *h;
	struct kx_build_state *st;
	struct kx_env *env;	/* the programs' environment */
	FILE *log;
	double t0;		/* make TARGETS started */
	bool show;		/* progress reports for this program */
	double next_tick;
};

static void report(struct runner *r, enum kx_build_event ev)
{
	if (r->h && r->h->event)
		r->h->event(r->h->ctx, ev, r->p, r->st);
}

static double interval(const struct runner *r)
{
	return r->h && r->h->progress_interval > 0 ? r->h->progress_interval : 30.0;
}

/* a kbuild quiet-mode line: "  CC      init/main.o", "  LD [M]  ..." */
static bool is_kbuild_step(const char *line)
{
	const char *p = line;

	if (p[0] != ' ' || p[1] != ' ' || !(p[2] >= 'A' && p[2] <= 'Z'))
		return false;
	for (p += 2; (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'; p++)
		;
	return *p == ' ';
}

/* kx_proc_run's line callback: the log, the kbuild steps, the progress */
static void log_line(void *ctx, const char *line, size_t len)
{
	struct runner *r = ctx;
	struct kx_build_state *st = r->st;

	fwrite(line, 1, len, r->log);
	if (len > 1 && line[len - 1] == '\n' && is_kbuild_step(line)) {
		st->objects++;
		snprintf(st->last_step, sizeof(st->last_step), "%.*s", (int)(len - 1), line);
	}
	if (r->show && now() >= r->next_tick) {
		st->elapsed = now() - r->t0;
		st->final = false;
		report(r, KX_BUILD_PROGRESS);
		r->next_tick = now() + interval(r);
	}
}

/*
 * Runs argv with stdout and stderr into the log (stdout into the file
 * 'out' instead when it is not NULL); with 'show', progress is reported.
 * Returns the exit status (0..255, 128+N for a signal; 127 when the
 * program cannot be started), or -1 with errno set when it could not be
 * set up (a pipe, the output file).
 */
static int run(struct runner *r, char *const *argv, const char *out, bool show)
{
	struct kx_proc_opts po;
	struct kx_proc_result res;
	int err;

	fprintf(r->log, "\n$");
	for (size_t i = 0; argv[i]; i++)
		fprintf(r->log, " %s", argv[i]);
	fprintf(r->log, "%s%s\n", out ? " > " : "", out ? out : "");
	fflush(r->log);
	memset(&po, 0, sizeof(po));
	po.argv = argv;
	po.envp = kx_env_vector(r->env);
	po.out.io = out ? KX_PROC_FILE : KX_PROC_PIPE;
	po.out.path = out;
	po.err.io = KX_PROC_PIPE;
	po.on_line = log_line;
	po.ctx = r;
	r->show = show;
	r->st->last_step[0] = 0;
	r->next_tick = now() + interval(r);
	err = kx_proc_run(&po, &res);
	if (err && res.spawn_failed)
		fprintf(r->log, "cannot run %s: %s\n", argv[0], strerror(res.error));
	fflush(r->log);
	if (err && !res.spawn_failed) {
		errno = res.error;
		return -1;
	}
	if (show) {
		r->st->elapsed = now() - r->t0;
		r->st->final = true;
		report(r, KX_BUILD_PROGRESS);
	}
	return err ? 127 : kx_proc_exit_code(res.status);
}

/* make -C TREE O=OBJDIR [ARCH=A] [NAME=VALUE...] args... */
static char **make_argv(const struct runner *r, const char *const *args)
{
	const struct kx_build_plan *p = r->p;
	const struct kx_env *vars = p->opts.make_vars;
	size_t n = 0, cap = 16, nvars = vars ? kx_env_count(vars) : 0;
	char **v;

	for (size_t i = 0; args[i]; i++)
		cap++;
	cap += nvars;
	v = kx_xcalloc(cap, sizeof(*v));
	v[n++] = kx_xstrdup("make");
	v[n++] = kx_xstrdup("-C");
	v[n++] = kx_xstrdup(p->srctree);
	v[n++] = kx_xasprintf("O=%s", r->st->objdir);
	if (p->opts.arch)
		v[n++] = kx_xasprintf("ARCH=%s", p->opts.arch);
	for (size_t i = 0; i < nvars; i++) {
		const char *name, *value;

		kx_env_at(vars, i, &name, &value);
		if (!strcmp(name, "O") || !strcmp(name, "ARCH") || !strcmp(name, "KCONFIG_CONFIG"))
			continue;
		v[n++] = kx_xasprintf("%s=%s", name, value);
	}
	for (size_t i = 0; args[i]; i++)
		v[n++] = kx_xstrdup(args[i]);
	v[n] = NULL;
	return v;
}

static void free_argv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int run_make(struct runner *r, const char *const *args, bool show)
{
	char **v = make_argv(r, args);
	int rc = run(r, v, NULL, show);

	free_argv(v);
	return rc;
}

/* the last 'n' lines of the log */
static char *log_tail(const char *path, int n)
{
	char *data = NULL, *tail;
	size_t len = 0;
	const char *p;

	if (kx_read_file(&data, &len, path))
		return NULL;
	p = data + len;
	if (p > data && p[-1] == '\n')
		p--;
	while (p > data && n > 0) {
		p--;
		if (*p == '\n')
			n--;
	}
	if (*p == '\n')
		p++;
	tail = kx_xstrdup(p);
	free(data);
	return tail;
}

/* ---- the steps ---------------------------------------------------------------------- */

/* 1: the object directory, the log, OBJDIR/.config */
static int step_prepare(struct runner *r)
{
	const struct kx_build_plan *p = r->p;
	struct kx_build_state *st = r->st;
	const char *objdir = p->opts.objdir ? p->opts.objdir : "kxen-build";

	if (mkdir(objdir, 0755) && errno != EEXIST) {
		st->error = kx_xasprintf("cannot create %s: %s", objdir, strerror(errno));
		return KX_EIO;
	}
	st->objdir = realpath(objdir, NULL);
	if (!st->objdir) {
		st->error = kx_xasprintf("%s: %s", objdir, strerror(errno));
		return KX_EIO;
	}
	st->log_path = p->opts.log ? kx_xstrdup(p->opts.log) :
				     kx_xasprintf("%s/build.log", st->objdir);
	r->log = fopen(st->log_path, "we");
	if (!r->log) {
		st->error = kx_xasprintf("cannot write the log %s: %s", st->log_path,
					  strerror(errno));
		return KX_EIO;
	}
	st->objcfg = kx_xasprintf("%s/.config", st->objdir);
	if (kx_write_file_atomic(st->objcfg, p->config_text, p->config_len, NULL)) {
		st->error = kx_xasprintf("cannot write %s: %s", st->objcfg, strerror(errno));
		return KX_EIO;
	}
	return 0;
}

/* lines that carry a value: CONFIG_X=... and "# CONFIG_X is not set" */
static bool is_value_line(const char *l, size_t n)
{
	if (n > 7 && !strncmp(l, "CONFIG_", 7))
		return true;
	return n > 20 && !strncmp(l, "# CONFIG_", 9) &&
	       !strncmp(l + n - 11, " is not set", 11);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **value_lines(const char *text, size_t *count)
{
	size_t n = 0, cap = 256;
	char **v = kx_xcalloc(cap, sizeof(*v));

	for (const char *l = text; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);

		if (is_value_line(l, len)) {
			if (n == cap)
				v = kx_xrealloc(v, (cap *= 2) * sizeof(*v));
			v[n++] = kx_xstrndup(l, len);
		}
		l = e ? e + 1 : NULL;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

/* st->diff: the value lines of 'before' and 'after' that differ */
static void config_diff(struct kx_build_state *st, const char *before, const char *after)
{
	size_t na, nb, i = 0, j = 0, cap = 0;
	char **a = value_lines(before, &na), **b = value_lines(after, &nb);

	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i], b[j]);

		if (!c) {
			i++;
			j++;
			continue;
		}
		if (st->ndiff == cap)
			st->diff = kx_xrealloc(st->diff, (cap = cap ? 2 * cap : 32) *
					       sizeof(*st->diff));
		st->diff[st->ndiff++] = kx_xasprintf("%s %s", c < 0 ? "-" : "+",
						     c < 0 ? a[i] : b[j]);
		if (c < 0)
			i++;
		else
			j++;
	}
	for (i = 0; i < na; i++)
		free(a[i]);
	for (j = 0; j < nb; j++)
		free(b[j]);
	free(a);
	free(b);
}

/* 2: make olddefconfig, and whether it changed the config */
static int step_configure(struct runner *r)
{
	static const char *const args[] = { "olddefconfig", NULL };
	const struct kx_build_plan *p = r->p;
	struct kx_build_state *st = r->st;
	char *after = NULL;
	size_t after_len = 0;
	int rc;

	report(r, KX_BUILD_CONFIGURE);
	r->t0 = now();
	rc = run_make(r, args, false);
	if (rc) {
		st->error = rc < 0 ? kx_xasprintf("cannot run make: %s", strerror(errno)) :
			    kx_xasprintf("make olddefconfig failed (exit %d)", rc);
		st->log_tail = log_tail(st->log_path, LOG_TAIL_LINES);
		return 1;
	}
	if (kx_read_file(&after, &after_len, st->objcfg)) {
		st->error = kx_xasprintf("make olddefconfig left no %s", st->objcfg);
		return 1;
	}
	st->config_changed = after_len != p->config_len ||
			     memcmp(after, p->config_text, after_len);
	if (st->config_changed)
		config_diff(st, p->config_text, after);
	free(after);
	report(r, KX_BUILD_CONFIG_CHECKED);
	return 0;
}

/* 3: make -jN TARGETS */
static int step_compile(struct runner *r)
{
	const struct kx_build_plan *p = r->p;
	struct kx_build_state *st = r->st;
	const char *args[6] = { NULL };
	char *j = kx_xasprintf("-j%d", p->jobs), el[32], what[64];
	int rc;

	args[0] = j;
	for (size_t i = 0; p->targets[i]; i++)
		args[i + 1] = p->targets[i];
	report(r, KX_BUILD_COMPILE);
	r->t0 = now();
	st->objects = 0;
	rc = run_make(r, args, true);
	free(j);
	st->elapsed = now() - r->t0;
	if (rc) {
		kx_fmt_duration(el, sizeof(el), st->elapsed);
		st->error = rc < 0 ? kx_xasprintf("cannot run make: %s", strerror(errno)) :
			    kx_xasprintf("the kernel build failed after %s (make exit %d)", el, rc);
		st->log_tail = log_tail(st->log_path, LOG_TAIL_LINES);
		if (tree_unclean(p->srctree, p->srcarch, what, sizeof(what)))
			st->error2 = kx_xasprintf("the source tree became unclean during the "
						   "build (%s appeared): something ran conf or "
						   "make inside %s; that breaks O= builds", what,
						   p->srctree);
		return 1;
	}
	st->vmlinux = kx_xasprintf("%s/vmlinux", st->objdir);
	st->vmlinux_size = file_size(st->vmlinux);
	if (p->image_file) {
		st->image = kx_xasprintf("%s/%s", st->objdir, p->image_file);
		st->image_size = file_size(st->image);
	}
	report(r, KX_BUILD_BUILT);
	return 0;
}

/* ${CROSS_COMPILE}NAME, llvm-NAME with LLVM=... */
static char *tool(const struct runner *r, const char *name)
{
	const struct kx_build_opts *o = &r->p->opts;
	const char *cc = o->make_vars ? kx_env_get(o->make_vars, "CROSS_COMPILE") : NULL;

	if (!cc)
		cc = o->env ? kx_env_get(o->env, "CROSS_COMPILE") : getenv("CROSS_COMPILE");
	if (o->make_vars && kx_env_get(o->make_vars, "LLVM"))
		return kx_xasprintf("llvm-%s", name);
	return kx_xasprintf("%s%s", cc ? cc : "", name);
}

static int strip_to(struct runner *r, const char *in, const char *out)
{
	char *t = tool(r, "strip");
	char *v1[] = { t, (char *)"-o", (char *)out, (char *)in, NULL };
	int rc = run(r, v1, NULL, false);

	free(t);
	if (rc == 0)
		return 0;
	t = tool(r, "objcopy");
	{
		char *v2[] = { t, (char *)"--strip-all", (char *)in, (char *)out, NULL };

		rc = run(r, v2, NULL, false);
	}
	free(t);
	return rc;
}

static int gzip_to(struct runner *r, const char *in, const char *out)
{
	char *v[] = { (char *)"gzip", (char *)"-9", (char *)"-n", (char *)"-c", (char *)in, NULL };

	return run(r, v, out, false);
}

static int copy_file(const char *from, const char *to)
{
	char *data = NULL;
	size_t len = 0;
	int err = kx_read_file(&data, &len, from);

	if (!err)
		err = kx_write_file_atomic(to, data, len, NULL);
	free(data);
	return err;
}

/* 4: OBJDIR/domu/<file>; *elf: the ELF the toolstack loads (x86) */
static int step_ship(struct runner *r, char **stripped)
{
	static const char *const old[] = { "bzImage", "Image", "vmlinux", "vmlinux.gz" };
	const struct kx_build_plan *p = r->p;
	struct kx_build_state *st = r->st;
	char *domu = kx_xasprintf("%s/domu", st->objdir);
	int rc = 0;

	if (mkdir(domu, 0755) && errno != EEXIST) {
		st->error = kx_xasprintf("cannot create %s: %s", domu, strerror(errno));
		free(domu);
		return KX_EINTERNAL;
	}
	/* no stale image of an earlier plan next to this one */
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		char *f = kx_xasprintf("%s/%s", domu, old[i]);

		unlink(f);
		free(f);
	}
	st->ship = kx_xasprintf("%s/%s", domu, p->ship_name);
	if (p->ship == KX_BUILD_SHIP_COPY) {
		if (copy_file(st->image, st->ship)) {
			st->error = kx_xasprintf("cannot copy %s to %s", st->image, st->ship);
			rc = KX_EINTERNAL;
		}
		free(domu);
		return rc;
	}
	*stripped = kx_xasprintf("%s/vmlinux", domu);
	free(domu);
	if (strip_to(r, st->vmlinux, *stripped)) {
		st->error = kx_xasprintf("cannot strip %s (strip and objcopy failed; see %s)",
					  st->vmlinux, st->log_path);
		return 1;
	}
	if (p->ship == KX_BUILD_SHIP_STRIP_GZIP && gzip_to(r, *stripped, st->ship)) {
		st->error = kx_xasprintf("gzip failed (see %s)", st->log_path);
		return 1;
	}
	return 0;
}

/* 5: the Xen notes of the ELF the toolstack will load */
static int step_notes(struct runner *r, const char *elf)
{
	const struct kx_build_plan *p = r->p;
	struct kx_build_state *st = r->st;
	bool pvh = p->opts.type == KX_GUEST_PVH;
	struct stat sb = { 0 };
	char names[128];
	void *m = MAP_FAILED;
	int fd = open(elf, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0)
		m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (fd >= 0)
		close(fd);
	if (m == MAP_FAILED || kx_image_read_notes(&st->notes, m, (size_t)sb.st_size)) {
		st->error = kx_xasprintf("%s is not a readable ELF file", elf);
		rc = 1;
	} else if (!(st->notes.present & (1u << p->need_note))) {
		st->error = kx_xasprintf("%s has no XEN_ELFNOTE_%s note (Xen notes: %s): it "
					  "cannot boot as a %s guest (CONFIG_%s=y?)", elf,
					  pvh ? "PHYS32_ENTRY" : "ENTRY",
					  kx_image_note_names(&st->notes, names, sizeof(names)),
					  pvh ? "pvh" : "pv", pvh ? "XEN_PVH" : "XEN_PV");
		rc = 1;
	}
	if (m != MAP_FAILED)
		munmap(m, (size_t)sb.st_size);
	return rc;
}

int kx_build_run(const struct kx_build_plan *p, const struct kx_build_hooks *h,
		 struct kx_build_state *st)
{
	struct runner r = { p, h, st, NULL, NULL, 0, false, 0 };
	char *stripped = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	r.env = kx_env_new();
	if (p->opts.env) {
		for (size_t i = 0; i < kx_env_count(p->opts.env); i++) {
			const char *name, *value;

			kx_env_at(p->opts.env, i, &name, &value);
			kx_env_set(r.env, name, value);
		}
	} else {
		kx_env_import(r.env, environ);
	}
	/* the .config is OBJDIR/.config, whatever the caller's is */
	kx_env_unset(r.env, "KCONFIG_CONFIG");
	if (!(rc = step_prepare(&r)) && !(rc = step_configure(&r)) &&
	    !(rc = step_compile(&r)) && !(rc = step_ship(&r, &stripped))) {
		if (p->x86)
			rc = step_notes(&r, p->image.file == KX_IMAGE_VMLINUX && stripped ?
					stripped : st->vmlinux);
		if (!rc)
			st->ship_size = file_size(st->ship);
	}
	free(stripped);
	if (r.log)
		fclose(r.log);
	kx_env_free(r.env);
	return rc;
}

void kx_build_state_free(struct kx_build_state *st)
{
	for (size_t i = 0; i < st->ndiff; i++)
		free(st->diff[i]);
	free(st->diff);
	free(st->objdir);
	free(st->log_path);
	free(st->objcfg);
	free(st->vmlinux);
	free(st->image);
	free(st->ship);
	free(st->error);
	free(st->log_tail);
	free(st->error2);
	memset(st, 0, sizeof(*st));
}
