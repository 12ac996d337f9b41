package io.eunomia.bpf.container;

import io.eunomia.libbpf.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The few /proc reads attribution needs. A process may be gone: absence is a value, not an error. */
final class ProcFs {
    private static final int ANCESTORS = 4;
    private static final Path SYSTEM = Path.of("/proc");
    private final Path proc;

    ProcFs(Path proc) {
        this.proc = proc;
    }

    static ProcFs system() {
        return new ProcFs(SYSTEM);
    }

    List<String> cgroup(int pid) {
        try {
            return Files.readAllLines(dir(pid).resolve("cgroup"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Inode number of /proc/PID/ns/mnt ("mnt:[4026531841]"). */
    OptionalLong mntns(int pid) {
        return namespace(pid, "mnt");
    }

    /**
     * The id of the mount namespace of PID (ioctl NS_GET_MNTNS_ID); empty when the process is gone,
     * the kernel has no ids (before 6.8), or this is not the system's /proc (tests' trees).
     */
    OptionalLong mntnsId(int pid) {
        return proc.equals(SYSTEM) ? Libc.mountNamespaceId(pid) : OptionalLong.empty();
    }

    /**
     * Whether PID is in mount namespace mntns, and where ids can be read, in the one with id
     * mntnsId (0: any): a namespace's number is reused at once when it is freed, so a process of a
     * later namespace with that number is no process of the one asked about.
     */
    boolean inNamespace(int pid, long mntns, long mntnsId) {
        OptionalLong ns = mntns(pid);
        if (ns.isEmpty() || ns.getAsLong() != mntns) {
            return false;
        }
        OptionalLong id = mntnsId == 0 ? OptionalLong.empty() : mntnsId(pid);
        return id.isEmpty() || id.getAsLong() == mntnsId;
    }

    /**
     * Why PID is not root of the host running a root-owned program, empty when it is: every uid
     * root (a setuid program run by a user keeps the user's real uid), in the user namespace of PID 1
     * (root of a user namespace is no host root), and its executable owned by root and writable by
     * root alone. The executable is stat'ed through the /proc/PID/exe link, which the kernel resolves
     * to the very file the process runs (not to its path name, which may now name another file).
     * A process's name is its own to choose (prctl, or a link named "runc" to any program): this is
     * what says a "runc" is the host's runtime, whose command line (bundle, id) may be believed.
     */
    Optional<String> notHostRoot(int pid) {
        OptionalLong userns = namespace(pid, "user");
        if (userns.isEmpty() || userns.getAsLong() != hostUserNamespace()) {
            return Optional.of("process " + pid + " is not in the host's user namespace (or gone)");
        }
        try {
            for (String line : Files.readAllLines(dir(pid).resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    List<String> uids = List.of(line.substring("Uid:".length()).strip().split("\\s+"));
                    if (uids.isEmpty() || !uids.stream().allMatch("0"::equals)) {
                        return Optional.of("process " + pid + " runs as uids " + uids + ", not root");
                    }
                    java.util.Map<String, Object> exe = Files.readAttributes(dir(pid).resolve("exe"), "unix:uid,mode");
                    int mode = (Integer) exe.get("mode");
                    if ((Integer) exe.get("uid") != 0 || (mode & 022) != 0) {
                        return Optional.of("process " + pid + " runs a program owned by uid " + exe.get("uid")
                                + " with mode " + Integer.toOctalString(mode & 07777) + ", not root's alone");
                    }
                    return Optional.empty();
                }
            }
            return Optional.of("process " + pid + " shows no uids");
        } catch (IOException | RuntimeException e) {
            return Optional.of("process " + pid + " cannot be checked (gone?): " + e.getMessage());
        }
    }

    /**
     * The host's (initial) user namespace: PID 1's; where PID 1's cannot be read (a sandbox whose
     * PID 1 holds capabilities we lack), this process's own, which is the initial one as it loads
     * BPF tracing programs (the kernel allows that only to the initial namespace's privileged).
     */
    private long hostUserNamespace() {
        OptionalLong init = namespace(1, "user");
        if (init.isPresent()) {
            return init.getAsLong();
        }
        return proc.equals(SYSTEM) ? namespace((int) ProcessHandle.current().pid(), "user").orElse(-1) : -1;
    }

    /** Inode number of /proc/PID/ns/pid. */
    OptionalLong pidns(int pid) {
        return namespace(pid, "pid");
    }

    private OptionalLong namespace(int pid, String kind) {
        try {
            String link = Files.readSymbolicLink(dir(pid).resolve("ns").resolve(kind)).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']');
            if (open < 0 || close < open) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(link.substring(open + 1, close)));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The command name, "" when the process is gone. */
    String comm(int pid) {
        try {
            return Files.readString(dir(pid).resolve("comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The parent's pid (field 4 of /proc/PID/stat, after the parenthesised comm). */
    OptionalInt ppid(int pid) {
        try {
            String stat = Files.readString(dir(pid).resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalInt.of(Integer.parseInt(f[1]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** argv, empty when the process is gone (or a kernel thread). */
    List<String> cmdline(int pid) {
        try {
            byte[] raw = Files.readAllBytes(dir(pid).resolve("cmdline"));
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The working directory, empty when the process is gone. */
    Optional<Path> cwd(int pid) {
        try {
            return Optional.of(Files.readSymbolicLink(dir(pid).resolve("cwd")));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Pids of every process now running. */
    List<Integer> pids() {
        try (var s = Files.list(proc)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * One process of every mount namespace that has one now, by number and id (0 where the kernel
     * tells no ids): a number alone may be a dead namespace's, reused at once by the next one.
     */
    List<LiveNamespace> liveNamespaces() {
        java.util.Map<String, LiveNamespace> out = new java.util.LinkedHashMap<>();
        for (int pid : pids()) {
            OptionalLong ns = mntns(pid);
            if (ns.isEmpty()) {
                continue;
            }
            long id = mntnsId(pid).orElse(0);
            // Read again: the id must be that of the namespace whose number was read (setns between).
            if (mntns(pid).orElse(-1) == ns.getAsLong()) {
                out.putIfAbsent(ns.getAsLong() + ":" + id, new LiveNamespace(ns.getAsLong(), id, pid));
            }
        }
        return List.copyOf(out.values());
    }

    /** A live process of the namespace with this number and id (0: any), empty when none runs. */
    OptionalInt processIn(long mntns, long mntnsId) {
        for (int pid : pids()) {
            if (inNamespace(pid, mntns, mntnsId)) {
                return OptionalInt.of(pid);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * What identifies the namespace of a live process, as the kernel would have recorded it (cgroup
     * ids unknown: 0); empty when the process is gone or no longer in mntns (by id where known).
     */
    Optional<NamespaceIdentity> identity(int pid, long mntns, long mntnsId, String v1Controller) {
        if (!inNamespace(pid, mntns, mntnsId)) {
            return Optional.empty();
        }
        String v2 = "/";
        String v1 = "";
        for (String line : cgroup(pid)) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                v2 = f[2];
            } else if (!v1Controller.isEmpty() && List.of(f[1].split(",")).contains(v1Controller)) {
                v1 = f[2];
            }
        }
        if (!v1Controller.isEmpty() && v1.isEmpty()) {
            v1 = "/";
        }
        List<NamespaceIdentity.Ancestor> ancestors = new ArrayList<>();
        int at = pid;
        for (int i = 0; i < ANCESTORS; i++) {
            OptionalInt parent = ppid(at);
            if (parent.isEmpty() || parent.getAsInt() <= 0) {
                break;
            }
            at = parent.getAsInt();
            ancestors.add(new NamespaceIdentity.Ancestor(at, comm(at), 0));
        }
        return Optional.of(new NamespaceIdentity(mntns, mntnsId, pid, comm(pid), v2, 0, v1, 0, v1Controller, ancestors));
    }

    private Path dir(int pid) {
        return proc.resolve(Integer.toString(pid));
    }
}
