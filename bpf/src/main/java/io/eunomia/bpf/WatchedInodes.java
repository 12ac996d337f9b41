package io.eunomia.bpf;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes file.bpf.c's identity watch (map watched_inodes): the device and inode of every existing
 * regular file the read filter's prefixes name, with the path rules know it by, so that an open of
 * the same file through a hard link made elsewhere is reported under that path. A prefix names the
 * file itself ("/etc/shadow"), the files directly in a directory ("/etc/sudoers.d/"), or the files
 * of its directory whose path starts with it ("/root/.ssh/id_"); deeper trees and wildcards in the
 * middle ("/home/") are not expanded. The host's files only: a container's own files are other
 * inodes (README, Evasion routes). A file replaced by a rename is a new inode: {@link #apply} is run
 * again when the file sensor sees a rename into a prefix ({@link #renamedInto}).
 */
final class WatchedInodes {
    /** watched_inodes' entries (file.bpf.c), some left for what a reload adds before it removes. */
    static final int MAX_FILES = 512;
    /** PREFIX_MAX in file.bpf.c: a watched path with its NUL padding. */
    static final int NAME_MAX = 256;

    /** One watched file: the kernel's device number, the inode, the path. */
    record File(long dev, long ino, String path) {}

    private WatchedInodes() {}

    /** Replaces the map's entries with the files of prefixes (absent: no read filter, nothing watched). */
    static synchronized void apply(BpfObject object, Optional<List<String>> prefixes) {
        BpfMap map = object.map("watched_inodes");
        Set<ByteBuffer> wanted = new HashSet<>();
        for (File f : files(prefixes.orElse(List.of())).values()) {
            byte[] key = key(f);
            map.update(key, value(f.path()));
            wanted.add(ByteBuffer.wrap(key));
        }
        for (byte[] k : map.keys()) {
            if (!wanted.contains(ByteBuffer.wrap(k))) {
                map.delete(k);
            }
        }
    }

    /** Whether a rename to newPath may have replaced a watched file (its inode changed). */
    static boolean renamedInto(String newPath, Optional<List<String>> prefixes) {
        return prefixes.orElse(List.of()).stream().anyMatch(newPath::startsWith);
    }

    /** The existing regular files the prefixes name, by path (at most {@link #MAX_FILES}). */
    static Map<String, File> files(List<String> prefixes) {
        Map<String, File> out = new LinkedHashMap<>();
        for (String p : prefixes) {
            if (!p.startsWith("/") || p.getBytes(StandardCharsets.UTF_8).length >= NAME_MAX) {
                continue;
            }
            add(out, Path.of(p));
            int slash = p.lastIndexOf('/');
            Path dir = Path.of(slash == 0 ? "/" : p.substring(0, slash));
            if (slash == 0 || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;  // "/" itself is no credential directory: never list it
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path f : s) {
                    if (f.toString().startsWith(p) && out.size() < MAX_FILES) {
                        add(out, f);
                    }
                }
            } catch (IOException | SecurityException e) {
                // An unreadable directory watches nothing more: the paths themselves still match.
            }
        }
        return out;
    }

    private static void add(Map<String, File> out, Path f) {
        if (out.size() >= MAX_FILES || out.containsKey(f.toString())
                || f.toString().getBytes(StandardCharsets.UTF_8).length >= NAME_MAX) {
            return;
        }
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            long dev = ((Number) Files.getAttribute(f, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long ino = ((Number) Files.getAttribute(f, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            out.put(f.toString(), new File(kernelDev(dev), ino, f.toString()));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Gone or unreadable between listing and stat: nothing to watch.
        }
    }

    /** stat's st_dev (user space encoding) as the kernel's s_dev (MKDEV: major << 20 | minor). */
    static long kernelDev(long stDev) {
        long major = ((stDev >>> 8) & 0xfff) | ((stDev >>> 32) & ~0xfffL);
        long minor = (stDev & 0xff) | ((stDev >>> 12) & 0xffffff00L);
        return (major << 20) | minor;
    }

    /** struct inode_key. */
    static byte[] key(File f) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(f.dev()).putLong(f.ino()).array();
    }

    /** struct watched_name: the path, NUL-padded. */
    static byte[] value(String path) {
        byte[] v = new byte[NAME_MAX];
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, v, 0, Math.min(b.length, NAME_MAX - 1));
        return v;
    }
}
