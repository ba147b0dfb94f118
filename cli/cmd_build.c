// SPDX-License-Identifier: MIT
/*
 * cmd_build.c - `build`: build a kernel from a final .config with the
 * tree's own make, out of tree, and prepare the domU image for a Xen
 * version (analyzer/image.c decides bzImage or stripped/gzip'd vmlinux).
 *
 * The steps, all logged to one file:
 *   1. copy the config to OBJDIR/.config;
 *   2. `make -C TREE O=OBJDIR ARCH=A olddefconfig`, only so that kbuild
 *      creates its files; the .config must come out unchanged (otherwise
 *      the config was not conf-stable: the differences are printed);
 *   3. `make -C TREE O=OBJDIR ARCH=A -jN vmlinux bzImage` (Image on
 *      arm64), with a progress line on a terminal (objects built, elapsed
 *      time) or a plain line every 30 seconds otherwise;
 *   4. OBJDIR/domu/<bzImage|vmlinux|vmlinux.gz> per the image plan, with
 *      `strip` (or `objcopy --strip-all`) and `gzip -9 -n`, and the Xen ELF
 *      notes checked (the PV entry for pv, the PVH entry for pvh).
 * NAME=VALUE make variables given to kxen-config (CC=clang, LLVM=1,
 * CROSS_COMPILE=...) are passed to both makes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/image.h"
#include "cli/commands.h"
#include "cli/session.h"

static const char build_usage[] =
"Usage: kxen-config [global options] build [--config FILE] [-O OBJDIR] [-j N]\n"
"                   [--xen-version V] [--type pv|pvh] [--target T] [--log FILE]\n"
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
"  --type pv|pvh      the guest type (default pv); pvh needs Xen 4.10+ and\n"
"                     boots the ELF vmlinux through its PVH entry note\n"
"  --target T         bzImage | vmlinux | Image: build and ship only that\n"
"                     (default: vmlinux and the arch's image, ship per plan)\n"
"  --log FILE         the full make output (default: OBJDIR/build.log)\n"
"\n"
"The image plan (x86): Xen 3.2+ boots a bzImage; older Xen, or a bzImage\n"
"payload this Xen cannot decompress (bzip2/lzma before 3.4.2, xz/lzo before\n"
"4.1, lz4 before 4.4, zstd before 4.15, uncompressed always), gets the\n"
"stripped, gzip'd vmlinux.  The result is OBJDIR/domu/<file>.\n"
"NAME=VALUE arguments (CC=clang, LLVM=1, ...) are passed to make.\n"
"Git trees (--git) cannot be built: extract the revision first.\n"
"\n"
"Exit status: 0 built; 1 the build failed (the log's last 30 lines are\n"
"printed) or the image lacks the Xen entry note; 2 usage error; 3 internal\n"
"error.\n";

struct build {
	struct kx_session *s;
	const char *srctree;	/* as given */
	const char *arch;	/* ARCH for make; NULL: make's default */
	const char *srcarch;	/* x86, arm64, ... */
	char *objdir;		/* absolute */
	char *log_path;
	FILE *log;
	int jobs;
	bool tty;
	/* progress */
	unsigned long objects;
	double t0;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_elapsed(char *buf, size_t n, double secs)
{
	long t = (long)(secs + 0.5);

	if (t >= 3600)
		snprintf(buf, n, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%lds", t);
}

static void fmt_size(char *buf, size_t n, long long bytes)
{
	if (bytes >= 10 * 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	else if (bytes >= 10 * 1024)
		snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
	else
		snprintf(buf, n, "%lld bytes", bytes);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* ---- running programs ------------------------------------------------------ */

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

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void progress(struct build *b, const char *last, bool final)
{
	char el[32];

	fmt_elapsed(el, sizeof(el), now() - b->t0);
	if (b->tty) {
		int w = term_width() - 1;
		char line[512];
		int n = snprintf(line, sizeof(line), "  [%s] %lu objects  %s", el,
				 b->objects, last ? last + 2 : "");

		if (n > w && w > 0 && w < (int)sizeof(line))
			line[w] = 0;
		fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
	} else {
		fprintf(stderr, "  build: %lu objects, %s\n", b->objects, el);
	}
	fflush(stderr);
}

/*
 * Runs argv with stdout and stderr into the log (and, when 'out' is not
 * NULL, stdout into the file 'out' instead).  With 'show', kbuild steps
 * are counted for the progress display.  Returns the exit status (0..255,
 * 128+N for a signal), or -1 when the program could not be started
 * (errno kept).
 */
static int run(struct build *b, char *const *argv, const char *out, bool show)
{
	int pfd[2], status = 0, ofd = -1;
	struct kx_buf line = KX_BUF_INIT;
	char last[256] = "";
	double next_tick;
	pid_t pid;

	fprintf(b->log, "\n$");
	for (size_t i = 0; argv[i]; i++)
		fprintf(b->log, " %s", argv[i]);
	fprintf(b->log, "%s%s\n", out ? " > " : "", out ? out : "");
	fflush(b->log);
	if (out && (ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		if (ofd >= 0)
			close(ofd);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		if (ofd >= 0)
			close(ofd);
		return -1;
	}
	if (pid == 0) {
		dup2(ofd >= 0 ? ofd : pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		/* the .config is OBJDIR/.config, whatever the caller's is */
		unsetenv("KCONFIG_CONFIG");
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (ofd >= 0)
		close(ofd);
	next_tick = now() + (b->tty ? 0.2 : 30.0);
	for (;;) {
		char buf[8192];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, b->log);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				kx_buf_putc(&line, buf[i]);
				continue;
			}
			if (line.len && is_kbuild_step(line.s)) {
				b->objects++;
				snprintf(last, sizeof(last), "%s", line.s);
			}
			kx_buf_reset(&line);
		}
		if (show && now() >= next_tick) {
			progress(b, last, false);
			next_tick = now() + (b->tty ? 0.2 : 30.0);
		}
	}
	close(pfd[0]);
	fflush(b->log);
	kx_buf_free(&line);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (show)
		progress(b, NULL, true);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* make -C TREE O=OBJDIR [ARCH=A] [NAME=VALUE...] args... */
static char **make_argv(struct build *b, const char *const *args)
{
	size_t n = 0, cap = 16, nvars = b->s->cmdline ? kx_env_count(b->s->cmdline) : 0;
	char **v;

	for (size_t i = 0; args[i]; i++)
		cap++;
	cap += nvars;
	v = kx_xcalloc(cap, sizeof(*v));
	v[n++] = kx_xstrdup("make");
	v[n++] = kx_xstrdup("-C");
	v[n++] = kx_xstrdup(b->srctree);
	v[n++] = kx_xasprintf("O=%s", b->objdir);
	if (b->arch)
		v[n++] = kx_xasprintf("ARCH=%s", b->arch);
	for (size_t i = 0; i < nvars; i++) {
		const char *name, *value;

		kx_env_at(b->s->cmdline, i, &name, &value);
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

static int run_make(struct build *b, const char *const *args, bool show)
{
	char **v = make_argv(b, args);
	int rc = run(b, v, NULL, show);

	free_argv(v);
	return rc;
}

/* the last 'n' lines of the log on stderr */
static void print_log_tail(const struct build *b, int n)
{
	char *data = NULL;
	size_t len = 0;
	const char *p;

	if (kx_read_file(&data, &len, b->log_path))
		return;
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
	fprintf(stderr, "---- last lines of %s ----\n%s", b->log_path, p);
	if (len && data[len - 1] != '\n')
		fputc('\n', stderr);
	fprintf(stderr, "----\n");
	free(data);
}

/* ---- the config ------------------------------------------------------------- */

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

/*
 * Compares the config given with what `make olddefconfig` left; prints the
 * differences (up to 20) and returns how many lines differ.
 */
static size_t config_diff(const char *before, const char *after)
{
	size_t na, nb, i = 0, j = 0, ndiff = 0;
	char **a = value_lines(before, &na), **b = value_lines(after, &nb);

	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i], b[j]);

		if (!c) {
			i++;
			j++;
			continue;
		}
		if (ndiff++ < 20) {
			const char *l = c < 0 ? a[i] : b[j];

			fprintf(stderr, "    %s %s\n", c < 0 ? "-" : "+", l);
		}
		if (c < 0)
			i++;
		else
			j++;
	}
	if (ndiff > 20)
		fprintf(stderr, "    ... and %zu more\n", ndiff - 20);
	for (i = 0; i < na; i++)
		free(a[i]);
	for (j = 0; j < nb; j++)
		free(b[j]);
	free(a);
	free(b);
	return ndiff;
}

/* ---- the image ---------------------------------------------------------------- */

struct mapped {
	void *p;
	size_t len;
};

static int map_file(struct mapped *m, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	m->p = NULL;
	m->len = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	m->p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->p == MAP_FAILED) {
		m->p = NULL;
		return -1;
	}
	m->len = (size_t)st.st_size;
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->p)
		munmap(m->p, m->len);
	m->p = NULL;
}

static const char *note_names(const struct kx_xen_notes *n, char *buf, size_t size)
{
	static const struct { int type; const char *name; } names[] = {
		{ KX_XEN_ELFNOTE_ENTRY, "ENTRY" },
		{ KX_XEN_ELFNOTE_HYPERCALL_PAGE, "HYPERCALL_PAGE" },
		{ KX_XEN_ELFNOTE_GUEST_OS, "GUEST_OS" },
		{ KX_XEN_ELFNOTE_FEATURES, "FEATURES" },
		{ KX_XEN_ELFNOTE_PHYS32_ENTRY, "PHYS32_ENTRY" },
	};
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n->present & (1u << names[i].type))
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? " " : "", names[i].name);
	if (!len)
		snprintf(buf, size, "none");
	return buf;
}

