package io.eunomia.bpf.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A directory only root can change (owned by root, not writable by group or others, opened without
 * following a link), and the files in it read safely: each checked before it is opened (regular,
 * root's, not a link, at most a given size) through the directory's descriptor. As no one but root
 * can replace an entry of such a directory, what was checked is what is opened: a FIFO (whose open
 * blocks), a device or a link to a huge file cannot be slipped in between. (NIO cannot open with
 * O_NONBLOCK; the directory's ownership closes the window instead.)
 */
final class RootOnlyDirectory implements AutoCloseable {
    private static final Set<PosixFilePermission> OTHERS_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    private final Path path;
    private final SecureDirectoryStream<Path> dir;

    private RootOnlyDirectory(Path path, SecureDirectoryStream<Path> dir) throws IOException {
        this.path = path;
        this.dir = dir;
        try {
            refuseUnlessRootOnly(path, dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes());
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /**
     * The directory {@code path} leads to (links followed to it: a storage may be configured through
     * one; what is opened is then checked); IOException saying why when it is not root's alone.
     */
    static RootOnlyDirectory open(Path link) throws IOException {
        Path path = link.toRealPath();
        Path parent = path.getParent();
        if (parent == null) {
            throw new IOException(path + " has no parent");
        }
        try (DirectoryStream<Path> p = Files.newDirectoryStream(parent)) {
            if (!(p instanceof SecureDirectoryStream<Path> sp)) {
                throw new IOException("this file system cannot open directories safely (no SecureDirectoryStream)");
            }
            return new RootOnlyDirectory(path, sp.newDirectoryStream(path.getFileName(), LinkOption.NOFOLLOW_LINKS));
        }
    }

    /**
     * The directory {@code path} names with no symbolic link on the way: for a path someone else
     * chose (a runtime's command line), which must not lead into a directory of theirs through a
     * link. An ancestor swapped for a link between the check and the open can only lead to another
     * directory that is root's alone (what is opened is checked).
     */
    static RootOnlyDirectory openWithoutLinks(Path path) throws IOException {
        if (!path.isAbsolute() || !path.equals(path.normalize())) {
            throw new IOException(path + " is not an absolute path without . or ..: not trusted");
        }
        Path real = path.toRealPath();
        if (!real.equals(path)) {
            throw new IOException(path + " leads through a symbolic link (to " + real + "): not followed");
        }
        return open(real);
    }

    /**
     * The subdirectory {@code name}, checked as this one; when it is not a directory an IOException
     * saying what it is (a link is not followed; a FIFO is not opened: its open would block), a
     * {@link NotDirectoryException} for a regular file.
     */
    RootOnlyDirectory child(String name) throws IOException {
        PosixFileAttributes a = attributes(name);
        if (a.isRegularFile()) {
            throw new NotDirectoryException(path.resolve(name).toString());
        }
        if (!a.isDirectory()) {
            throw new IOException(path.resolve(name) + " is not a directory (" + what(a) + "): not opened");
        }
        return new RootOnlyDirectory(path.resolve(name), dir.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS));
    }

    /** The names of the entries that match. */
    List<String> names(Predicate<String> wanted) {
        List<String> out = new ArrayList<>();
        for (Path p : dir) {
            String n = p.getFileName().toString();
            if (wanted.test(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Whether an entry {@code name} exists (whatever it is: {@link #read} checks it). */
    boolean has(String name) throws IOException {
        try {
            attributes(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The content of the regular file {@code name}: IOException saying why when it is not root's, regular, at most max bytes. */
    byte[] read(String name, long max) throws IOException {
        PosixFileAttributes a = attributes(name);
        Path file = path.resolve(name);
        if (!a.isRegularFile()) {
            throw new IOException(file + " is not a regular file (" + what(a) + "): not opened");
        }
        if (!a.owner().getName().equals("root")) {
            throw new IOException(file + " is owned by " + a.owner().getName() + ", not root: not read");
        }
        if (a.size() > max) {
            throw new IOException(file + " is " + a.size() + " bytes, over " + max + ": not read");
        }
        try (SeekableByteChannel ch = dir.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) a.size());
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
                if (out.size() > max) { // grew since the check: root's own writer, still bounded
                    throw new IOException(file + " grew over " + max + " bytes while read");
                }
            }
            return out.toByteArray();
        }
    }

    private static String what(PosixFileAttributes a) {
        return a.isSymbolicLink() ? "a symbolic link" : a.isOther() ? "a FIFO, socket or device"
                : a.isDirectory() ? "a directory" : "a regular file";
    }

    private PosixFileAttributes attributes(String name) throws IOException {
        return dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    private static void refuseUnlessRootOnly(Path path, PosixFileAttributes a) throws IOException {
        if (!a.owner().getName().equals("root")) {
            throw new IOException(path + " is owned by " + a.owner().getName() + ", not root: not trusted");
        }
        if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
            throw new IOException(path + " is writable by group or others: not trusted");
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }
}
