// SPDX-License-Identifier: Apache-2.0
/*
 * The traced workload of the benchmark: a tight loop of one kind of syscall.
 *
 *   syscall_loop MODE ITERATIONS [PACE_NS]
 *     MODE openclose  open("/dev/null") + close, two syscalls per iteration
 *          openlib    open("/usr/lib/os-release") + close: a file three names down, as a web
 *                     server's page or a loader's library (the read filter's memo holds its directory)
 *          openwrite  open("/dev/null", O_WRONLY) + close: an open the read filter never keeps back,
 *                     so one file event per iteration reaches the monitor; paced by sleeping
 *                     (a steady event rate that leaves the CPUs to the monitor)
 *          getppid    one getppid per iteration (the cheapest syscall: pure hook cost)
 *          read       read(2) of 1 byte from /dev/zero (a call the file sensor never traces)
 *          emit       getppid(BENCH_MAGIC): bench.bpf.c emits records for each call
 *     PACE_NS         start iteration i no earlier than i * PACE_NS after the first (a
 *                     controlled rate; spins, so the loop keeps its CPU); 0 = flat out
 *
 * Prints "<ns per iteration> <iterations> <CPU ns per iteration>" on stdout: wall time, and the
 * process's CPU time (user + system, which includes the BPF programs run in its syscalls but not
 * the time it waited for a CPU: the steadier figure on a shared machine). Raw syscall(2) so libc
 * caching cannot skip the kernel.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAGIC 0xEB0E5C0DEUL   /* bench.bpf.c */

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s openclose|openlib|openwrite|getppid|read|emit ITERATIONS [PACE_NS]\n", argv[0]);
		return 2;
	}
	int openlib = strcmp(argv[1], "openlib") == 0;
	int openclose = openlib || strcmp(argv[1], "openclose") == 0;
	const char *path = openlib ? "/usr/lib/os-release" : "/dev/null";
	int emit = strcmp(argv[1], "emit") == 0;
	int openwrite = strcmp(argv[1], "openwrite") == 0;
	int rd = strcmp(argv[1], "read") == 0;
	if (!openclose && !emit && !openwrite && !rd && strcmp(argv[1], "getppid") != 0) {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	long n = atol(argv[2]);
	long long pace = argc == 4 ? atoll(argv[3]) : 0;
	int zero = rd ? open("/dev/zero", O_RDONLY) : -1;
	char byte;
	if (rd && zero < 0) {
		perror("open /dev/zero");
		return 1;
	}
	long long c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		if (pace && openwrite) {
			long long ahead = i * pace - (now_ns() - t0);
			if (ahead > 1000000) {      /* sleep in steps of at least 1 ms */
				struct timespec ts = { ahead / 1000000000LL, ahead % 1000000000LL };
				nanosleep(&ts, NULL);
			}
		} else if (pace) {
			while (now_ns() - t0 < i * pace)
				;
		}
		if (emit) {
			syscall(SYS_getppid, BENCH_MAGIC);
		} else if (openclose || openwrite) {
			long fd = syscall(SYS_openat, AT_FDCWD, path, openwrite ? O_WRONLY : O_RDONLY);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			syscall(SYS_close, fd);
		} else if (rd) {
			syscall(SYS_read, zero, &byte, 1);
		} else {
			syscall(SYS_getppid);
		}
	}
	long long t1 = now_ns();
	long long c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	printf("%.1f %ld %.1f\n", (double)(t1 - t0) / (double)n, n, (double)(c1 - c0) / (double)n);
	return 0;
}
