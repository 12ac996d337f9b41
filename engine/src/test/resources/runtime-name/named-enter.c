/*
 * named-enter NAME PID DIR FILE ARG0 [ARG...]: names itself NAME (prctl PR_SET_NAME: "runc:[2:INIT]"),
 * holds DIR open, enters PID's mount namespace (setns on /proc/PID/ns/mnt) and there execs FILE
 * relative to DIR (execveat: a name of DIR's file system, the container's, or an absolute path of the
 * namespace entered) with ARG0 and ARGs. The exec's program is called FILE's last component (the
 * kernel names it after the path it was given). What a privileged container's process can do to pass
 * for its runtime while it leaves for the host's mount namespace.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	extern char **environ;
	if (argc < 6) {
		fprintf(stderr, "usage: %s NAME PID DIR FILE ARG0 [ARG...]\n", argv[0]);
		return 2;
	}
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%s/ns/mnt", argv[2]);
	int dir = open(argv[3], O_PATH | O_DIRECTORY);
	int nsfd = open(ns, O_RDONLY);
	if (dir < 0 || nsfd < 0) {
		perror("open");
		return 1;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) != 0 || setns(nsfd, CLONE_NEWNS) != 0) {
		perror("prctl/setns");
		return 1;
	}
	syscall(SYS_execveat, dir, argv[4], &argv[5], environ, 0);
	perror("execveat");
	return 1;
}
