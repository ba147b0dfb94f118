// SPDX-License-Identifier: MIT
/*
 * fuzz_kconfig.c - libFuzzer harness for the macro preprocessor, the
 * scanner, the grammar and menu finalisation.
 *
 * The input is written as the top Kconfig of a small fixed tree (see
 * fuzz_common.h: it can 'source "sub/Kconfig.a"' which sources another
 * file, and "arch/$(SRCARCH)/Kconfig") and loaded with 6.1 and 6.12
 * semantics; a tree that loads is then evaluated and written (.config and
 * defconfig text) so that odd but accepted models reach the evaluator.
 * $(shell,...) is denied.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const int versions[][2] = { { 7, 3 }, { 6, 12 }, { 6, 1 }, { 5, 10 } };

	fz_init_world();
	fz_write("Kconfig", (const char *)data, size);
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct kx_kconfig *kc = NULL;
		struct kx_diags diags;

		kx_diags_init(&diags);
		if (fz_load(&kc, &diags, versions[v][0], versions[v][1]) == 0)
			fz_eval_and_write(kc, NULL, 0);
		/* every failure is reported */
		if (!kc && diags.nerrors == 0 && diags.n == 0)
			abort();
		kx_kconfig_free(kc);
		kx_diags_free(&diags);
	}
	return 0;
}
