// chmod_burst FILE N SECONDS: N chmod calls alternating u+s (04755) and u-s (0755) on FILE,
// paced evenly over SECONDS; prints the calls made and the time taken.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
	if (argc != 4) { fprintf(stderr, "usage: chmod_burst FILE N SECONDS\n"); return 2; }
	long n = atol(argv[2]); double secs = atof(argv[3]);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		if (chmod(argv[1], (i & 1) ? 0755 : 04755) != 0) { perror("chmod"); return 1; }
		if ((i & 255) == 255) {
			double due = t0 + secs * (double)(i + 1) / n, left = due - now();
			if (left > 0) { struct timespec s = { (time_t)left, (long)((left - (time_t)left) * 1e9) }; nanosleep(&s, NULL); }
		}
	}
	printf("%ld chmods in %.1f s\n", n, now() - t0);
	return 0;
}
