/* Test helper for Falco's "Packet socket created in container": opens an AF_PACKET raw socket
 * (what ARP spoofing and CVE-2020-14386 start with) and closes it. Static: runs in a busybox
 * container. Exit status 0 when the kernel granted it. With the argument "linger" it only
 * stays two seconds (a stand-in program that lives long enough for /proc to be read). */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "linger") == 0) {
		sleep(2);
		return 0;
	}
	int fd = socket(17 /* AF_PACKET */, SOCK_RAW, 0);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}
