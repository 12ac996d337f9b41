package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.libbpf.RootLookup;
import io.eunomia.testkit.StallingMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedInodesTest {
    @Test
    void theDeviceIsTheKernelsNumberMajorShiftedTwentyBitsOrMinor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("shadow"), "s");
        long stDev = (long) Files.getAttribute(dir.resolve("shadow"), "unix:dev");
        // glibc's gnu_dev_major/minor (sys/sysmacros.h) of stat's st_dev, as MKDEV(major, minor).
        long major = ((stDev >>> 8) & 0xfff) | ((stDev >>> 32) & ~0xfffL);
        long minor = (stDev & 0xff) | ((stDev >>> 12) & 0xffffff00L);
        assertThat(WatchedInodes.files(List.of(dir + "/shadow")).get(dir + "/shadow").dev()).isEqualTo((major << 20) | minor);
    }

    @Test
    void aPrefixNamesTheFileTheFilesOfADirectoryOrThoseStartingWithIt(@TempDir Path dir) throws Exception {
        Path ssh = Files.createDirectory(dir.resolve("ssh"));
        Files.writeString(ssh.resolve("id_rsa"), "k");
        Files.writeString(ssh.resolve("id_rsa.pub"), "p");
        Files.writeString(ssh.resolve("known_hosts"), "h");
        Path sudoers = Files.createDirectory(dir.resolve("sudoers.d"));
        Files.writeString(sudoers.resolve("admins"), "a");
        Files.createDirectory(sudoers.resolve("sub"));
        Files.writeString(dir.resolve("shadow"), "s");
        Files.createSymbolicLink(dir.resolve("shadow-link"), dir.resolve("shadow"));

        Map<String, WatchedInodes.File> files = WatchedInodes.files(List.of(
                dir + "/shadow", ssh + "/id_", sudoers + "/", dir + "/missing", dir + "/sha\0dow"));

        assertThat(files.keySet()).containsExactlyInAnyOrder(dir + "/shadow", ssh + "/id_rsa", ssh + "/id_rsa.pub",
                sudoers + "/admins");
        WatchedInodes.File shadow = files.get(dir + "/shadow");
        assertThat(shadow.ino()).isEqualTo(Files.getAttribute(dir.resolve("shadow"), "unix:ino"));
        // A rename into a prefix refreshes; elsewhere nothing.
        assertThat(WatchedInodes.renamedInto(dir + "/shadow", java.util.Optional.of(List.of(dir + "/shadow")))).isTrue();
        assertThat(WatchedInodes.renamedInto("/tmp/x", java.util.Optional.of(List.of(dir + "/shadow")))).isFalse();
    }

    @Test
    void aRootsSystemDirectoriesAreWalkedWithoutFollowingLinksAndNamedAsItSeesThem(@TempDir Path root) throws Exception {
        Path etc = Files.createDirectories(root.resolve("etc/cron.d"));
        Files.writeString(root.resolve("etc/crontab"), "c");
        Files.writeString(etc.resolve("job"), "j");
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/tool"), "t");
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(root.resolve("etc/outside"), Path.of("/etc/shadow"));
        Files.createDirectories(root.resolve("opt"));
        Files.writeString(root.resolve("opt/other"), "o");

        Map<String, WatchedInodes.File> files = WatchedInodes.systemFiles(root, 100);

        assertThat(files.keySet()).containsExactlyInAnyOrder("/etc/crontab", "/etc/cron.d/job", "/usr/bin/tool");
        assertThat(files.get("/etc/crontab").ino()).isEqualTo(Files.getAttribute(root.resolve("etc/crontab"), "unix:ino"));
        assertThat(WatchedInodes.systemFiles(root, 1)).hasSize(1);
        assertThat(WatchedInodes.watchedPath("/etc/cron.d/job", java.util.Optional.empty())).isTrue();
        assertThat(WatchedInodes.watchedPath("/etcetera/x", java.util.Optional.empty())).isFalse();
    }

    @Test
    void aPathCalledUnsafeIsNeverLookedAtSoAStalledMountThereHoldsNothing(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/shadow"), "s");
        Path stall = Files.createDirectories(root.resolve("etc/stall"));
        try (StallingMount stalled = StallingMount.at(stall)) {
            Predicate<String> unsafe = p -> p.equals("/etc/stall");
            assertThat(WatchedInodes.systemFiles(root, 100, unsafe).keySet()).containsExactly("/etc/shadow");
            assertThat(WatchedInodes.files(root, List.of("/etc/stall/", "/etc/shadow"), 100, unsafe).keySet())
                    .containsExactly("/etc/shadow");
        }
    }

    @Test
    void aContainersLinksResolveInsideItsRootNeverAtTheHosts(@TempDir Path tmp) throws Exception {
        // The "host": a directory outside the root with files a container must not get watched as its own.
        Path host = Files.createDirectories(tmp.resolve("host/secret"));
        Files.writeString(host.resolve("id_rsa"), "host key");
        Files.writeString(host.resolve("shadow"), "host shadow");
        Path root = Files.createDirectories(tmp.resolve("root/etc"));
        // /etc/ssh an absolute link to the host's directory, /etc/sudoers.d a ".." escape,
        // /root/.ssh a link inside the root (followed there), /usr/bin a link to the host's directory.
        Files.createSymbolicLink(root.resolve("ssh"), host);
        Files.createSymbolicLink(root.resolve("sudoers.d"), Path.of("../".repeat(12) + host.toString().substring(1)));
        Files.createSymbolicLink(root.resolve("shadow"), host.resolve("shadow"));
        Path realSsh = Files.createDirectories(tmp.resolve("root/opt/keys"));
        Files.writeString(realSsh.resolve("id_ed25519"), "container key");
        Files.createDirectories(tmp.resolve("root/root"));
        Files.createSymbolicLink(tmp.resolve("root/root/.ssh"), Path.of("/opt/keys"));
        Files.createDirectories(tmp.resolve("root/usr"));
        Files.createSymbolicLink(tmp.resolve("root/usr/bin"), host);
        Path cRoot = tmp.resolve("root");

        Map<String, WatchedInodes.File> files = WatchedInodes.files(cRoot,
                List.of("/etc/ssh/id_", "/etc/sudoers.d/", "/etc/shadow", "/etc/ssh/id_rsa", "/root/.ssh/id_"), 100);
        assertThat(files.keySet()).containsExactly("/root/.ssh/id_ed25519");
        assertThat(files.get("/root/.ssh/id_ed25519").ino()).isEqualTo(Files.getAttribute(realSsh.resolve("id_ed25519"), "unix:ino"));
        assertThat(WatchedInodes.systemFiles(cRoot, 100)).isEmpty();
    }

    @Test
    void aDirectorySwappedForALinkDuringTheLookupsNeverLeadsOutOfTheRoot(@TempDir Path tmp) throws Exception {
        // The "host": a directory outside the root holding a file of the same name as the container's.
        Path host = Files.createDirectories(tmp.resolve("host/sub"));
        Files.writeString(host.resolve("inside"), "host");
        Path etc = Files.createDirectories(tmp.resolve("root/etc"));
        Path sub = Files.createDirectory(etc.resolve("sub"));
        Files.writeString(sub.resolve("inside"), "container");
        Path root = tmp.resolve("root");
        Object insideIno = Files.getAttribute(sub.resolve("inside"), "unix:ino");
        Object hostIno = Files.getAttribute(host.resolve("inside"), "unix:ino");
        // The container flips /etc/sub between its directory and a link out of the root (absolute or "..").
        Path aside = etc.resolve("sub.aside");
        Path absolute = Files.createSymbolicLink(etc.resolve("abs"), host);
        Path up = Files.createSymbolicLink(etc.resolve("up"), Path.of("../".repeat(12) + host.toString().substring(1)));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong flips = new AtomicLong();
        Thread flipper = Thread.ofPlatform().start(() -> {
            try {
                for (long i = 0; !stop.get(); i++) {
                    Path link = i % 2 == 0 ? absolute : up;
                    Files.move(sub, aside, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(link, sub, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(sub, link, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(aside, sub, StandardCopyOption.ATOMIC_MOVE);
                    flips.incrementAndGet();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        int found = 0;
        try {
            long deadline = System.nanoTime() + 3_000_000_000L;
            for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
                List<WatchedInodes.File> seen = new java.util.ArrayList<>(WatchedInodes.systemFiles(root, 100).values());
                seen.addAll(WatchedInodes.files(root, List.of("/etc/sub/", "/etc/sub/inside"), 100).values());
                for (WatchedInodes.File f : seen) {
                    assertThat(f.ino()).isEqualTo(insideIno).isNotEqualTo(hostIno);
                    assertThat(f.path()).isIn("/etc/sub/inside", "/etc/sub.aside/inside");  // the walk may meet it set aside
                    found++;
                }
                Optional<String> read = RootLookup.readRegular(root, "/etc/sub/inside", Files::readString);
                read.ifPresent(text -> assertThat(text).isEqualTo("container"));
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        // Every correct outcome passes (found or not, per lookup); the race itself must have run.
        assertThat(flips.get()).isPositive();
        System.out.println("swapped " + flips.get() + " times; the container's file found " + found + " times");
    }

    @Test
    void theValueIsThePathPaddedThenTheOwningNamespacesKey() {
        long owner = ContainerWatchedInodes.flagKey(4026532177L, 0);  // the number with the top bit: no id
        byte[] v = WatchedInodes.value("/etc/shadow", owner);
        assertThat(v).hasSize(WatchedInodes.NAME_MAX + 8);
        assertThat(new String(v, 0, 11, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("/etc/shadow");
        assertThat(v[11]).isZero();
        assertThat(java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).getLong(WatchedInodes.NAME_MAX))
                .isEqualTo(owner);
        assertThat(WatchedInodes.ownerOf(v)).isEqualTo(owner);
        assertThat(WatchedInodes.ownerOf(WatchedInodes.value("/etc/shadow", 12345))).isEqualTo(12345);
    }
}
