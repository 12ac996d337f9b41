/*
 * syscall-probe: makes exactly the system calls a test asks for, in order (built with gcc -static
 * so it also runs inside a busybox container). Each argument group is one step:
 *
 *   wait                 read one byte from stdin (the test says "go")
 *   say TEXT             write TEXT and a newline to stdout
 *   sleep MS             sleep MS milliseconds
 *   syscall NR [N]       N (default 1) raw native calls NR with zero arguments
 *   int80 NR             one 32-bit (ia32) call NR through int $0x80 with zero arguments
 *   chown PATH UID       chown(PATH, UID, UID)
 *   unshare-mnt          unshare(CLONE_NEWNS): into a new mount namespace of its own
 *   exec PATH ARG...     execv(PATH, ARGS) (the last step)
 *   memexec STEP...      copies this program into a memfd and runs the copy with the steps that
 *                        follow (execveat(memfd, "", AT_EMPTY_PATH), the last step): they run
 *                        fileless, from a file of no mount namespace (fexecve, as fileless
 *                        malware and some packers do)
 *
 * Results are not judged: a denied or failed call is still the call. Exits 0.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Runs a memfd copy of this program with argv[0] and the steps from argv[from] on; returns only on failure. */
static int memexec(char **argv, int from)
{
	extern char **environ;
	int in = open("/proc/self/exe", O_RDONLY);
	int mem = memfd_create("syscall-probe", MFD_CLOEXEC);
	struct stat st;
	if (in < 0 || mem < 0 || fstat(in, &st) != 0 || sendfile(mem, in, NULL, st.st_size) != st.st_size) {
		perror("memexec copy");
		return 4;
	}
	argv[from - 1] = argv[0];
	syscall(SYS_execveat, mem, "", &argv[from - 1], environ, AT_EMPTY_PATH);
	perror("memexec");
	return 4;
}

static long int80(long nr)
{
#if defined(__x86_64__)
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
	return ret;
#else
	(void)nr;
	return -1;
#endif
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "wait")) {
			char c;
			if (read(0, &c, 1) != 1)
				return 3;
		} else if (!strcmp(argv[i], "say") && i + 1 < argc) {
			dprintf(1, "%s\n", argv[++i]);
		} else if (!strcmp(argv[i], "sleep") && i + 1 < argc) {
			usleep(atol(argv[++i]) * 1000);
		} else if (!strcmp(argv[i], "syscall") && i + 1 < argc) {
			long nr = atol(argv[++i]);
			long n = 1;
			if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
				n = atol(argv[++i]);
			for (long k = 0; k < n; k++)
				syscall(nr, 0, 0, 0, 0, 0, 0);
		} else if (!strcmp(argv[i], "int80") && i + 1 < argc) {
			int80(atol(argv[++i]));
		} else if (!strcmp(argv[i], "chown") && i + 2 < argc) {
			int uid = atoi(argv[i + 2]);
			if (chown(argv[i + 1], uid, uid) != 0)
				perror("chown");
			i += 2;
		} else if (!strcmp(argv[i], "unshare-mnt")) {
			if (unshare(CLONE_NEWNS) != 0)
				perror("unshare");
		} else if (!strcmp(argv[i], "memexec")) {
			return memexec(argv, i + 1);
		} else if (!strcmp(argv[i], "exec") && i + 1 < argc) {
			execv(argv[i + 1], &argv[i + 1]);
			perror("exec");
			return 4;
		} else {
			fprintf(stderr, "syscall-probe: bad step %s\n", argv[i]);
			return 2;
		}
	}
	return 0;
}
