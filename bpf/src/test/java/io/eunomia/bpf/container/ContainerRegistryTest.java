package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's bookkeeping, over a /proc tree written by the test and a test clock. */
class ContainerRegistryTest {
    private static final long HOST_NS = 4026531841L;
    private static final long REUSED_NS = 4026532177L;
    private static final String ID_A = "a".repeat(64);
    private static final String ID_B = "b".repeat(64);

    @TempDir
    Path proc;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private ContainerRegistry registry;

    @TempDir
    Path state;

    @BeforeEach
    void setUp() {
        ContainerResolver resolver = new ContainerResolver(
                new ContainerSources(List.of(new ContainerSources.StateRoot(state, "runc")), List.of()),
                new ProcFs(proc), Duration.ofMillis(100));
        registry = new ContainerRegistry(resolver, HOST_NS, 4, clock::get);
    }

    /** A runc container as runc records it: STATE/ID/state.json naming its init pid. */
    private void runcContainer(String id, int initPid) throws Exception {
        Path dir = Files.createDirectories(state.resolve(id));
        Files.writeString(dir.resolve("state.json"),
                "{\"id\":\"" + id + "\",\"init_process_pid\":" + initPid + ",\"config\":{\"labels\":[]}}");
    }

    private void process(int pid, long mntns, String cgroupPath) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("ns"));
        Files.writeString(proc.resolve(Integer.toString(pid)).resolve("cgroup"), "12:cpuset:" + cgroupPath + "\n0::/\n");
        Files.deleteIfExists(dir.resolve("mnt"));
        Files.createSymbolicLink(dir.resolve("mnt"), Path.of("mnt:[" + mntns + "]"));
    }

    @Test
    void hostNamespaceIsHostWithoutLookingAnythingUp() {
        assertThat(registry.attribute(1, HOST_NS, 1, true)).isEqualTo(ContainerInfo.HOST);
        assertThat(registry.resolutions()).isZero();
    }

    @Test
    void aReusedNamespaceNumberNeverInheritsTheOldIdentity() throws Exception {
        process(100, REUSED_NS, "/" + ID_A);
        runcContainer(ID_A, 100);
        ContainerInfo first = registry.attribute(100, REUSED_NS, 7, true);
        assertThat(first.id()).isEqualTo(ID_A);
        assertThat(first.runtime()).isEqualTo("runc");

        // The first container is gone; a new one gets the same inode number but a new namespace id.
        Files.walk(proc.resolve("100")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        process(200, REUSED_NS, "/" + ID_B);
        runcContainer(ID_B, 200);
        assertThat(registry.attribute(200, REUSED_NS, 8, true).id()).isEqualTo(ID_B);
        // Late events of the first keep its identity.
        assertThat(registry.attribute(100, REUSED_NS, 7, false).id()).isEqualTo(ID_A);
    }

    @Test
    void cacheHitsDoNotResolveAgain() throws Exception {
        process(100, REUSED_NS, "/" + ID_A);
        runcContainer(ID_A, 100);
        for (int i = 0; i < 100; i++) {
            registry.attribute(100, REUSED_NS, 7, i % 10 == 0);
        }
        assertThat(registry.resolutions()).isEqualTo(1);
        assertThat(registry.seen()).singleElement().satisfies(s -> assertThat(s.events()).isEqualTo(100));
    }

    @Test
    void aContainerKnownOnlyByItsCgroupIsHeldUntilTheWindowEnds() throws Exception {
        // A docker cgroup, but no Docker API to name it: pending, then the id alone, re-checked rarely.
        process(400, 4026532500L, "/docker/" + ID_B);
        assertThat(registry.attribute(400, 4026532500L, 11, true)).isSameAs(ContainerRegistry.PENDING);
        clock.addAndGet(Duration.ofMillis(250).toNanos());
        ContainerInfo late = registry.attribute(400, 4026532500L, 11, false);
        assertThat(late.id()).isEqualTo(ID_B);
        assertThat(late.runtime()).isEqualTo("docker");
        long before = registry.resolutions();
        for (int i = 0; i < 50; i++) {
            registry.attribute(400, 4026532500L, 11, false);
        }
        assertThat(registry.resolutions()).isEqualTo(before);
    }

    @Test
    void aVanishedNamespaceNeverTakesTheIdentityOfANewOneWithItsNumber() throws Exception {
        // A host process in a private namespace (unshare -m) ends while its events wait...
        process(500, 4026532600L, "/user.slice/session-1.scope");
        assertThat(registry.attribute(500, 4026532600L, 20, false)).isSameAs(ContainerRegistry.PENDING);
        Files.walk(proc.resolve("500")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        // ...and a new container gets the same namespace number.
        process(600, 4026532600L, "/" + ID_A);
        runcContainer(ID_A, 600);
        registry.attribute(600, 4026532600L, 21, true); // the new namespace, its own id
        clock.addAndGet(Duration.ofMillis(10).toNanos());
        assertThat(registry.settle(4026532600L, 20).id()).isNotEqualTo(ID_A);
        clock.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(registry.settle(4026532600L, 20)).isEqualTo(ContainerInfo.HOST); // what it was seen to be
        assertThat(registry.attribute(600, 4026532600L, 21, false).id()).isEqualTo(ID_A);
    }

    @Test
    void anUnclaimedNamespaceIsPendingThenHost() throws Exception {
        process(300, 4026532300L, "/user.slice/session-1.scope");
        assertThat(registry.attribute(300, 4026532300L, 9, false)).isSameAs(ContainerRegistry.PENDING);
        clock.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(registry.settle(4026532300L, 9)).isEqualTo(ContainerInfo.HOST);
    }

    @Test
    void aNamespaceWhoseProcessVanishedIsCountedUnresolved() {
        assertThat(registry.attribute(999, 4026532400L, 10, false)).isSameAs(ContainerRegistry.PENDING);
        clock.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(registry.attribute(999, 4026532400L, 10, false)).isEqualTo(ContainerInfo.UNRESOLVED);
        assertThat(registry.unresolvedEvents()).isEqualTo(1);
    }

    @Test
    void entriesAreBoundedOldestFirst() throws Exception {
        for (int i = 0; i < 10; i++) {
            String id = "c" + i;
            process(1000 + i, 4026533000L + i, "/" + id);
            runcContainer(id, 1000 + i);
            clock.addAndGet(1_000);
            registry.attribute(1000 + i, 4026533000L + i, 100 + i, true);
        }
        assertThat(registry.seen()).hasSizeLessThanOrEqualTo(4);
        assertThat(registry.evictions()).isPositive();
        assertThat(registry.seen()).extracting(ContainerRegistry.Seen::mntnsId).contains(109L);
    }
}
