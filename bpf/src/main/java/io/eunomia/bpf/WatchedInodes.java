package io.eunomia.bpf;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.PathDescriptors;
import io.eunomia.libbpf.RootLookup;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes file.bpf.c's identity watch (map watched_inodes): the device and inode of every existing
 * regular file the read filter's prefixes name, and of every regular file below the system
 * directories whose writes the default pack watches ({@link #SYSTEM_DIRS}), with the path rules
 * know it by, so that an open of the same file through a hard link made elsewhere (before the
 * monitor started or after) is reported under that path. A prefix names the file itself
 * ("/etc/shadow"), the files directly in a directory ("/etc/sudoers.d/"), or the files of its
 * directory whose path starts with it ("/root/.ssh/id_"); deeper trees and wildcards in the middle
 * ("/home/") are not expanded. The host's files go in with owner 0 (they name the file for every
 * task); a container's own files ({@link #applyContainer}, read through /proc/PID/root) with its
 * namespace's key ({@link ContainerWatchedInodes#flagKey}: its never-reused id, not its number,
 * which the kernel hands on to the next namespace), whose tasks alone they name. A file replaced by a rename is
 * a new inode, and a file created while the sensors run is in no list: the file sensor's rename
 * into, or hard link to, a watched path ({@link #watchedPath}) adds that path's inode now
 * ({@link #replaced}, {@link #addOne}); a rule reload runs {@link #apply} again. Only the host's
 * entries ({@link #apply}, {@link #replaced}) share state: a container's look runs on another
 * thread than the decoding one and takes no lock the decoding thread waits for.
 */
final class WatchedInodes {
    /** watched_inodes' entries (file.bpf.c). */
    static final int MAX_ENTRIES = 16384;
    /** The host's share of them, some left for containers and for what a reload adds before it removes. */
    static final int MAX_FILES = 8192;
    /** A container's share. */
    static final int MAX_CONTAINER_FILES = 2048;
    /** PREFIX_MAX in file.bpf.c: a watched path with its NUL padding. */
    static final int NAME_MAX = 256;
    /** struct watched_name: the path, the owner (the namespace's key, 0 for the host's files). */
    static final int VALUE_SIZE = NAME_MAX + 8;
    /**
     * The default pack's system_dirs (rules 30-files.yaml, "Write below system directory"): a write
     * through a hard link to a file below them is a write below them. Walked this deep at most.
     */
    static final List<String> SYSTEM_DIRS = List.of("/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/boot");
    private static final int SYSTEM_DEPTH = 6;

    /** One watched file: the kernel's device number, the inode, the path. */
    record File(long dev, long ino, String path) {}

    private static final System.Logger LOG = System.getLogger(WatchedInodes.class.getName());

    private WatchedInodes() {}

    /** The host's entries by path, as last written (what {@link #replaced} removes when a path gets another inode). */
    private static final Map<String, ByteBuffer> HOST_KEYS = new java.util.HashMap<>();

    /** Replaces the host's entries with the files of prefixes and of the system directories (absent: no read filter). */
    static synchronized void apply(BpfObject object, Optional<List<String>> prefixes) {
        apply(object, listHost(prefixes));
    }

    /**
     * The host's files to watch, listed (a stat each, ~1,200 files here) without the file sensor's
     * maps: at start-up while its programs are verified, then written by {@link #apply(BpfObject, HostFiles)}.
     */
    record HostFiles(Map<String, File> files, long listNanos) {}

    static HostFiles listHost(Optional<List<String>> prefixes) {
        long t0 = System.nanoTime();
        Map<String, File> files = files(Path.of("/"), prefixes.orElse(List.of()), MAX_FILES);
        files.putAll(systemFiles(Path.of("/"), MAX_FILES - files.size()));
        return new HostFiles(files, System.nanoTime() - t0);
    }

    /** Replaces the host's entries with the files listed. */
    static synchronized void apply(BpfObject object, HostFiles host) {
        long t0 = System.nanoTime();
        BpfMap map = object.map("watched_inodes");
        Set<ByteBuffer> wanted = new HashSet<>();
        HOST_KEYS.clear();
        for (File f : host.files().values()) {
            byte[] key = key(f);
            map.update(key, value(f.path(), 0));
            wanted.add(ByteBuffer.wrap(key));
            HOST_KEYS.put(f.path(), ByteBuffer.wrap(key));
        }
        for (byte[] k : map.keys()) {
            if (!wanted.contains(ByteBuffer.wrap(k)) && map.lookup(k).map(WatchedInodes::ownerOf).orElse(-1L) == 0) {
                map.delete(k);
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "host's watched files: " + host.files().size() + " found in "
                + host.listNanos() / 1_000_000 + " ms, written to the kernel in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /**
     * Adds the watched files of a container whose root the host sees at root (/proc/PID/root) for
     * the tasks of the mount namespace of key owner ({@link ContainerWatchedInodes#flagKey}); a file
     * that is the host's own (a bind mount of the host's /etc) keeps its host entry. Returns the keys
     * written, for {@link #forget}.
     */
    static Set<ByteBuffer> applyContainer(BpfObject object, Path root, long owner, List<String> prefixes) {
        return applyContainer(object, root, owner, prefixes, path -> false);
    }

    /**
     * As above, never looking at a path (as the container sees it) that unsafe names: a mount where
     * a lookup could wait for ever (a FUSE daemon or a server that stopped answering) would hold
     * the scanner, and every container's look after it, until it answers.
     */
    static Set<ByteBuffer> applyContainer(BpfObject object, Path root, long owner, List<String> prefixes,
                                          Predicate<String> unsafe) {
        BpfMap map = object.map("watched_inodes");
        Map<String, File> files = files(root, prefixes, MAX_CONTAINER_FILES, unsafe);
        files.putAll(systemFiles(root, MAX_CONTAINER_FILES - files.size(), unsafe));
        Set<ByteBuffer> written = new HashSet<>();
        for (File f : files.values()) {
            if (put(map, f, owner)) {
                written.add(ByteBuffer.wrap(key(f)));
            }
        }
        return written;
    }

    /** Removes a container's entries (its namespace ended or its root changed): those keys still owner's. */
    static void forget(BpfObject object, Set<ByteBuffer> keys, long owner) {
        BpfMap map = object.map("watched_inodes");
        for (ByteBuffer k : keys) {
            byte[] key = k.array();
            if (map.lookup(key).map(WatchedInodes::ownerOf).orElse(-1L) == owner) {
                map.delete(key);
            }
        }
    }

    /**
     * Adds one file, path as the task sees it, found at root + path (a hard link was just made to
     * it: from now on it has another name), for owner's tasks (0: every task's). Nothing when it is no regular file.
     */
    static Optional<ByteBuffer> addOne(BpfObject object, Path root, String path, long owner) {
        Map<String, File> one = lookOne(root, path);
        if (one.isEmpty() || !put(object.map("watched_inodes"), one.get(path), owner)) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(key(one.get(path))));
    }

    /**
     * A host path that may be another inode now (renamed over: passwd, dpkg, an editor) or has
     * another name (a hard link was made to it): its current inode is added, the one it had is
     * dropped. One stat and a few map calls: run on the decoding thread before the next record.
     */
    static synchronized void replaced(BpfObject object, String path) {
        BpfMap map = object.map("watched_inodes");
        Optional<ByteBuffer> now = addOne(object, Path.of("/"), path, 0);
        ByteBuffer old = now.isPresent() ? HOST_KEYS.put(path, now.get()) : HOST_KEYS.remove(path);
        if (old != null && !old.equals(now.orElse(null))
                && map.lookup(old.array()).filter(v -> ownerOf(v) == 0 && pathOf(v).equals(path)).isPresent()) {
            map.delete(old.array());
        }
    }

    /**
     * The name opens of the regular file at file (a host path the caller chose, a container's file
     * through /proc/PID/root included) are reported under by the identity watch (its entry for the
     * file's device and inode), empty when the file is not watched or not there.
     */
    static Optional<String> watchedName(BpfObject object, Path file) {
        Map<String, File> one = new LinkedHashMap<>();
        Path parent = file.getParent();
        String leaf = file.getFileName() == null ? "" : file.getFileName().toString();
        if (parent != null && !leaf.isEmpty()) {
            int dir = PathDescriptors.openDirectory(parent.toString());
            try {
                add(one, dir, leaf, file.toString(), 1);
            } finally {
                PathDescriptors.close(dir);
            }
        }
        return one.isEmpty() ? Optional.empty()
                : object.map("watched_inodes").lookup(key(one.values().iterator().next())).map(WatchedInodes::pathOf);
    }

    /** The regular file at path below root, looked up inside it: one entry, or none. */
    private static Map<String, File> lookOne(Path root, String path) {
        Map<String, File> one = new LinkedHashMap<>();
        try (RootLookup in = RootLookup.open(root)) {
            add(one, in, path, 1);
        } catch (IOException | SecurityException e) {
            // gone: nothing to watch
        }
        return one;
    }

    /** struct watched_name's path. */
    static String pathOf(byte[] value) {
        int n = 0;
        while (n < NAME_MAX && value[n] != 0) {
            n++;
        }
        return new String(value, 0, n, StandardCharsets.UTF_8);
    }

    /** Writes f for owner unless the map is full or holds it as a host file already (for a container). */
    private static boolean put(BpfMap map, File f, long owner) {
        byte[] key = key(f);
        Optional<byte[]> old = map.lookup(key);
        if (owner != 0 && old.isPresent() && ownerOf(old.get()) == 0) {
            return false;
        }
        try {
            map.update(key, value(f.path(), owner));
            return true;
        } catch (RuntimeException full) {  // E2BIG: watched_inodes is full; the path still matches by name
            return false;
        }
    }

    /** Whether a rename to newPath may have replaced a watched file (its inode changed). */
    static boolean renamedInto(String newPath, Optional<List<String>> prefixes) {
        return prefixes.orElse(List.of()).stream().anyMatch(newPath::startsWith);
    }

    /** Whether path (as its task sees it) is a file the identity watch holds when it exists: a link to it matters. */
    static boolean watchedPath(String path, Optional<List<String>> prefixes) {
        return renamedInto(path, prefixes) || SYSTEM_DIRS.stream().anyMatch(d -> path.startsWith(d + "/"));
    }

    /** The existing regular files the prefixes name on the host, by path (at most {@link #MAX_FILES}). */
    static Map<String, File> files(List<String> prefixes) {
        return files(Path.of("/"), prefixes, MAX_FILES);
    }

    /** The existing regular files the prefixes name below root, by their path as seen from root. */
    static Map<String, File> files(Path root, List<String> prefixes, int max) {
        return files(root, prefixes, max, path -> false);
    }

    /** As above, leaving out the paths unsafe names (and never looking at them). */
    static Map<String, File> files(Path root, List<String> prefixes, int max, Predicate<String> unsafe) {
        Map<String, File> out = new LinkedHashMap<>();
        try (RootLookup in = RootLookup.open(root)) {
            for (String p : prefixes) {
                if (!p.startsWith("/") || p.getBytes(StandardCharsets.UTF_8).length >= NAME_MAX) {
                    continue;
                }
                int slash = p.lastIndexOf('/');
                String dirName = slash == 0 ? "/" : p.substring(0, slash);
                if (unsafe.test(dirName)) {
                    continue;
                }
                if (!unsafe.test(p)) {
                    add(out, in, p, max);
                }
                if (slash == 0) {
                    continue;  // "/" itself is no credential directory: never list it
                }
                // A link as the directory is followed inside the root: its files are what the name shows.
                in.inDirectoryFollowing(dirName, dir -> {
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.path())) {
                        for (Path f : s) {
                            String name = dirName + "/" + f.getFileName();
                            if (name.startsWith(p) && out.size() < max && !unsafe.test(name)) {
                                add(out, dir.fd(), f.getFileName().toString(), name, max);
                            }
                        }
                    } catch (java.nio.file.DirectoryIteratorException e) {
                        // The listing stopped: what it found is watched.
                    }
                });
            }
        } catch (IOException | SecurityException e) {
            // An unreadable directory watches nothing more: the paths themselves still match.
        }
        return out;
    }

    /** The regular files below {@link #SYSTEM_DIRS} under root (symlinks not followed), by path as seen from root. */
    static Map<String, File> systemFiles(Path root, int max) {
        return systemFiles(root, max, path -> false);
    }

    /** As above, not looking at the paths unsafe names nor below them. */
    static Map<String, File> systemFiles(Path root, int max, Predicate<String> unsafe) {
        Map<String, File> out = new LinkedHashMap<>();
        try (RootLookup in = RootLookup.open(root)) {
            for (String d : SYSTEM_DIRS) {
                if (out.size() >= max || unsafe.test(d)) {
                    continue;
                }
                // /bin -> usr/bin on merged-/usr systems: not a directory here, walked as /usr/bin
                in.inDirectory(d, dir -> walk(dir, d, 0, out, max, unsafe));
            }
        } catch (IOException | SecurityException e) {
            // The listing stopped: what it found is watched.
        }
        return out;
    }

    /**
     * The regular files below dir (reached through its descriptor: a directory swapped for a link
     * meanwhile is not followed; name: its path as seen from the root; depth: below the system
     * directory), each entry checked against unsafe before its stat, stat'ed relative to the
     * directory's descriptor (no lookup through /proc/self/fd per entry).
     */
    private static void walk(RootLookup.Found dir, String name, int depth, Map<String, File> out, int max, Predicate<String> unsafe) {
        List<String> subdirs = new java.util.ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.path())) {
            for (Path f : s) {
                if (out.size() >= max) {
                    return;
                }
                String entry = f.getFileName().toString();
                String path = name + "/" + entry;
                if (unsafe.test(path)) {
                    continue;
                }
                PathDescriptors.Stat st = PathDescriptors.statAt(dir.fd(), entry);
                if (st == null) {
                    continue;  // unreadable or gone: nothing to watch there
                }
                if (st.type() == PathDescriptors.S_IFREG) {
                    keep(out, st, path, max);
                } else if (st.type() == PathDescriptors.S_IFDIR && depth + 1 < SYSTEM_DEPTH) {
                    subdirs.add(entry);
                }
            }
        } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
            // The listing stopped: what it found is watched.
        }
        for (String sub : subdirs) {
            int fd = PathDescriptors.openChildDirectory(dir.fd(), sub);
            if (fd >= 0) {
                try {
                    walk(new RootLookup.Found(fd), name + "/" + sub, depth + 1, out, max, unsafe);
                } finally {
                    PathDescriptors.close(fd);
                }
            }
        }
    }

    /** Adds the regular file at path (as seen from the root), its directory looked up inside the root. */
    private static void add(Map<String, File> out, RootLookup in, String path, int max) throws IOException {
        int slash = path.lastIndexOf('/');
        String leaf = path.substring(slash + 1);
        if (slash < 0 || leaf.isEmpty() || leaf.equals(".") || leaf.equals("..") || out.size() >= max) {
            return;
        }
        in.inDirectoryFollowing(slash == 0 ? "/" : path.substring(0, slash), dir -> add(out, dir.fd(), leaf, path, max));
    }

    /** Adds the entry leaf of directory dir (a symlink not followed) under path when it is a regular file. */
    private static void add(Map<String, File> out, int dir, String leaf, String path, int max) {
        if (dir < 0 || out.size() >= max || out.containsKey(path) || leaf.indexOf('\0') >= 0) {
            return;  // a NUL byte (a rule's prefix may have one) names no file
        }
        PathDescriptors.Stat st = PathDescriptors.statAt(dir, leaf);
        if (st != null && st.type() == PathDescriptors.S_IFREG) {
            keep(out, st, path, max);
        }
    }

    private static void keep(Map<String, File> out, PathDescriptors.Stat st, String path, int max) {
        if (out.size() < max && !out.containsKey(path) && path.getBytes(StandardCharsets.UTF_8).length < NAME_MAX) {
            out.put(path, new File(st.kernelDev(), st.ino(), path));
        }
    }

    /** struct inode_key. */
    static byte[] key(File f) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(f.dev()).putLong(f.ino()).array();
    }

    /** struct watched_name: the path, NUL-padded, and the key of the mount namespace whose tasks it names (0: all). */
    static byte[] value(String path, long owner) {
        byte[] v = new byte[VALUE_SIZE];
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, v, 0, Math.min(b.length, NAME_MAX - 1));
        ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).putLong(NAME_MAX, owner);
        return v;
    }

    /** struct watched_name's owner ({@link ContainerWatchedInodes#flagKey}; 0: the host's file, naming it for every task). */
    static long ownerOf(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong(NAME_MAX);
    }
}
