// SPDX-License-Identifier: MIT
/*
 * rusage-self.c - LD_PRELOAD probe for scripts/bench-all.sh: at exit, the process
 * whose pid is $KX_RUSAGE_PID appends one line to $KX_RUSAGE_OUT:
 *     <user s> <sys s> <max RSS KiB>
 * from getrusage(RUSAGE_SELF): its own CPU time and peak memory, children
 * (conf's compiler probes) excluded.  Every other process (the probes inherit
 * LD_PRELOAD) stays silent.  Built by bench-all.sh; not part of kxen-config.
 *
 * Before main runs, the probe takes its own variables (KX_RUSAGE_*,
 * LD_PRELOAD) out of the environment: the measured program must see the
 * environment of an ordinary run.  kxen-config keys its probe cache on the
 * environment, so a KX_RUSAGE_PID that differs per run would otherwise turn
 * every "warm" run into a cold one (and conf's probes would differ too).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char out_path[4096];
static long want_pid = -1;

__attribute__((constructor)) static void kx_rusage_init(void)
{
	const char *pid = getenv("KX_RUSAGE_PID"), *out = getenv("KX_RUSAGE_OUT");

	if (pid && out && strlen(out) < sizeof(out_path)) {
		want_pid = atol(pid);
		strcpy(out_path, out);
	}
	unsetenv("KX_RUSAGE_PID");
	unsetenv("KX_RUSAGE_OUT");
	unsetenv("LD_PRELOAD");
}

__attribute__((destructor)) static void kx_rusage_report(void)
{
	struct rusage ru;
	FILE *f;

	if (want_pid != (long)getpid() || getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	f = fopen(out_path, "a");
	if (!f)
		return;
	fprintf(f, "%ld.%06ld %ld.%06ld %ld\n", (long)ru.ru_utime.tv_sec,
		(long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
		(long)ru.ru_stime.tv_usec, ru.ru_maxrss);
	fclose(f);
}