/* the tool for stripping: ${CROSS_COMPILE}strip */
static char *tool(const struct build *b, const char *name)
{
	const char *cc = b->s->cmdline ? kx_env_get(b->s->cmdline, "CROSS_COMPILE") : NULL;

	if (!cc)
		cc = getenv("CROSS_COMPILE");
	if (b->s->cmdline && kx_env_get(b->s->cmdline, "LLVM")) {
		/* LLVM=1 builds use llvm-strip / llvm-objcopy */
		return kx_xasprintf("llvm-%s", name);
	}
	return kx_xasprintf("%s%s", cc ? cc : "", name);
}

static int strip_to(struct build *b, const char *in, const char *out)
{
	char *t = tool(b, "strip");
	char *v1[] = { t, (char *)"-o", (char *)out, (char *)in, NULL };
	int rc = run(b, v1, NULL, false);

	free(t);
	if (rc == 0)
		return 0;
	t = tool(b, "objcopy");
	{
		char *v2[] = { t, (char *)"--strip-all", (char *)in, (char *)out, NULL };

		rc = run(b, v2, NULL, false);
	}
	free(t);
	return rc;
}

static int gzip_to(struct build *b, const char *in, const char *out)
{
	char *v[] = { (char *)"gzip", (char *)"-9", (char *)"-n", (char *)"-c", (char *)in, NULL };

	return run(b, v, out, false);
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

/* ---- the command ----------------------------------------------------------------- */

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

static bool tree_unclean(const struct build *b, char *what, size_t n)
{
	static const char *const marks[] = { ".config", "include/config", "include/generated" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->srctree, marks[i]);
		if (access(path, F_OK) == 0) {
			snprintf(what, n, "%s", marks[i]);
			return true;
		}
	}
	if (b->srcarch) {
		snprintf(path, sizeof(path), "%s/arch/%s/include/generated", b->srctree, b->srcarch);
		if (access(path, F_OK) == 0) {
			snprintf(what, n, "arch/%s/include/generated", b->srcarch);
			return true;
		}
	}
	return false;
}

