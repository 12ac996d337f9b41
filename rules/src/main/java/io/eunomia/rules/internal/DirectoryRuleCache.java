package io.eunomia.rules.internal;

import io.eunomia.rules.RuleCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kjars in one directory, named by key. The engine runs as root and a kjar is code, so the cache
 * is used only when nobody else can put a file there:
 * <ul>
 * <li>every directory above it belongs to root or to the engine's user and others cannot write to
 *     it (or it is sticky, like /tmp), so nobody else can swap the cache directory for another;</li>
 * <li>the directory itself is a real directory of the engine's user, 0700-like (nobody else writes);</li>
 * <li>every access goes through a handle on that directory opened without following links and
 *     checked again at each use, and entries are opened without following links and must be the
 *     user's own regular files.</li>
 * </ul>
 * Writes go to a temporary file first and are renamed into place, so a killed engine never leaves
 * half a kjar under a key. A refused cache is logged once and the rules are compiled at every start.
 */
public final class DirectoryRuleCache implements RuleCache {
    private static final System.Logger LOG = System.getLogger(DirectoryRuleCache.class.getName());
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    /** Entries beyond this many are removed, least recently used first: each edit of the rules adds one. */
    static final int MAX_ENTRIES = 32;
    /** Temporary files older than this are left over from a killed engine. */
    private static final long STALE_TMP_MILLIS = 3_600_000;
    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private final Path dir;
    private volatile boolean refusedLogged;

    public DirectoryRuleCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public Optional<byte[]> get(String key) {
        if (!KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        try (SecureDirectoryStream<Path> d = open()) {
            if (d == null) {
                return Optional.empty();
            }
            Path entry = Path.of(key + ".kjar");
            PosixFileAttributes a;
            try {
                a = d.getFileAttributeView(entry, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            if (!a.isRegularFile() || !a.owner().equals(myself()) || a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
                LOG.log(System.Logger.Level.WARNING, "rule cache: " + dir.resolve(entry) + " is not a private file of ours; ignored");
                return Optional.empty();
            }
            byte[] kjar;
            try (SeekableByteChannel ch = d.newByteChannel(entry, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                kjar = readAll(ch);
            }
            // Least recently used goes first when pruning: a hit counts as a use.
            d.getFileAttributeView(entry, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(System.currentTimeMillis()), null, null);
            return Optional.of(kjar);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "rule cache: cannot read from " + dir + ": " + e);
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, byte[] kjar) {
        if (!KEY.matcher(key).matches()) {
            return;
        }
        try (SecureDirectoryStream<Path> d = open()) {
            if (d == null) {
                return;
            }
            Path tmp = Path.of("." + key + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
            try (SeekableByteChannel ch = d.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer b = ByteBuffer.wrap(kjar);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            try {
                d.move(tmp, d, Path.of(key + ".kjar"));   // renameat within the checked directory
            } catch (IOException e) {
                d.deleteFile(tmp);
                throw e;
            }
            prune(d);
        } catch (FileAlreadyExistsException e) {
            LOG.log(System.Logger.Level.DEBUG, "rule cache: concurrent write of " + key);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "rule cache: cannot write to " + dir + ": " + e + " (rules still run; the next start compiles again)");
        }
    }

    /** The checked directory handle, or null (logged) when the cache must not be used. */
    private SecureDirectoryStream<Path> open() throws IOException {
        Files.createDirectories(dir.getParent());   // ours if made here; checked like any other
        String refusal = unsafeAncestor();
        if (refusal == null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // checked below like any existing directory
            }
        }
        SecureDirectoryStream<Path> d = null;
        if (refusal == null) {
            try (DirectoryStream<Path> parent = Files.newDirectoryStream(dir.getParent().toRealPath())) {
                if (!(parent instanceof SecureDirectoryStream<Path> sp)) {
                    refusal = "this file system cannot open directories safely (no SecureDirectoryStream)";
                } else {
                    d = sp.newDirectoryStream(dir.getFileName(), LinkOption.NOFOLLOW_LINKS);
                }
            } catch (IOException e) {
                refusal = "not a directory, or a symbolic link (" + e.getMessage() + ")";
            }
        }
        if (d != null) {
            PosixFileAttributes a = d.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
            if (!a.owner().equals(myself())) {
                refusal = "owned by " + a.owner().getName() + ", not by this process's user";
            } else if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
                refusal = "writable by group or others (chmod 700 it)";
            } else {
                return d;
            }
            d.close();
        }
        if (!refusedLogged) {
            refusedLogged = true;
            LOG.log(System.Logger.Level.WARNING, "rule cache " + dir + " not used: " + refusal + "; rules are compiled at every start");
        }
        return null;
    }

    /**
     * Null when nobody but root and this user can change any directory above the cache (on the
     * path as given and on the path links lead to), else which one can be changed.
     */
    private String unsafeAncestor() throws IOException {
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        for (Path start : List.of(dir.getParent(), dir.getParent().toRealPath())) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isSymbolicLink(p)) {
                    continue;   // a link is as safe as the directory holding it, checked next
                }
                Object owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (!owner.equals(0) && !owner.equals(me)) {
                    return p + " (above the cache) belongs to uid " + owner;
                }
                if ((mode & 0022) != 0 && (mode & 01000) == 0) {
                    return p + " (above the cache) is writable by group or others";
                }
            }
        }
        return null;
    }

    private void prune(SecureDirectoryStream<Path> d) throws IOException {
        record Entry(Path name, long modified) {}
        List<Entry> kjars = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Path name : d) {
            String n = name.getFileName().toString();
            long modified = d.getFileAttributeView(name.getFileName(), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes().lastModifiedTime().toMillis();
            if (n.endsWith(".kjar")) {
                kjars.add(new Entry(name.getFileName(), modified));
            } else if (n.endsWith(".tmp") && now - modified > STALE_TMP_MILLIS) {
                d.deleteFile(name.getFileName());
            }
        }
        kjars.sort(Comparator.comparingLong(Entry::modified).reversed());
        for (int i = MAX_ENTRIES; i < kjars.size(); i++) {
            d.deleteFile(kjars.get(i).name());
        }
    }

    private static byte[] readAll(SeekableByteChannel ch) throws IOException {
        long size = ch.size();
        if (size > 64L << 20) {
            throw new IOException("entry of " + size + " bytes: not a kjar of ours");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // read on
        }
        return b.array();
    }

    private static UserPrincipal myself() throws IOException {
        return Files.getOwner(Path.of("/proc/self"));   // owned by this process's effective uid
    }
}
