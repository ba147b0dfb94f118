// SPDX-License-Identifier: MIT
/*
 * fuzz_dotconfig.c - libFuzzer harness for the .config / fragment reader
 * (kx_conf_read_buf via kx_conf_read_mem), followed by evaluation and
 * writing (kx_conf_format, kx_conf_format_defconfig).
 *
 * The tree is fixed: symbols of every type, ranges, selects, a choice and
 * a menuconfig, loaded once per process for 6.1 and once for 6.12
 * semantics; every input is read into both after kx_eval_reset().
 */
#include "fuzz_common.h"

static const char tree_kconfig[] =
	"mainmenu \"fuzz $(ARCH)\"\n"
	"config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	"config B\n\tbool \"b\"\n\tselect SEL\n"
	"config T\n\ttristate \"t\"\n\tdepends on B || M2\n\timply IMP\n"
	"config M2\n\ttristate \"m2\"\n\tdefault m\n"
	"config SEL\n\tbool\n"
	"config IMP\n\ttristate \"imp\"\n"
	"config I\n\tint \"i\"\n\trange 1 100\n\tdefault 7\n"
	"config H\n\thex \"h\"\n\trange 0x10 0xffff\n\tdefault 0x20\n"
	"config S\n\tstring \"s\"\n\tdefault \"hello\"\n"
	"config BIG\n\tint \"big\"\n\tdefault 9223372036854775807\n"
	"menuconfig MC\n\tbool \"menuconfig\"\n"
	"if MC\nconfig MC_A\n\tbool \"mc a\"\n\tdefault y\nendif\n"
	"choice\n\tprompt \"choice\"\n\tdefault C2\n"
	"config C1\n\tbool \"c1\"\nconfig C2\n\tbool \"c2\"\n"
	"config C3\n\tbool \"c3\"\n\tdepends on B\nendchoice\n"
	"config AFTER\n\tbool \"after\"\n\tdepends on C1 && I > 5 && S != \"x\"\n"
	"source \"sub/Kconfig.a\"\n";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct kx_kconfig *kcs[2];
	static struct kx_diags diags[2];
	static const int versions[][2] = { { 6, 12 }, { 6, 1 } };

	if (!kcs[0]) {
		fz_init_world();
		fz_write("Kconfig", tree_kconfig, sizeof(tree_kconfig) - 1);
		for (int v = 0; v < 2; v++) {
			kx_diags_init(&diags[v]);
			if (fz_load(&kcs[v], &diags[v], versions[v][0],
				    versions[v][1]) < 0) {
				fprintf(stderr, "fixed tree does not load: %s\n",
					kx_diags_first(&diags[v], KX_DIAG_ERROR));
				abort();
			}
		}
	}
	for (int v = 0; v < 2; v++) {
		kx_eval_reset(kcs[v]);
		/* keep memory flat: the diagnostics of one input only */
		kx_diags_free(&diags[v]);
		kx_diags_init(&diags[v]);
		fz_eval_and_write(kcs[v], (const char *)data, size);
	}
	return 0;
}