int kx_cmd_build(struct kx_session *s, int argc, char **argv)
{
	const char *objdir_arg = "kxen-build", *xen_version = NULL, *target = NULL;
	const char *log_arg = NULL, *type_arg = "pv", *cfg_path;
	struct build b;
	struct kx_image_plan plan;
	struct mapped m = { NULL, 0 };
	struct kx_xen_notes notes;
	enum kx_guest_type type = KX_GUEST_PV;
	enum kx_compression comp = KX_COMP_GZIP;
	char *cfg = NULL, *after = NULL, *domu = NULL, *ship = NULL, *tmp = NULL;
	char *image_path = NULL, *vmlinux_path = NULL, *objcfg = NULL;
	const char *image_name = NULL;
	const char *targets[4] = { NULL, NULL, NULL, NULL };
	char el[32], sz[32], what[64], nn[128];
	size_t cfg_len = 0, after_len = 0;
	bool have_comp = false, x86, arm64, want_bz, want_vm;
	double t_build;
	int rc = KX_EXIT_USAGE, r;

	memset(&b, 0, sizeof(b));
	memset(&plan, 0, sizeof(plan));
	memset(&notes, 0, sizeof(notes));
	b.s = s;
	b.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (b.jobs < 1)
		b.jobs = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int g = kx_session_option(s, argc, argv, &i);

		if (g < 0)
			goto out;
		if (g)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n%s", build_usage, kx_global_options_help);
			rc = 0;
			goto out;
		}
