package io.eunomia.rules.internal;

import io.eunomia.rules.RuleCache;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kjars in one directory, named by key. The engine runs as root and a kjar is code: the directory
 * must be a real directory (not a link) of the engine's user that nobody else may write, or it is
 * not used. Writes go to a temporary file first and are renamed into place, so a killed engine
 * never leaves half a kjar under a key.
 */
public final class DirectoryRuleCache implements RuleCache {
    private static final System.Logger LOG = System.getLogger(DirectoryRuleCache.class.getName());
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    /** Entries beyond this many are removed, oldest first: each reload of edited rules adds one. */
    static final int MAX_ENTRIES = 32;

    private final Path dir;
    private volatile boolean usable = true;
    private volatile boolean checked;

    public DirectoryRuleCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public Optional<byte[]> get(String key) {
        if (!KEY.matcher(key).matches() || !usable()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(key + ".kjar")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "rule cache: cannot read " + dir.resolve(key + ".kjar") + ": " + e);
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, byte[] kjar) {
        if (!KEY.matcher(key).matches() || !usable()) {
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + key, ".tmp");
            Files.write(tmp, kjar);
            try {
                Files.move(tmp, dir.resolve(key + ".kjar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(key + ".kjar"), StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            prune();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "rule cache: cannot write to " + dir + ": " + e + " (rules still run; the next start compiles again)");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray temporary file is never read as an entry
                }
            }
        }
    }

    private void prune() throws IOException {
        try (var files = Files.list(dir)) {
            var entries = files.filter(f -> f.getFileName().toString().endsWith(".kjar"))
                    .sorted((a, b) -> Long.compare(modified(b), modified(a))).toList();
            for (int i = MAX_ENTRIES; i < entries.size(); i++) {
                Files.deleteIfExists(entries.get(i));
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Creates the directory (0700) on first use and checks it is ours alone. */
    private boolean usable() {
        if (checked) {
            return usable;
        }
        synchronized (this) {
            if (!checked) {
                usable = prepare();
                checked = true;
            }
            return usable;
        }
    }

    private boolean prepare() {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return refuse("not a directory (or a symbolic link)");
            }
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!owner.equals(me)) {
                return refuse("owned by uid " + owner + ", not by this process's uid " + me);
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                return refuse("writable by group or others (chmod 700 it)");
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return refuse(e.toString());
        }
    }

    private boolean refuse(String why) {
        LOG.log(System.Logger.Level.WARNING, "rule cache " + dir + " not used: " + why + "; rules are compiled at every start");
        return false;
    }
}
