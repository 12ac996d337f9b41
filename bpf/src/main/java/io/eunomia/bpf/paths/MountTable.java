package io.eunomia.bpf.paths;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One mount namespace's mounts as a task sees them (its /proc/PID/mountinfo: mount points relative
 * to that task's root), enough to name a path through a bind mount by its path through the root.
 */
public final class MountTable {
    /**
     * One line of mountinfo.
     *
     * @param device the superblock's s_dev (major:minor): one file system (not stat's st_dev on btrfs: a subvolume's own)
     * @param root   the directory of that file system mounted here ("/" unless a bind mount)
     * @param point  where it is mounted, relative to the task's root
     * @param source the mount's source as mount(2) was given it (a device, "tmpfs", a server), "" when not listed
     */
    public record Mount(int id, String device, String root, String point, String fsType, String source) {}

    /** File systems whose lookups leave this host or this kernel (a hung server or FUSE daemon would block a walk). */
    private static final Set<String> REMOTE = Set.of("nfs", "nfs4", "cifs", "smb3", "9p", "ceph", "glusterfs", "afs",
            "fuse", "fuseblk", "virtiofs", "lustre", "gfs2", "ocfs2");

    private final List<Mount> mounts;
    private final Mount root;
    private final String rootUpperDir;
    /** The host root onHost last judged this table for, and whether any mount but the root is on its device (one thread: the poller). */
    private Mount hostRootSeen;
    private boolean hostDiskMount;

    private MountTable(List<Mount> mounts, String rootUpperDir) {
        this.mounts = mounts;
        this.rootUpperDir = rootUpperDir;
        Mount r = null;
        for (Mount m : mounts) {
            if (m.point().equals("/")) {
                r = m;  // mounts stacked on "/": the last listed is on top
            }
        }
        this.root = r;
    }

    /** Parses mountinfo text; lines it cannot read are left out (a mount it does not know keeps paths as given). */
    public static MountTable parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        String upper = "";
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = indexOf(f, "-", 6);
            if (f.length < 7 || dash < 0 || dash + 1 >= f.length) {
                continue;
            }
            try {
                out.add(new Mount(Integer.parseInt(f[0]), f[2], unescape(f[3]), unescape(f[4]), f[dash + 1],
                        dash + 2 < f.length ? unescape(f[dash + 2]) : ""));
            } catch (NumberFormatException e) {
                continue;  // not a mountinfo line
            }
            if (f[4].equals("/")) {  // the last mount on "/" is the root: its overlay's upper directory, if it is one
                upper = f[dash + 1].equals("overlay") && dash + 3 < f.length ? upperDir(f[dash + 3]) : "";
            }
        }
        return new MountTable(List.copyOf(out), upper);
    }

    private static String upperDir(String superOptions) {
        for (String opt : superOptions.split(",")) {
            if (opt.startsWith("upperdir=")) {
                return unescape(opt.substring("upperdir=".length()));
            }
        }
        return "";
    }

    /**
     * The upper (writable) directory of the overlay mounted as the root, as the host names it (what
     * container engines mount: a program found there was written after the container started); ""
     * when the root is no overlay.
     */
    public String rootUpperDir() {
        return rootUpperDir;
    }

    public int size() {
        return mounts.size();
    }

    /** The mount on top at exactly point (the last listed of mounts stacked there); null if none. */
    public Mount at(String point) {
        Mount top = null;
        for (Mount m : mounts) {
            if (m.point().equals(point)) {
                top = m;
            }
        }
        return top;
    }

    /** The mount path is on (the longest mount point above it; the last listed of mounts stacked there); null if none. */
    public Mount containing(String path) {
        Mount best = null;
        for (Mount m : mounts) {
            if (below(path, m.point()) && (best == null || m.point().length() >= best.point().length())) {
                best = m;
            }
        }
        return best;
    }

    /** A lookup there may wait on a server or a user-space daemon, or means something else per reader (procfs). */
    public boolean unsafeToWalk(String path) {
        Mount m = containing(path);
        return m != null && (m.fsType().equals("proc") || REMOTE.contains(m.fsType()) || m.fsType().startsWith("fuse."));
    }

    /**
     * The path of an existing directory (symlinks already resolved) through the task's root: on a
     * mount of the root's file system other than the root mount itself (a bind mount of /etc at
     * /mnt/x), that mount's directory in the file system seen from the root (/etc/...). Unchanged
     * when it is on the root mount, on another file system, or outside what the root shows.
     */
    public String throughRoot(String path) {
        Mount m = containing(path);
        if (m == null || root == null || m.id() == root.id() || !m.device().equals(root.device())) {
            return path;
        }
        String seen = seenFrom(join(m.root(), path.substring(m.point().length())), root.root());
        return seen == null ? path : seen;
    }

    /**
     * The host's path of path (through this namespace's root, symlinks resolved) when it lies on a
     * mount of the host root's file system other than this namespace's root mount: a container's bind
     * of a host directory (`-v /etc:/host/etc`, `-v /:/host`) names /host/etc/x, the host /etc/x. ""
     * on the root mount (a container's own files, also a runc rootfs directory on the host's disk), on
     * another file system, outside what the host's root shows, and in a namespace whose root is the
     * host's (throughRoot names its binds already). hostRoot: the host's root mount (pid 1's "/"); null: "".
     */
    public String onHost(String path, Mount hostRoot) {
        if (hostRoot == null || root == null
                || root.device().equals(hostRoot.device()) && root.root().equals(hostRoot.root())) {
            return "";
        }
        if (hostRoot != hostRootSeen) {  // once per table: a namespace without such a mount pays no scan per call
            hostRootSeen = hostRoot;
            hostDiskMount = mounts.stream().anyMatch(m -> m.id() != root.id() && m.device().equals(hostRoot.device()));
        }
        Mount m = hostDiskMount ? containing(path) : null;
        if (m == null || m.id() == root.id() || !m.device().equals(hostRoot.device())) {
            return "";
        }
        String seen = seenFrom(join(m.root(), path.substring(m.point().length())), hostRoot.root());
        return seen == null ? "" : seen;
    }

    /** inFs (a path in a file system) as seen from its directory rootDir mounted as "/"; null when not below it. */
    private static String seenFrom(String inFs, String rootDir) {
        if (!below(inFs, rootDir)) {
            return null;
        }
        String seen = rootDir.equals("/") ? inFs : inFs.substring(rootDir.length());
        return seen.isEmpty() ? "/" : seen.charAt(0) == '/' ? seen : "/" + seen;
    }

    /** path equals dir or lies below it (component-wise). */
    static boolean below(String path, String dir) {
        if (dir.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(dir) && (path.length() == dir.length() || path.charAt(dir.length()) == '/');
    }

    private static String join(String dir, String rest) {
        if (rest.isEmpty()) {
            return dir;
        }
        return dir.equals("/") ? rest : dir + rest;
    }

    private static int indexOf(String[] f, String s, int from) {
        for (int i = from; i < f.length; i++) {
            if (f[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    /** mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int at) {
        if (at + 3 > s.length()) {
            return false;
        }
        for (int i = at; i < at + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
