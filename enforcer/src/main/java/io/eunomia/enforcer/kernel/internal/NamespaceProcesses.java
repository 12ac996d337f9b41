package io.eunomia.enforcer.kernel.internal;

import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;
import io.eunomia.libbpf.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The processes of one mount namespace, read from /proc: who a pid is, and killing them all. */
public final class NamespaceProcesses {
    private NamespaceProcesses() {}

    /**
     * Sends SIGKILL to every process in the namespace (number and, when known, id must both
     * match: a reused number is another container). Returns how many were sent it.
     */
    public static int killAll(long mntns, long mntnsId) {
        long self = ProcessHandle.current().pid();
        int[] killed = {0};
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() != self && in(p.pid(), mntns, mntnsId) && Libc.kill((int) p.pid(), Libc.SIGKILL) == 0) {
                killed[0]++;
            }
        });
        return killed[0];
    }

    private static boolean in(long pid, long mntns, long mntnsId) {
        OptionalLong ns = Namespaces.mountNamespace(pid);
        if (ns.isEmpty() || ns.getAsLong() != mntns) {
            return false;
        }
        return mntnsId == 0 || Libc.mountNamespaceId(pid).orElse(0) == mntnsId;
    }

    /** Who pid is now, in that namespace and container; the ids it had are kept when it is gone. */
    public static ProcessInfo process(int pid, ProcessInfo like, ContainerInfo container) {
        String comm = like.pid() == pid ? like.comm() : "";
        int ppid = like.pid() == pid ? like.ppid() : 0;
        int uid = like.uid();
        int gid = like.gid();
        try {
            comm = Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip();
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("PPid:")) {
                    ppid = Integer.parseInt(line.substring(5).strip());
                } else if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                } else if (line.startsWith("Gid:")) {
                    gid = Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone (or not readable): what the note or the first report said
        }
        return new ProcessInfo(pid, pid, ppid, uid, gid, uid, gid, comm, "", like.mntns(), like.mntnsId(), like.pidns(),
                like.cgroupId(), container);
    }
}
