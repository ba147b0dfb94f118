// SPDX-License-Identifier: MIT
/*
 * cmd_build.c - `build`: the arguments, the progress and the summary of a
 * kernel build.  analyzer/build.c decides and runs it (the make targets,
 * the files to ship, the conf-stability and Xen ELF note checks; see
 * build.h for the steps); here it is shown: the steps and the config's
 * differences on stderr, a progress line on a terminal (objects built,
 * elapsed time, the last step) or a plain line every 30 seconds otherwise,
 * and what was built and shipped on stdout.  NAME=VALUE make variables
 * given to kxen-config (CC=clang, LLVM=1, CROSS_COMPILE=...) are passed to
 * both makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analyzer/build.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/session.h"

extern char **environ;

static const char build_usage[] =
"Usage: kxen-config [global options] build [--config FILE] [-O OBJDIR] [-j N]\n"
"                   [--xen-version V] [--type pv|pvh] [--target T] [--log FILE]\n"
"                   [--dry-run]\n"
"\n"
"Builds the kernel of the source tree (-C) with its own make, out of tree,\n"
"from a final .config, and prepares the domU kernel image for Xen.\n"
"\n"
"  --config FILE      the .config to build (default: $KCONFIG_CONFIG or .config);\n"
"                     it is copied to OBJDIR/.config and must survive\n"
"                     `make olddefconfig` unchanged (conf-stable)\n"
"  -O, --objdir DIR   kbuild's output directory (default: ./kxen-build)\n"
"  -j, --jobs N       parallel jobs (default: the number of CPUs)\n"
"  --xen-version V    the Xen that boots the domU: 3.4.2, 4.17, 4.19.1...\n"
"                     (default: today's Xen, 4.17 and newer)\n"
"  --type pv|pvh      the guest type (default pvh, as for xl-cfg; pv when\n"
"                     --xen-version is older than 4.10); pvh boots the ELF\n"
"                     vmlinux through its PVH entry note.  A config without\n"
"                     the type's entry (CONFIG_XEN_PVH=y, CONFIG_XEN_PV=y;\n"
"                     32-bit x86 has no PV) is refused before building\n"
"  --target T         bzImage | vmlinux | Image: build and ship only that\n"
"                     (default: vmlinux and the arch's image, ship per plan)\n"
"  --log FILE         the full make output (default: OBJDIR/build.log)\n"
"  --dry-run          print the plan (make targets, the image for this Xen,\n"
"                     strip/compress, the file shipped) and build nothing\n"
"\n"
"The image plan (x86): Xen 3.2+ boots a bzImage; older Xen, or a bzImage\n"
"payload this Xen cannot decompress (bzip2/lzma before 3.4.2, xz/lzo before\n"
"4.1, lz4 before 4.4, zstd before 4.15, uncompressed always), gets the\n"
"stripped, gzip'd vmlinux.  The result is OBJDIR/domu/<file>.\n"
"NAME=VALUE arguments (CC=clang, LLVM=1, ...) are passed to make.\n"
"Git trees (--git) cannot be built: extract the revision first.\n"
"\n"
"Exit status: 0 built (--dry-run: the plan holds); 1 the build failed (the log's last 30 lines are\n"
"printed) or the image lacks the Xen entry note; 2 usage error; 3 internal\n"
"error.\n";

static void fmt_size(char *buf, size_t n, long long bytes)
{
	if (bytes >= 10 * 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	else if (bytes >= 10 * 1024)
		snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
	else
		snprintf(buf, n, "%lld bytes", bytes);
}

/* ---- the arguments ------------------------------------------------------------ */

static int parse_jobs(const char *v, int *jobs)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > 4096) {
		kx_errorf("build: -j needs a number of jobs, not '%s'", v);
		return -1;
	}
	*jobs = (int)n;
	return 0;
}

enum { OPT_XEN_VERSION = KX_OPT_LONG, OPT_TYPE, OPT_TARGET, OPT_LOG, OPT_DRY_RUN };

static const struct option build_longopts[] = {
	{ "objdir", required_argument, NULL, 'O' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "xen-version", required_argument, NULL, OPT_XEN_VERSION },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ NULL, 0, NULL, 0 }
};

