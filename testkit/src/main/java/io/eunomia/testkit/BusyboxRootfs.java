package io.eunomia.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A minimal root file system made from the host's static busybox ({@code busybox-static}): {@code
 * /bin/busybox} plus one symlink per applet in {@code /bin}, {@code /etc/passwd}, {@code /etc/group},
 * {@code /tmp} (1777), {@code /root}, and the empty mount points {@code /proc /sys /dev /run}. Also a
 * tarball of it for {@code docker import} / {@code podman import}.
 *
 * <p>Built once per JVM ({@link #get()}) under a private temp directory deleted at JVM exit. Never
 * write into {@link #dir()}: use {@link #copyTo(Path)} for a container's own writable copy.
 */
public final class BusyboxRootfs {
    private static BusyboxRootfs instance;

    private final Path base;
    private final Path dir;
    private final Path tarball;
    private final List<String> applets;

    private BusyboxRootfs(Path base, Path dir, Path tarball, List<String> applets) {
        this.base = base;
        this.dir = dir;
        this.tarball = tarball;
        this.applets = applets;
    }

    /** The per-JVM root file system, built on first use. */
    public static synchronized BusyboxRootfs get() {
        if (instance == null) {
            instance = build();
        }
        return instance;
    }

    /** Root directory (read-only by convention). */
    public Path dir() {
        return dir;
    }

    /** Tarball of {@link #dir()} with numeric owners, rooted at {@code .}. */
    public Path tarball() {
        return tarball;
    }

    /** Applet names linked in {@code /bin}. */
    public List<String> applets() {
        return applets;
    }

    /** Copies the root file system (symlinks as symlinks, permissions kept) into {@code target}. */
    public void copyTo(Path target) {
        try {
            Files.createDirectories(target);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(dir.relativize(d).toString());
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(d));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Path t = target.resolve(dir.relativize(f).toString());
                    if (attrs.isSymbolicLink()) {
                        Files.createSymbolicLink(t, Files.readSymbolicLink(f));
                    } else {
                        Files.copy(f, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy busybox rootfs to " + target, e);
        }
    }

    /** The host's busybox, checked to be statically linked. */
    public static Path staticBusybox() {
        Path bb = null;
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
            if (Files.isExecutable(Path.of(p))) {
                bb = Path.of(p);
                break;
            }
        }
        if (bb == null) {
            throw new Binaries.MissingBinaryException("busybox", "busybox-static");
        }
        if (!isStaticElf(bb)) {
            throw new Binaries.MissingBinaryException(bb + " is dynamically linked and cannot run in an empty "
                    + "root file system: run 'apt-get install busybox-static' (Debian package busybox-static)");
        }
        return bb;
    }

    /** True when the ELF64 file has no PT_INTERP program header (no dynamic loader). */
    static boolean isStaticElf(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2) {
                return false; // not ELF64
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Short.toUnsignedInt(h.getShort(0x38));
            ByteBuffer ph = ByteBuffer.allocate(phentsize * phnum).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(ph, phoff);
            for (int i = 0; i < phnum; i++) {
                if (ph.getInt(i * phentsize) == 3) { // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BusyboxRootfs build() {
        Path busybox = staticBusybox();
        Path tar = Binaries.require("tar", "tar");
        Path base = Cleanup.newTempDir("rootfs");
        Cleanup.register(() -> Cleanup.unmountAndDelete(base));
        Path root = base.resolve("rootfs");
        try {
            for (String d : List.of("bin", "etc", "root", "proc", "sys", "dev", "run", "var", "usr/bin")) {
                Files.createDirectories(root.resolve(d));
            }
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
            Cmd.run(List.of("chmod", "1777", tmp.toString()), Map.of(), Duration.ofSeconds(10)).orThrow("chmod 1777 /tmp");
            Files.copy(busybox, root.resolve("bin/busybox"));
            Files.setPosixFilePermissions(root.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Result list = Cmd.run(List.of(busybox.toString(), "--list"), Map.of(), Duration.ofSeconds(10))
                    .orThrow("busybox --list");
            List<String> applets = new ArrayList<>();
            for (String a : list.stdout().split("\n")) {
                a = a.strip();
                if (a.isEmpty() || a.equals("busybox") || a.contains("/")) {
                    continue;
                }
                Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
                applets.add(a);
            }
            Files.createSymbolicLink(root.resolve("usr/bin/env"), Path.of("/bin/busybox"));
            Files.writeString(root.resolve("etc/passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Path tarball = base.resolve("rootfs.tar");
            Cmd.run(List.of(tar.toString(), "--numeric-owner", "-C", root.toString(), "-cf", tarball.toString(), "."),
                    Map.of(), Duration.ofSeconds(60)).orThrow("tar of the busybox rootfs");
            return new BusyboxRootfs(base, root, tarball, List.copyOf(applets));
        } catch (IOException e) {
            Cleanup.unmountAndDelete(base);
            throw new UncheckedIOException("cannot build the busybox rootfs in " + base, e);
        }
    }

    @Override
    public String toString() {
        return "BusyboxRootfs[" + base + "]";
    }
}
