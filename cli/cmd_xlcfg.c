// SPDX-License-Identifier: MIT
/*
 * cmd_xlcfg.c - `xl-cfg --kernel K [--disk D]...`: the xl domain
 * configuration for a built kernel (analyzer/xlcfg.c does the work; this
 * file reads the options, makes paths absolute, looks at the first disk
 * image and the kernel's Xen notes when they exist here, and writes the
 * file atomically).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/xlcfg.h"
#include "cli/commands.h"
#include "cli/session.h"

static const char xlcfg_usage[] =
"Usage: kxen-config xl-cfg --kernel PATH [options]\n"
"\n"
"Writes the xl domain configuration (xl.cfg(5)) that boots PATH as a Xen\n"
"domU: `xl create -c FILE`.  Paths are dom0's paths; relative ones are made\n"
"absolute (xl would read them relative to its own working directory).\n"
"\n"
"  --kernel PATH      the domU kernel: vmlinux (ELF) or bzImage (required)\n"
"  --name NAME        domain name (default kxen-domu)\n"
"  --type pvh|pv      guest type (default pvh, what current Xen recommends)\n"
"  --memory SIZE      MiB, or with a G suffix (default 512)\n"
"  --vcpus N          virtual CPUs (default 1)\n"
"  --disk SPEC        TARGET[,vdev=xvdX][,ro][,format=F], or\n"
"                     [vdev=xvdX,][ro,]target=TARGET (TARGET is the rest, so\n"
"                     it may end in ',ro'); a file or block device.  Disks get\n"
"                     xvda, xvdb, ... in order unless vdev= says.  Repeatable.\n"
"  --root DEV         root device: /dev/xvdX[N] (or xvdX[N]), LABEL=...,\n"
"                     UUID=..., PARTUUID=..., PARTLABEL=..., or none.  Default:\n"
"                     the first disk, /dev/xvda when its image holds a\n"
"                     filesystem, /dev/xvda1 when it has a partition table\n"
"  --vif SPEC         a network interface, e.g. bridge=xenbr0 or\n"
"                     bridge=br0,mac=00:16:3e:00:00:01; 'default' for xl's\n"
"                     defaults.  Repeatable (default: no network)\n"
"  --ramdisk PATH     an initramfs\n"
"  --extra ARGS       more kernel arguments (console=hvc0 is always there)\n"
"  --on-crash ACTION  destroy (default), restart, preserve, ...\n"
"  --no-notes         leave out the comments on what the guest needs\n"
"  -o, --output FILE  write FILE (atomically) instead of standard output\n"
"\n"
"Exit status: 0 written, 2 bad options (nothing written).\n";

struct xl_cli {
	struct kx_xl_opts o;
	struct kx_xl_disk *disks;
	const char **vifs;
	char *kernel, *ramdisk;		/* absolute copies */
	bool quiet;
};

static void echo_diag(const struct kx_diag *d, void *ctx)
{
	const struct xl_cli *c = ctx;

	if (d->level == KX_DIAG_ERROR)
		fprintf(stderr, "kxen-config: xl-cfg: error: %s\n", d->text);
	else if (!c->quiet)
		fprintf(stderr, "kxen-config: xl-cfg: %s: %s\n",
			d->level == KX_DIAG_WARNING ? "warning" : "note", d->text);
}

/* 'p' made absolute against the current directory (malloc'd). */
static char *absolute(const char *p)
{
	char cwd[4096];

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return kx_xstrdup(p);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return kx_xasprintf("%s/%s", cwd, p);
}

