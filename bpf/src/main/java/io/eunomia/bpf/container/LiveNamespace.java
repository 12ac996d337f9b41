package io.eunomia.bpf.container;

/**
 * A mount namespace with a live process now.
 *
 * @param mntns   its number (/proc/PID/ns/mnt), reused by the next namespace once it is freed
 * @param mntnsId its id (ioctl NS_GET_MNTNS_ID, never reused); 0 when the kernel tells none (before 6.8)
 * @param pid     one of its processes
 */
public record LiveNamespace(long mntns, long mntnsId, int pid) {}