static const struct kx_optspec build_spec = {
	.cmd = "build", .shortopts = "O:j:", .longopts = build_longopts,
	.usage = build_usage,
};

/*
 * The options of `build` into *o (*type_arg: --type as given).  Returns 0,
 * 1 when the help was printed, -1 on a usage error (message printed).
 */
static int parse_options(struct kx_session *s, int argc, char **argv,
			 struct kx_build_opts *o, const char **type_arg)
{
	struct kx_opts op;
	int c;

	kx_opts_begin(&op, s, argc, argv, &build_spec);
	while ((c = kx_opts_next(&op)) > 0) {
		switch (c) {
		case 'O':
			o->objdir = op.arg;
			continue;
		case 'j':
			if (parse_jobs(op.arg, &o->jobs))
				break;
			continue;
		case OPT_XEN_VERSION:
			o->xen_version = op.arg;
			continue;
		case OPT_TYPE:
			*type_arg = op.arg;
			continue;
		case OPT_TARGET:
			o->target = op.arg;
			continue;
		case OPT_LOG:
			o->log = op.arg;
			continue;
		case OPT_DRY_RUN:
			o->dry_run = true;
			continue;
		default:
			kx_errorf("build: unexpected argument '%s' (see kxen-config build --help)",
				  op.arg);
			break;
		}
		c = KX_OPT_ERROR;
		break;
	}
	kx_opts_end(&op);
	return c == KX_OPT_HELP ? 1 : c < 0 ? -1 : 0;
}

/* The arguments' values, as far as they do not need the tree. */
static int check_options(const struct kx_session *s, struct kx_build_opts *o,
			 const char *type_arg)
{
	struct kx_xen_version xv;

	if (!type_arg) {
		/* PVH, what Xen recommends, where this Xen has it (4.10+) */
		bool old = o->xen_version && !kx_image_parse_version(&xv, o->xen_version) &&
			   (xv.major < 4 || (xv.major == 4 && xv.minor < 10));

		type_arg = old ? "pv" : "pvh";
	}
	if (!strcmp(type_arg, "pv")) {
		o->type = KX_GUEST_PV;
	} else if (!strcmp(type_arg, "pvh")) {
		o->type = KX_GUEST_PVH;
	} else {
		kx_errorf("build: --type must be pv or pvh, not '%s'", type_arg);
		return -1;
	}
	if (o->xen_version && kx_image_parse_version(&xv, o->xen_version)) {
		kx_errorf("build: --xen-version wants a version like 3.4.2, 4.17 "
			  "or 4.19.1, not '%s'", o->xen_version);
		return -1;
	}
	if (o->target && strcmp(o->target, "bzImage") && strcmp(o->target, "vmlinux") &&
	    strcmp(o->target, "Image")) {
		kx_errorf("build: --target must be bzImage, vmlinux or Image, not '%s'", o->target);
		return -1;
	}
	if (s->git_repo) {
		kx_errorf("build: a git tree (--git) cannot be built: kbuild needs the "
			  "files on disk; extract the revision (git worktree add, or git "
			  "archive | tar x) and pass it with -C");
		return -1;
	}
	return 0;
}

/* ---- the progress ---------------------------------------------------------------- */

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* a line redrawn in place on a terminal; else a plain line */
static void show_progress(const struct kx_build_state *st, bool tty)
{
	char el[32];

	kx_fmt_duration(el, sizeof(el), st->elapsed);
	if (tty) {
		int w = term_width() - 1;
		char line[512];
		int n = snprintf(line, sizeof(line), "  [%s] %lu objects  %s", el, st->objects,
				 st->last_step[0] && !st->final ? st->last_step + 2 : "");

		if (n > w && w > 0 && w < (int)sizeof(line))
			line[w] = 0;
		fprintf(stderr, "\r\033[K%s%s", line, st->final ? "\n" : "");
	} else {
		fprintf(stderr, "  build: %lu objects, %s\n", st->objects, el);
	}
	fflush(stderr);
}