/* The option's value: "--opt=V" or the next argument; NULL if missing. */
static const char *value_of(int argc, char **argv, int *i, const char *opt)
{
	const char *a = argv[*i];
	size_t n = strlen(opt);

	if (!strncmp(a, opt, n) && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, opt))
		return NULL;
	/* "--kernel -o x": the value is missing, not "-o" (--extra may say "--") */
	if (*i + 1 >= argc || (strcmp(opt, "--extra") && argv[*i + 1][0] == '-' &&
			       !(argv[*i + 1][1] >= '0' && argv[*i + 1][1] <= '9'))) {
		kx_errorf("xl-cfg: error: option %s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

static bool is_opt(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return !strncmp(a, opt, n) && (a[n] == '\0' || a[n] == '=');
}

static void check_kernel(struct xl_cli *c, struct kx_diags *d)
{
	unsigned caps = 0;

	if (kx_xlcfg_probe_kernel(&caps, c->o.kernel) < 0 ||
	    !(caps & KX_XL_KERNEL_ELF))
		return;		/* not here (a dom0 path), or a bzImage */
	if (c->o.type == KX_XL_PVH && !(caps & KX_XL_KERNEL_PVH))
		kx_diags_add(d, KX_DIAG_WARNING, NULL, 0,
			     "%s has no Xen PVH entry point (built without "
			     "CONFIG_XEN_PVH?): xl will refuse it as type pvh",
			     c->o.kernel);
	if (c->o.type == KX_XL_PV && !(caps & KX_XL_KERNEL_PV))
		kx_diags_add(d, KX_DIAG_WARNING, NULL, 0,
			     "%s has no Xen PV entry point (built without "
			     "CONFIG_XEN_PV?): xl will refuse it as type pv",
			     c->o.kernel);
}

int kx_cmd_xlcfg(struct kx_session *s, int argc, char **argv)
{
	struct xl_cli c;
	struct kx_diags d;
	const char *out = NULL, *v;
	char *text = NULL;
	int rc = KX_EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	kx_diags_init(&d);
	d.echo = echo_diag;
	d.echo_ctx = &c;
	c.disks = kx_xcalloc((size_t)argc + 1, sizeof(*c.disks));
	c.vifs = kx_xcalloc((size_t)argc + 1, sizeof(*c.vifs));
	c.quiet = s->verbose < 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n%s", xlcfg_usage, kx_global_options_help);
			rc = KX_EXIT_OK;
			goto out;
		}
		if (!strcmp(a, "--no-notes")) {
			c.o.no_notes = true;
			continue;
		}
		if (is_opt(a, "--kernel")) {
			if (!(v = value_of(argc, argv, &i, "--kernel")))
				goto out;
			free(c.kernel);
			c.kernel = v[0] ? absolute(v) : kx_xstrdup("");
		} else if (is_opt(a, "--ramdisk")) {
			if (!(v = value_of(argc, argv, &i, "--ramdisk")))
				goto out;
			free(c.ramdisk);
			c.ramdisk = v[0] ? absolute(v) : kx_xstrdup("");
		} else if (is_opt(a, "--name")) {
			if (!(c.o.name = value_of(argc, argv, &i, "--name")))
				goto out;
		} else if (is_opt(a, "--type")) {
			if (!(v = value_of(argc, argv, &i, "--type")))
				goto out;
			if (!strcmp(v, "pvh")) {
				c.o.type = KX_XL_PVH;
			} else if (!strcmp(v, "pv")) {
				c.o.type = KX_XL_PV;
			} else {
				kx_errorf("xl-cfg: error: --type '%s': want pvh or pv "
					  "(an HVM guest boots firmware, not a kernel)", v);
				goto out;
			}
		} else if (is_opt(a, "--memory")) {
			if (!(v = value_of(argc, argv, &i, "--memory")))
				goto out;
			if (kx_xlcfg_parse_memory(&c.o.memory, v) < 0) {
				kx_errorf("xl-cfg: error: --memory '%s': want a size in "
					  "MiB such as 512 or 2G", v);
				goto out;
			}
		} else if (is_opt(a, "--vcpus")) {
			if (!(v = value_of(argc, argv, &i, "--vcpus")))
				goto out;
			if (kx_xlcfg_parse_count(&c.o.vcpus, v) < 0) {
				kx_errorf("xl-cfg: error: --vcpus '%s': want a positive "
					  "number", v);
				goto out;
			}
		} else if (is_opt(a, "--disk")) {
			struct kx_xl_disk *dk = &c.disks[c.o.ndisks];

			if (!(v = value_of(argc, argv, &i, "--disk")))
				goto out;
			if (kx_xlcfg_parse_disk(dk, v, &d) < 0)
				goto out;
			c.o.ndisks++;
			if (dk->target[0] != '/') {
				char *abs = absolute(dk->target);

				free(dk->target);
				dk->target = abs;
			}
		} else if (is_opt(a, "--root")) {
			if (!(c.o.root = value_of(argc, argv, &i, "--root")))
				goto out;
		} else if (is_opt(a, "--vif")) {
			if (!(v = value_of(argc, argv, &i, "--vif")))
				goto out;
			c.vifs[c.o.nvifs++] = strcmp(v, "default") ? v : "";
		} else if (is_opt(a, "--extra")) {
			if (!(c.o.extra = value_of(argc, argv, &i, "--extra")))
				goto out;
		} else if (is_opt(a, "--on-crash")) {
			if (!(c.o.on_crash = value_of(argc, argv, &i, "--on-crash")))
				goto out;
		} else if (is_opt(a, "-o") || is_opt(a, "--output")) {
			if (!(out = value_of(argc, argv, &i, a[1] == 'o' ? "-o" :
					     "--output")))
				goto out;
		} else {
			int g = kx_session_option(s, argc, argv, &i);

			if (g < 0)
				goto out;
			if (g) {
				c.quiet = s->verbose < 0;
				continue;
			}
			kx_errorf("xl-cfg: error: unknown %s '%s' (see kxen-config xl-cfg "
				  "--help)", a[0] == '-' ? "option" : "argument", a);
			goto out;
		}
	}
	c.o.kernel = c.kernel;
	c.o.ramdisk = c.ramdisk;
	c.o.disks = c.disks;
	c.o.vifs = c.vifs;
	for (size_t i = 0; i < c.o.ndisks; i++) {
		struct kx_xl_disk *dk = &c.disks[i];

		if (!dk->format || !strcmp(dk->format, "raw"))
			kx_xlcfg_probe_image(&dk->layout, dk->target);
	}
	if (c.kernel && c.kernel[0])
		check_kernel(&c, &d);
	if (kx_xlcfg_build(&text, &c.o, &d) < 0) {
		if (!kx_diags_first(&d, KX_DIAG_ERROR))
			kx_errorf("xl-cfg: error: invalid options");
		goto out;
	}
	if (!out) {
		fputs(text, stdout);
		if (fflush(stdout) != 0) {
			kx_errorf("xl-cfg: cannot write standard output: %s",
				  strerror(errno));
			rc = KX_EXIT_INTERNAL;
			goto out;
		}
	} else {
		rc = kx_write_user_file(out, text, 0);
		if (rc)
			goto out;
		if (!c.quiet)
			fprintf(stderr, "kxen-config: wrote %s (xl create -c %s); the "
				"guest needs a getty on hvc0, see the comments at "
				"its top\n", out, out);
	}
	rc = KX_EXIT_OK;
out:
	for (size_t i = 0; i < c.o.ndisks; i++)
		kx_xlcfg_disk_free(&c.disks[i]);
	free(c.disks);
	free(c.vifs);
	free(c.kernel);
	free(c.ramdisk);
	free(text);
	kx_diags_free(&d);
	return rc;
}