#define OPTARG(name) ((!strcmp(a, name) && i + 1 < argc) ? argv[++i] : \
		      (!strncmp(a, name "=", sizeof(name)) ? a + sizeof(name) : NULL))
		const char *v;

		if ((v = OPTARG("-O")) || (v = OPTARG("--objdir"))) {
			objdir_arg = v;
		} else if ((v = OPTARG("--jobs")) || (v = OPTARG("-j"))) {
			if (parse_jobs(v, &b.jobs))
				goto out;
		} else if (!strncmp(a, "-j", 2) && a[2]) {
			if (parse_jobs(a + 2, &b.jobs))
				goto out;
		} else if ((v = OPTARG("--xen-version"))) {
			xen_version = v;
		} else if ((v = OPTARG("--type"))) {
			type_arg = v;
		} else if ((v = OPTARG("--target"))) {
			target = v;
		} else if ((v = OPTARG("--log"))) {
			log_arg = v;
		} else if (!strcmp(a, "-O") || !strcmp(a, "--objdir") || !strcmp(a, "-j") ||
			   !strcmp(a, "--jobs") || !strcmp(a, "--xen-version") ||
			   !strcmp(a, "--type") || !strcmp(a, "--target") || !strcmp(a, "--log")) {
			kx_errorf("build: %s needs a value", a);
			goto out;
		} else {
			kx_errorf("build: unknown argument '%s' (see kxen-config build --help)", a);
			goto out;
		}