static void show_config_check(const struct kx_build_state *st)
{
	if (!st->config_changed) {
		fprintf(stderr, "kxen-config: the config is conf-stable (unchanged by make "
			"olddefconfig)\n");
		return;
	}
	fprintf(stderr, "kxen-config: warning: make olddefconfig changed the config: "
		"it was not conf-stable\n");
	for (size_t i = 0; i < st->ndiff && i < 20; i++)
		fprintf(stderr, "    %s\n", st->diff[i]);
	if (st->ndiff > 20)
		fprintf(stderr, "    ... and %zu more\n", st->ndiff - 20);
	if (!st->ndiff)
		fprintf(stderr, "    (only comments and ordering differ)\n");
	else
		fprintf(stderr, "    building with the config kbuild wrote (%s)\n", st->objcfg);
}

static void show_built(const struct kx_build_plan *p, const struct kx_build_state *st)
{
	bool comp = p->x86 && p->have_compression;
	char el[32], sz[32];

	kx_fmt_duration(el, sizeof(el), st->elapsed);
	printf("built in %s (%lu objects), log: %s\n", el, st->objects, st->log_path);
	if (st->vmlinux_size >= 0) {
		fmt_size(sz, sizeof(sz), st->vmlinux_size);
		printf("  vmlinux  %s  %s\n", st->vmlinux, sz);
	}
	if (st->image) {
		fmt_size(sz, sizeof(sz), st->image_size);
		printf("  %-8s %s  %s%s%s%s\n", p->image_name, st->image, sz,
		       comp ? " (" : "", comp ? kx_image_compression_name(p->compression) : "",
		       comp ? " payload)" : "");
	}
}

static void on_event(void *ctx, enum kx_build_event ev, const struct kx_build_plan *p,
		     const struct kx_build_state *st)
{
	const bool *tty = ctx;

	switch (ev) {
	case KX_BUILD_CONFIGURE:
		fprintf(stderr, "kxen-config: make O=%s%s%s olddefconfig (log: %s)\n",
			st->objdir, p->opts.arch ? " ARCH=" : "",
			p->opts.arch ? p->opts.arch : "", st->log_path);
		break;
	case KX_BUILD_CONFIG_CHECKED:
		show_config_check(st);
		break;
	case KX_BUILD_COMPILE:
		fprintf(stderr, "kxen-config: make O=%s -j%d", st->objdir, p->jobs);
		for (size_t i = 0; p->targets[i]; i++)
			fprintf(stderr, " %s", p->targets[i]);
		fprintf(stderr, "\n");
		break;
	case KX_BUILD_PROGRESS:
		show_progress(st, *tty);
		break;
	case KX_BUILD_BUILT:
		show_built(p, st);
		break;
	}
}

/* ---- the result ------------------------------------------------------------------ */

static void show_failure(const struct kx_build_state *st)
{
	kx_errorf("build: %s", st->error);
	if (st->log_tail) {
		size_t len = strlen(st->log_tail);

		fprintf(stderr, "---- last lines of %s ----\n%s", st->log_path, st->log_tail);
		if (len && st->log_tail[len - 1] != '\n')
			fputc('\n', stderr);
		fprintf(stderr, "----\n");
	}
	if (st->error2)
		kx_errorf("build: %s", st->error2);
}

static const char *type_name(const struct kx_build_plan *p)
{
	return p->opts.type == KX_GUEST_PVH ? "pvh" : "pv";
}

/* --dry-run: what would be built and shipped, and why */
static void show_plan(const struct kx_build_plan *p)
{
	const struct kx_image_plan *ip = &p->image;

	printf("Plan (nothing built): ARCH=%s, %s, %d jobs\n",
	       p->opts.arch ? p->opts.arch : "(make's default)", p->srctree, p->jobs);
	printf("  config:  %s (copied to %s/.config, must survive make olddefconfig)\n",
	       p->opts.config, p->opts.objdir ? p->opts.objdir : "kxen-build");
	printf("  make:   ");
	for (int i = 0; p->targets[i]; i++)
		printf(" %s", p->targets[i]);
	putchar('\n');
	printf("  ships:   %s/domu/%s\n", p->opts.objdir ? p->opts.objdir : "kxen-build",
	       p->ship_name);
	if (!p->x86)
		return;
	if (ip->xen_given)
		printf("  for:     Xen %s, type %s\n", p->opts.xen_version, type_name(p));
	else
		printf("  for:     Xen %d.%d+, type %s\n", ip->xen.major, ip->xen.minor,
		       type_name(p));
	printf("  image:   %s%s%s\n", ip->output_name, ip->strip ? ", stripped" : "",
	       ip->gzip ? ", gzip -9" : "");
	printf("  why:     %s\n", p->why);
	for (size_t i = 0; i < ip->nwarnings; i++)
		printf("  warning: %s\n", ip->warnings[i]);
	for (size_t i = 0; i < ip->nnotes; i++)
		printf("  note:    %s\n", ip->notes[i]);
}

