/*
 * named-mount NAME FSTYPE SOURCE TARGET [DATA]: names itself NAME (prctl PR_SET_NAME, what runc's init
 * stages do: "runc:[2:INIT]") and mounts SOURCE of FSTYPE at TARGET (with DATA, e.g. a cgroup v1
 * hierarchy's "none,name=x"), then unmounts it. What a workload with
 * CAP_SYS_ADMIN can do to pass for its container's runtime.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s NAME FSTYPE SOURCE TARGET [DATA]\n", argv[0]);
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) != 0) {
		perror("prctl PR_SET_NAME");
		return 1;
	}
	if (mount(argv[3], argv[4], argv[2], 0, argc == 6 ? argv[5] : NULL) != 0) {
		fprintf(stderr, "mount %s %s %s: %s\n", argv[2], argv[3], argv[4], strerror(errno));
		return 1;
	}
	if (umount(argv[4]) != 0) {
		perror("umount");
		return 1;
	}
	return 0;
}