#undef OPTARG
	}
	if (!strcmp(type_arg, "pv")) {
		type = KX_GUEST_PV;
	} else if (!strcmp(type_arg, "pvh")) {
		type = KX_GUEST_PVH;
	} else {
		kx_errorf("build: --type must be pv or pvh, not '%s'", type_arg);
		goto out;
	}
	if (xen_version) {
		struct kx_xen_version xv;

		if (kx_image_parse_version(&xv, xen_version)) {
			kx_errorf("build: --xen-version wants a version like 3.4.2, 4.17 "
				  "or 4.19.1, not '%s'", xen_version);
			goto out;
		}
	}
	if (target && strcmp(target, "bzImage") && strcmp(target, "vmlinux") &&
	    strcmp(target, "Image")) {
		kx_errorf("build: --target must be bzImage, vmlinux or Image, not '%s'", target);
		goto out;
	}
	if (s->git_repo) {
		kx_errorf("build: a git tree (--git) cannot be built: kbuild needs the "
			  "files on disk; extract the revision (git worktree add, or git "
			  "archive | tar x) and pass it with -C");
		goto out;
	}

	/* the tree and the arch */
	b.srctree = s->srctree ? s->srctree : ".";
	{
		char mk[PATH_MAX];

		snprintf(mk, sizeof(mk), "%s/Makefile", b.srctree);
		if (access(mk, R_OK)) {
			kx_errorf("build: %s is not a kernel source tree (no Makefile); use -C",
				  b.srctree);
			goto out;
		}
	}
	b.arch = s->arch;
	b.srcarch = kx_env_srcarch(s->arch ? s->arch : kx_env_host_arch());
	x86 = b.srcarch && !strcmp(b.srcarch, "x86");
	arm64 = b.srcarch && !strcmp(b.srcarch, "arm64");
	if (target && !strcmp(target, "bzImage") && !x86) {
		kx_errorf("build: bzImage is an x86 target (ARCH=%s)", s->arch ? s->arch : b.srcarch);
		goto out;
	}
	if (target && !strcmp(target, "Image") && !arm64) {
		kx_errorf("build: Image is the arm64 target here (ARCH=%s)",
			  s->arch ? s->arch : b.srcarch);
		goto out;
	}

	/* the config and the plan */
	cfg_path = kx_session_config_path(s);
	if (kx_read_file(&cfg, &cfg_len, cfg_path)) {
		kx_errorf("build: cannot read the config %s: %s", cfg_path, strerror(errno));
		goto out;
	}
	if (!strstr(cfg, "CONFIG_")) {
		kx_errorf("build: %s has no CONFIG_ lines: not a .config", cfg_path);
		goto out;
	}
	have_comp = kx_image_find_compression(&comp, cfg) == 0;
	if (x86) {
		if (kx_image_plan(&plan, xen_version, type,
				  have_comp ? kx_image_compression_name(comp) : NULL)) {
			kx_errorf("build: internal error in the image plan");
			rc = KX_EXIT_INTERNAL;
			goto out;
		}
		if (!plan.bootable) {
			kx_errorf("build: %s", plan.warnings[0]);
			goto out;
		}
		if (target && !strcmp(target, "bzImage") && plan.file != KX_IMAGE_BZIMAGE) {
			kx_errorf("build: --target bzImage, but %s", plan.warnings[0]);
			goto out;
		}
		if (type == KX_GUEST_PVH && !strstr(cfg, "\nCONFIG_XEN_PVH=y"))
			fprintf(stderr, "kxen-config: warning: %s has no CONFIG_XEN_PVH=y: "
				"the kernel will have no PVH entry\n", cfg_path);
		if (type == KX_GUEST_PV && !strstr(cfg, "\nCONFIG_XEN_PV=y"))
			fprintf(stderr, "kxen-config: warning: %s has no CONFIG_XEN_PV=y: "
				"the kernel will have no PV entry\n", cfg_path);
	} else if (xen_version || type == KX_GUEST_PVH) {
		fprintf(stderr, "kxen-config: note: --xen-version/--type apply to x86 "
			"guests; %s guests boot the arch's image as built\n", b.srcarch);
	}

	if (tree_unclean(&b, what, sizeof(what))) {
		kx_errorf("build: the source tree %s is not clean (%s exists): O= builds "
			  "fail then (kbuild refuses, or the tree's generated headers shadow "
			  "the object directory's); run `make -C %s mrproper` or use a "
			  "clean copy", b.srctree, what, b.srctree);
		goto out;
	}

	/* the object directory and the log */
	if (mkdir(objdir_arg, 0755) && errno != EEXIST) {
		kx_errorf("build: cannot create %s: %s", objdir_arg, strerror(errno));
		goto out;
	}
	b.objdir = realpath(objdir_arg, NULL);
	if (!b.objdir) {
		kx_errorf("build: %s: %s", objdir_arg, strerror(errno));
		goto out;
	}
	b.log_path = log_arg ? kx_xstrdup(log_arg) : kx_xasprintf("%s/build.log", b.objdir);
	b.log = fopen(b.log_path, "we");
	if (!b.log) {
		kx_errorf("build: cannot write the log %s: %s", b.log_path, strerror(errno));
		goto out;
	}
	b.tty = isatty(STDERR_FILENO);

	/* 1-2: the config, kbuild's files, conf-stability */
	objcfg = kx_xasprintf("%s/.config", b.objdir);
	if (kx_write_file_atomic(objcfg, cfg, cfg_len, NULL)) {
		kx_errorf("build: cannot write %s: %s", objcfg, strerror(errno));
		goto out;
	}
	fprintf(stderr, "kxen-config: make O=%s%s%s olddefconfig (log: %s)\n", b.objdir,
		b.arch ? " ARCH=" : "", b.arch ? b.arch : "", b.log_path);
	b.t0 = now();
	{
		const char *args[] = { "olddefconfig", NULL };

		r = run_make(&b, args, false);
	}
	if (r) {
		if (r < 0)
			kx_errorf("build: cannot run make: %s", strerror(errno));
		else
			kx_errorf("build: make olddefconfig failed (exit %d)", r);
		print_log_tail(&b, 30);
		rc = KX_EXIT_NO;
		goto out;
	}
	if (kx_read_file(&after, &after_len, objcfg)) {
		kx_errorf("build: make olddefconfig left no %s", objcfg);
		rc = KX_EXIT_NO;
		goto out;
	}
	if (after_len == cfg_len && !memcmp(after, cfg, cfg_len)) {
		fprintf(stderr, "kxen-config: the config is conf-stable (unchanged by make "
			"olddefconfig)\n");
	} else {
		fprintf(stderr, "kxen-config: warning: make olddefconfig changed the config: "
			"it was not conf-stable\n");
		if (!config_diff(cfg, after))
			fprintf(stderr, "    (only comments and ordering differ)\n");
		else
			fprintf(stderr, "    building with the config kbuild wrote (%s)\n", objcfg);
	}

	/* 3: the build */
	want_vm = !target || !strcmp(target, "vmlinux") ||
		  (x86 && plan.file == KX_IMAGE_VMLINUX);
	want_bz = x86 && (!target || !strcmp(target, "bzImage"));
	{
		size_t n = 0;

		if (want_vm)
			targets[n++] = "vmlinux";
		if (want_bz)
			targets[n++] = "bzImage";
		if (arm64 && (!target || !strcmp(target, "Image")))
			targets[n++] = "Image";
		if (!n)
			targets[n++] = "vmlinux";
	}
	{
		char *j = kx_xasprintf("-j%d", b.jobs);
		const char *args[6] = { j, targets[0], targets[1], targets[2], NULL, NULL };

		fprintf(stderr, "kxen-config: make O=%s -j%d %s%s%s%s%s\n", b.objdir, b.jobs,
			targets[0], targets[1] ? " " : "", targets[1] ? targets[1] : "",
			targets[2] ? " " : "", targets[2] ? targets[2] : "");
		b.t0 = now();
		b.objects = 0;
		r = run_make(&b, args, true);
		free(j);
	}
	t_build = now() - b.t0;
	fmt_elapsed(el, sizeof(el), t_build);
	if (r) {
		if (r < 0)
			kx_errorf("build: cannot run make: %s", strerror(errno));
		else
			kx_errorf("build: the kernel build failed after %s (make exit %d)", el, r);
		print_log_tail(&b, 30);
		if (tree_unclean(&b, what, sizeof(what)))
			kx_errorf("build: the source tree became unclean during the build "
				  "(%s appeared): something ran conf or make inside %s; "
				  "that breaks O= builds", what, b.srctree);
		rc = KX_EXIT_NO;
		goto out;
	}
	printf("built in %s (%lu objects), log: %s\n", el, b.objects, b.log_path);
	vmlinux_path = kx_xasprintf("%s/vmlinux", b.objdir);
	if (x86 && want_bz)
		image_path = kx_xasprintf("%s/arch/x86/boot/bzImage", b.objdir);
	else if (arm64 && (!target || !strcmp(target, "Image")))
		image_path = kx_xasprintf("%s/arch/arm64/boot/Image", b.objdir);
	if (file_size(vmlinux_path) >= 0) {
		fmt_size(sz, sizeof(sz), file_size(vmlinux_path));
		printf("  vmlinux  %s  %s\n", vmlinux_path, sz);
	}
	if (image_path) {
		fmt_size(sz, sizeof(sz), file_size(image_path));
		printf("  %-8s %s  %s%s%s%s\n", x86 ? "bzImage" : "Image", image_path, sz,
		       x86 && have_comp ? " (" : "", x86 && have_comp ?
		       kx_image_compression_name(comp) : "", x86 && have_comp ? " payload)" : "");
	}

	/* 4: the domU image */
	domu = kx_xasprintf("%s/domu", b.objdir);
	if (mkdir(domu, 0755) && errno != EEXIST) {
		kx_errorf("build: cannot create %s: %s", domu, strerror(errno));
		rc = KX_EXIT_INTERNAL;
		goto out;
	}
	/* no stale image of an earlier plan next to this one */
	{
		static const char *const old[] = { "bzImage", "Image", "vmlinux", "vmlinux.gz" };

		for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
			char *p = kx_xasprintf("%s/%s", domu, old[i]);

			unlink(p);
			free(p);
		}
	}
	if (x86 && plan.file == KX_IMAGE_BZIMAGE && want_bz) {
		image_name = "bzImage";
		ship = kx_xasprintf("%s/bzImage", domu);
		if (copy_file(image_path, ship)) {
			kx_errorf("build: cannot copy %s to %s", image_path, ship);
			rc = KX_EXIT_INTERNAL;
			goto out;
		}
	} else if (arm64 && image_path) {
		image_name = "Image";
		ship = kx_xasprintf("%s/Image", domu);
		if (copy_file(image_path, ship)) {
			kx_errorf("build: cannot copy %s to %s", image_path, ship);
			rc = KX_EXIT_INTERNAL;
			goto out;
		}
	} else {
		bool gz = x86 && plan.file == KX_IMAGE_VMLINUX && plan.gzip;

		image_name = gz ? "vmlinux.gz" : "vmlinux";
		tmp = kx_xasprintf("%s/vmlinux", domu);
		if ((r = strip_to(&b, vmlinux_path, tmp))) {
			kx_errorf("build: cannot strip %s (strip and objcopy failed; see %s)",
				  vmlinux_path, b.log_path);
			rc = KX_EXIT_NO;
			goto out;
		}
		if (gz) {
			ship = kx_xasprintf("%s/vmlinux.gz", domu);
			if ((r = gzip_to(&b, tmp, ship))) {
				kx_errorf("build: gzip failed (see %s)", b.log_path);
				rc = KX_EXIT_NO;
				goto out;
			}
		} else {
			ship = kx_xstrdup(tmp);
		}
	}

	/* the Xen notes of the ELF the toolstack will load */
	if (x86) {
		const char *elf = plan.file == KX_IMAGE_VMLINUX && tmp ? tmp : vmlinux_path;
		unsigned need = type == KX_GUEST_PVH ? KX_XEN_ELFNOTE_PHYS32_ENTRY :
						       KX_XEN_ELFNOTE_ENTRY;

		if (map_file(&m, elf) || kx_image_read_notes(&notes, m.p, m.len)) {
			kx_errorf("build: %s is not a readable ELF file", elf);
			rc = KX_EXIT_NO;
			goto out;
		}
		if (!(notes.present & (1u << need))) {
			kx_errorf("build: %s has no XEN_ELFNOTE_%s note (Xen notes: %s): it "
				  "cannot boot as a %s guest (CONFIG_%s=y?)", elf,
				  need == KX_XEN_ELFNOTE_ENTRY ? "ENTRY" : "PHYS32_ENTRY",
				  note_names(&notes, nn, sizeof(nn)), type_arg,
				  type == KX_GUEST_PVH ? "XEN_PVH" : "XEN_PV");
			rc = KX_EXIT_NO;
			goto out;
		}
	}

	fmt_size(sz, sizeof(sz), file_size(ship));
	if (x86) {
		char xv[32];

		if (plan.xen_given)
			snprintf(xv, sizeof(xv), "Xen %s", xen_version);
		else
			snprintf(xv, sizeof(xv), "Xen %d.%d+", plan.xen.major, plan.xen.minor);
		printf("domU kernel for %s, type %s: %s  %s\n", xv, type_arg, ship, sz);
		printf("  Xen ELF notes: %s\n", note_names(&notes, nn, sizeof(nn)));
		if (target && !strcmp(target, "vmlinux") && plan.file == KX_IMAGE_BZIMAGE)
			printf("  why: --target vmlinux (the plan for this Xen is a bzImage)\n");
		else
			printf("  why: %s\n", plan.reason);
		for (size_t i = 0; i < plan.nwarnings; i++)
			printf("  warning: %s\n", plan.warnings[i]);
		for (size_t i = 0; i < plan.nnotes; i++)
			printf("  note: %s\n", plan.notes[i]);
		printf("  xl: type = \"%s\"  kernel = \"%s\"\n", type_arg, ship);
	} else {
		printf("domU kernel (%s): %s  %s\n", image_name, ship, sz);
	}
	rc = KX_EXIT_OK;
out:
	if (m.p)
		unmap_file(&m);
	if (b.log)
		fclose(b.log);
	free(b.objdir);
	free(b.log_path);
	free(cfg);
	free(after);
	free(objcfg);
	free(domu);
	free(ship);
	free(tmp);
	free(image_path);
	free(vmlinux_path);
	return rc;
}
