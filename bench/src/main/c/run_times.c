/* Runs a command again and again and prints, per run, its wall time and the CPU time of its process
 * tree (WorkloadRuns: the workloads part's paired runs). The CPU is wait4's rusage of the child,
 * which holds the times of every descendant it waited for, in µs (/proc's cutime/cstime count
 * 10 ms ticks: a 13 ms tar reads as 0 or 10 ms). The monitor's BPF programs run in the workload's
 * tasks and count as its system time. stdin, stdout and stderr of the command are /dev/null.
 *   run_times SECONDS MIN_RUNS CMD [ARG...]   runs until SECONDS have passed and MIN_RUNS runs are done
 * Prints one line per run: "WALL_NS CPU_US".
 * Build: gcc -O2 -Wall -o run_times run_times.c */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: run_times SECONDS MIN_RUNS CMD [ARG...]\n"); return 2; }
    long long budget = (long long) (atof(argv[1]) * 1e9);
    long min_runs = atol(argv[2]);
    long long start = now_ns();
    for (long runs = 0; runs < min_runs || now_ns() - start < budget; runs++) {
        long long t0 = now_ns();
        pid_t pid = fork();
        if (pid < 0) { perror("run_times: fork"); return 1; }
        if (pid == 0) {
            int null = open("/dev/null", O_RDWR);
            if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
            execvp(argv[3], argv + 3);
            _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) != pid) { perror("run_times: wait4"); return 1; }
        long long wall = now_ns() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "run_times: %s exited with status %d\n", argv[3], status);
            return 1;
        }
        long long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
        printf("%lld %lld\n", wall, cpu);
    }
    return 0;
}
