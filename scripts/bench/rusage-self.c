// SPDX-License-Identifier: MIT
/*
 * rusage-self.c - LD_PRELOAD probe for scripts/bench.sh: at exit, the process
 * whose pid is $KX_RUSAGE_PID appends one line to $KX_RUSAGE_OUT:
 *     <user s> <sys s> <max RSS KiB>
 * from getrusage(RUSAGE_SELF): its own CPU time and peak memory, children
 * (conf's compiler probes) excluded.  Every other process (the probes inherit
 * LD_PRELOAD) stays silent.  Built by bench.sh; not part of kxen-config.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

__attribute__((destructor)) static void kx_rusage_report(void)
{
	const char *pid = getenv("KX_RUSAGE_PID"), *out = getenv("KX_RUSAGE_OUT");
	struct rusage ru;
	FILE *f;

	if (!pid || !out || atol(pid) != (long)getpid() ||
	    getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	f = fopen(out, "a");
	if (!f)
		return;
	fprintf(f, "%ld.%06ld %ld.%06ld %ld\n", (long)ru.ru_utime.tv_sec,
		(long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
		(long)ru.ru_stime.tv_usec, ru.ru_maxrss);
	fclose(f);
}
