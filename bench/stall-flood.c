/* A flood of opens of /etc/shadow for argv[1] seconds at C pace (bench/stall-probe.py, stall18); prints how many. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    double secs = atof(argv[1]); struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
    long n = 0;
    for (;;) {
        for (int i = 0; i < 1000; i++) { int fd = open("/etc/shadow", O_RDONLY); if (fd >= 0) close(fd); }
        n += 1000; clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 > secs) break;
    }
    printf("%ld\n", n); return 0;
}
