// SPDX-License-Identifier: MIT
/* Temporary entry point; replaced by the real CLI. */
#include <stdio.h>

int main(void)
{
	fputs("kxen-config: under construction\n", stderr);
	return 3;
}
