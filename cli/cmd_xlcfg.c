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
#include "cli/opts.h"
#include "cli/session.h"

static const char xlcfg_usage[] =
"Usage: kxen-config xl-cfg --kernel PATH [options]\n"
"       kxen-config xl-cfg --bootloader pygrub|pvgrub[=IMAGE] --disk D [options]\n"
"\n"
"Writes the xl domain configuration (xl.cfg(5)) that boots PATH as a Xen\n"
"domU: `xl create -c FILE`.  Paths are dom0's paths; relative ones are made\n"
"absolute (xl would read them relative to its own working directory).\n"
"\n"
"  --kernel PATH      the domU kernel: vmlinux (ELF) or bzImage (required\n"
"                     unless --bootloader)\n"
"  --bootloader B     boot the kernel the guest's own grub menu names, from\n"
"                     its first disk: pygrub (runs in dom0; xl appends\n"
"                     root= and --extra) or pvgrub (a grub built for Xen runs\n"
"                     in the domain; IMAGE defaults to Debian's grub-xen-host\n"
"                     file for the type; the guest's grub.cfg holds root= and\n"
"                     console=hvc0, so --root and --extra are refused).  The\n"
"                     written file says what the guest's grub.cfg needs\n"
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
"                     filesystem, /dev/xvda1 when it has a partition table;\n"
"                     with pygrub, none (the grub entry names it)\n"
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
	char *kernel, *ramdisk, *pvgrub;	/* absolute copies */
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

enum {
	OPT_KERNEL = KX_OPT_LONG, OPT_RAMDISK, OPT_NAME, OPT_TYPE, OPT_MEMORY,
	OPT_VCPUS, OPT_DISK, OPT_ROOT, OPT_VIF, OPT_EXTRA, OPT_ON_CRASH,
	OPT_NO_NOTES, OPT_BOOTLOADER,
};

static const struct option xlcfg_longopts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "bootloader", required_argument, NULL, OPT_BOOTLOADER },
	{ "ramdisk", required_argument, NULL, OPT_RAMDISK },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "vif", required_argument, NULL, OPT_VIF },
	{ "extra", required_argument, NULL, OPT_EXTRA },
	{ "on-crash", required_argument, NULL, OPT_ON_CRASH },
	{ "no-notes", no_argument, NULL, OPT_NO_NOTES },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

/* --extra's kernel command line may begin with "--" */
static const struct kx_optspec xlcfg_spec = {
	.cmd = "xl-cfg", .shortopts = "o:", .longopts = xlcfg_longopts,
	.usage = xlcfg_usage, .dash_ok = OPT_EXTRA,
};

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

/* One option of xl-cfg: 0, or -1 after an error message. */
static int xlcfg_option(struct xl_cli *c, struct kx_diags *d, int opt, const char *v,
			const char **out)
{
	struct kx_xl_disk *dk;

	switch (opt) {
	case OPT_NO_NOTES:
		c->o.no_notes = true;
		return 0;
	case OPT_BOOTLOADER:
		if (!strcmp(v, "pygrub")) {
			c->o.boot = KX_XL_BOOT_PYGRUB;
		} else if (!strcmp(v, "pvgrub") || !strncmp(v, "pvgrub=", 7)) {
			c->o.boot = KX_XL_BOOT_PVGRUB;
			free(c->pvgrub);
			c->pvgrub = v[6] ? absolute(v + 7) : NULL;
		} else {
			kx_errorf("xl-cfg: error: --bootloader '%s': want pygrub, pvgrub "
				  "or pvgrub=IMAGE", v);
			return -1;
		}
		return 0;
	case OPT_KERNEL:
		free(c->kernel);
		c->kernel = v[0] ? absolute(v) : kx_xstrdup("");
		return 0;
	case OPT_RAMDISK:
		free(c->ramdisk);
		c->ramdisk = v[0] ? absolute(v) : kx_xstrdup("");
		return 0;
	case OPT_NAME:
		c->o.name = v;
		return 0;
	case OPT_TYPE:
		if (!strcmp(v, "pvh")) {
			c->o.type = KX_XL_PVH;
		} else if (!strcmp(v, "pv")) {
			c->o.type = KX_XL_PV;
		} else {
			kx_errorf("xl-cfg: error: --type '%s': want pvh or pv "
				  "(an HVM guest boots firmware, not a kernel)", v);
			return -1;
		}
		return 0;
	case OPT_MEMORY:
		if (kx_xlcfg_parse_memory(&c->o.memory, v) < 0) {
			kx_errorf("xl-cfg: error: --memory '%s': want a size in "
				  "MiB such as 512 or 2G", v);
			return -1;
		}
		return 0;
	case OPT_VCPUS:
		if (kx_xlcfg_parse_count(&c->o.vcpus, v) < 0) {
			kx_errorf("xl-cfg: error: --vcpus '%s': want a positive number", v);
			return -1;
		}
		return 0;
	case OPT_DISK:
		dk = &c->disks[c->o.ndisks];
		if (kx_xlcfg_parse_disk(dk, v, d) < 0)
			return -1;
		c->o.ndisks++;
		if (dk->target[0] != '/') {
			char *abs = absolute(dk->target);

			free(dk->target);
			dk->target = abs;
		}
		return 0;
	case OPT_ROOT:
		c->o.root = v;
		return 0;
	case OPT_VIF:
		c->vifs[c->o.nvifs++] = strcmp(v, "default") ? v : "";
		return 0;
	case OPT_EXTRA:
		c->o.extra = v;
		return 0;
	case OPT_ON_CRASH:
		c->o.on_crash = v;
		return 0;
	case 'o':
		*out = v;
		return 0;
	}
	kx_errorf("xl-cfg: unexpected argument '%s' (see kxen-config xl-cfg --help)", v);
	return -1;
}

int kx_cmd_xlcfg(struct kx_session *s, int argc, char **argv)
{
	struct xl_cli c;
	struct kx_diags d;
	const char *out = NULL;
	char *text = NULL;
	struct kx_opts o;
	int rc = KX_EXIT_USAGE, opt;

	memset(&c, 0, sizeof(c));
	kx_diags_init(&d);
	d.echo = echo_diag;
	d.echo_ctx = &c;
	c.disks = kx_xcalloc((size_t)argc + 1, sizeof(*c.disks));
	c.vifs = kx_xcalloc((size_t)argc + 1, sizeof(*c.vifs));
	kx_opts_begin(&o, s, argc, argv, &xlcfg_spec);
	while ((opt = kx_opts_next(&o)) > 0)
		if (xlcfg_option(&c, &d, opt, o.arg, &out) < 0)
			break;
	kx_opts_end(&o);
	if (opt == KX_OPT_HELP)
		rc = KX_EXIT_OK;
	if (opt)
		goto out;
	c.quiet = s->verbose < 0;
	c.o.kernel = c.kernel;
	c.o.ramdisk = c.ramdisk;
	c.o.pvgrub_image = c.pvgrub;
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
	free(c.pvgrub);
	free(text);
	kx_diags_free(&d);
	return rc;
}