static void show_summary(const struct kx_build_plan *p, const struct kx_build_state *st)
{
	const char *type_arg = type_name(p);
	const struct kx_image_plan *ip = &p->image;
	char sz[32], xv[32], nn[128];

	fmt_size(sz, sizeof(sz), st->ship_size);
	if (!p->x86) {
		printf("domU kernel (%s): %s  %s\n", p->ship_name, st->ship, sz);
		return;
	}
	if (ip->xen_given)
		snprintf(xv, sizeof(xv), "Xen %s", p->opts.xen_version);
	else
		snprintf(xv, sizeof(xv), "Xen %d.%d+", ip->xen.major, ip->xen.minor);
	printf("domU kernel for %s, type %s: %s  %s\n", xv, type_arg, st->ship, sz);
	printf("  Xen ELF notes: %s\n", kx_image_note_names(&st->notes, nn, sizeof(nn)));
	printf("  why: %s\n", p->why);
	for (size_t i = 0; i < ip->nwarnings; i++)
		printf("  warning: %s\n", ip->warnings[i]);
	for (size_t i = 0; i < ip->nnotes; i++)
		printf("  note: %s\n", ip->notes[i]);
	printf("  xl: type = \"%s\"  kernel = \"%s\"\n", type_arg, st->ship);
}

/* the exit status of a kx_build_run() result */
static int run_status(int err)
{
	if (err == 1)
		return KX_EXIT_NO;
	if (err == KX_EIO)
		return KX_EXIT_USAGE;
	return KX_EXIT_INTERNAL;
}

int kx_cmd_build(struct kx_session *s, int argc, char **argv)
{
	struct kx_build_opts o;
	struct kx_build_plan plan;
	struct kx_build_state st;
	struct kx_build_hooks hooks;
	struct kx_env *env = kx_env_new();
	const char *type_arg = NULL;
	bool tty = isatty(STDERR_FILENO);
	int rc = KX_EXIT_USAGE, r;

	memset(&o, 0, sizeof(o));
	memset(&plan, 0, sizeof(plan));
	memset(&st, 0, sizeof(st));
	r = parse_options(s, argc, argv, &o, &type_arg);
	if (r) {
		rc = r > 0 ? KX_EXIT_OK : KX_EXIT_USAGE;
		goto out;
	}
	if (check_options(s, &o, type_arg))
		goto out;
	o.srctree = s->srctree;
	o.arch = s->arch;
	o.config = kx_session_config_path(s);
	o.make_vars = s->cmdline;
	kx_env_import(env, environ);
	o.env = env;

	r = kx_build_plan(&plan, &o);
	if (plan.xen_ignored && (o.xen_version || type_arg))
		fprintf(stderr, "kxen-config: note: --xen-version/--type apply to x86 "
			"guests; %s guests boot the arch's image as built\n", plan.srcarch);
	if (r) {
		kx_errorf("build: %s", plan.error);
		rc = r == KX_EINTERNAL ? KX_EXIT_INTERNAL : KX_EXIT_USAGE;
		goto out;
	}

	if (o.dry_run) {
		show_plan(&plan);
		rc = KX_EXIT_OK;
		goto out;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.event = on_event;
	hooks.ctx = &tty;
	hooks.progress_interval = tty ? 0.2 : 30.0;
	r = kx_build_run(&plan, &hooks, &st);
	if (r) {
		show_failure(&st);
		rc = run_status(r);
		goto out;
	}
	show_summary(&plan, &st);
	rc = KX_EXIT_OK;
out:
	kx_build_state_free(&st);
	kx_build_plan_free(&plan);
	kx_env_free(env);
	return rc;
}
