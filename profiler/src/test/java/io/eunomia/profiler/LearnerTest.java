package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.event.CapEvent;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamKind;
import io.eunomia.profiler.LearnSelection.ProfileKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Learning logic on snapshots given by the test (no kernel). */
class LearnerTest {
    static final SyscallTable X64 = SyscallTable.of(Arch.X86_64);
    static final SyscallTable X86 = SyscallTable.of(Arch.X86);

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-02T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Usage the test sets, as the kernel maps would hold it. */
    static final class Source implements UsageSource {
        final Map<Long, NamespaceUsage> usage = new HashMap<>();
        final Set<Long> forgotten = new HashSet<>();
        long notRecorded;
        long capEvicted;

        void set(long mntns, long nsid, List<String> workload, List<String> setup) {
            set(mntns, nsid, workload, setup, Set.of(), Map.of());
        }

        void set(long mntns, long nsid, List<String> workload, List<String> setup, Set<Capability> granted,
                 Map<Arch, Map<ArgumentSpec, NamespaceUsage.ObservedValues>> args) {
            usage.put(nsid, new NamespaceUsage(mntns, nsid,
                    Map.of(Arch.X86_64, new NamespaceUsage.SyscallNumbers(bits(X64, workload), bits(X64, setup))),
                    granted, Set.of(), args));
        }

        @Override
        public Arch nativeArch() {
            return Arch.X86_64;
        }

        @Override
        public Map<Long, Long> namespaces() {
            Map<Long, Long> out = new HashMap<>();
            usage.forEach((id, u) -> out.put(id, u.mntns()));
            return out;
        }

        @Override
        public Optional<NamespaceUsage> read(long nsid) {
            return Optional.ofNullable(usage.get(nsid));
        }

        @Override
        public void forget(long nsid) {
            usage.remove(nsid);
            forgotten.add(nsid);
        }

        @Override
        public UsageStats stats() {
            return new UsageStats(usage.size(), 4096, notRecorded, 0, 0, 8192, capEvicted, 0, 16384, 0);
        }
    }

    /** Containers the test declares. */
    static final class Directory implements ContainerDirectory {
        final Map<String, ContainerInfo> byNs = new HashMap<>();
        final Set<Long> alive = new HashSet<>();
        /** The id of the namespace that has each live number (the last added). */
        final Map<Long, Long> liveIds = new HashMap<>();

        void add(long mntns, long nsid, ContainerInfo c) {
            byNs.put(mntns + "/" + nsid, c);
            alive.add(mntns);
            liveIds.put(mntns, nsid);
        }

        @Override
        public Optional<ContainerInfo> container(long mntns, long namespaceId) {
            return Optional.ofNullable(byNs.get(mntns + "/" + namespaceId));
        }

        @Override
        public boolean alive(long mntns, long namespaceId) {
            return alive.contains(mntns);
        }

        @Override
        public boolean isHost(long mntns) {
            return mntns == 1;
        }

        @Override
        public Set<Namespace> liveNamespaces() {
            Set<Namespace> out = new HashSet<>();
            alive.forEach(n -> out.add(new Namespace(n, liveIds.getOrDefault(n, 0L))));
            return out;
        }

        /** Containers whose runtime state is not written yet (runtime() says "unknown"), and who waits for it. */
        final Map<String, List<java.util.function.Consumer<RuntimeInfo>>> notWritten = new HashMap<>();

        @Override
        public RuntimeInfo runtime(ContainerInfo c) {
            return notWritten.containsKey(c.id()) ? new RuntimeInfo("unknown", "", c.runtime())
                    : new RuntimeInfo("runc", "1.1.5", c.runtime().equals("runc") ? "" : c.runtime());
        }

        @Override
        public void whenRuntimeFound(ContainerInfo c, java.util.function.Consumer<RuntimeInfo> found) {
            if (notWritten.containsKey(c.id())) {
                notWritten.get(c.id()).add(found);
            } else {
                found.accept(runtime(c));
            }
        }

        /** The runtime writes its state: those waiting are told (as the kernel directory does at a scan). */
        void stateWritten(ContainerInfo c) {
            notWritten.remove(c.id()).forEach(w -> w.accept(runtime(c)));
        }

        @Override
        public Optional<Boolean> noNewPrivs(int pid) {
            return Optional.of(pid == 42);
        }

        @Override
        public Optional<String> sha256(int pid, String exe) {
            return Optional.of("ab".repeat(32));
        }
    }

    static BitSet bits(SyscallTable t, List<String> names) {
        BitSet b = new BitSet();
        names.forEach(n -> b.set(t.number(n).orElseThrow()));
        return b;
    }

    static ContainerInfo container(String id, String name, String image) {
        return new ContainerInfo(id, name, image, "docker", "", "");
    }

    final TestClock clock = new TestClock();
    final Source source = new Source();
    final Directory dir = new Directory();

    Learner learner(LearnSelection sel) {
        return new Learner(source, dir, sel, clock, k -> Optional.empty());
    }

    static LearnSelection containers(String... refs) {
        return new LearnSelection(List.of(refs), List.of(), false);
    }

    @Test
    void aContainerThatStartsLaterIsLearnedWithItsSetUpApart() {
        Learner l = learner(containers("web"));
        l.poll();
        assertThat(l.profiles()).isEmpty();
        assertThat(l.stable(Duration.ZERO)).as("waiting for the container is not stable").isFalse();

        ContainerInfo web = container("a".repeat(64), "web", "nginx:1");
        dir.add(100, 7, web);
        source.set(100, 7, List.of("read", "mkdir"), List.of("pivot_root", "read"));
        clock.advance(Duration.ofSeconds(1));
        l.poll();
        Profile p = l.profiles().getFirst();
        assertThat(p.metadata().name()).isEqualTo("web");
        assertThat(p.metadata().image()).isEqualTo("nginx:1");
        assertThat(p.metadata().containerIds()).containsExactly("a".repeat(64));
        assertThat(p.metadata().runtimes()).containsExactly(new RuntimeInfo("runc", "1.1.5", "docker"));
        assertThat(p.arch(Arch.X86_64).workload()).containsOnlyKeys("read", "mkdir");
        assertThat(p.arch(Arch.X86_64).runtime()).containsOnlyKeys("pivot_root", "read");
        assertThat(p.arch(Arch.X86_64).workload().get("mkdir").firstSeen()).isEqualTo(clock.now);
    }

    @Test
    void aRuntimeFoundAfterTheFirstEventsReplacesUnknownWhenTheDirectoryTellsIt() {
        Learner l = learner(containers("pod"));
        ContainerInfo pod = new ContainerInfo("b".repeat(64), "pod", "alpine:3", "podman", "", "");
        dir.notWritten.put(pod.id(), new ArrayList<>());
        dir.add(100, 7, pod);
        source.set(100, 7, List.of("read"), List.of());
        l.poll();
        assertThat(l.profiles().getFirst().metadata().runtimes()).containsExactly(new RuntimeInfo("unknown", "", "podman"));
        assertThat(dir.notWritten.get(pod.id())).as("the learner waits for it, asking nothing more").hasSize(1);

        dir.stateWritten(pod);
        clock.advance(Duration.ofSeconds(1));
        l.poll();
        assertThat(l.profiles().getFirst().metadata().runtimes()).containsExactly(new RuntimeInfo("runc", "1.1.5", "podman"));
    }

    @Test
    void aReusedNamespaceNumberNeverInheritsAProfile() {
        Learner l = learner(new LearnSelection(List.of(), List.of(), true));
        ContainerInfo first = container("1".repeat(64), "first", "img:1");
        dir.add(100, 7, first);
        source.set(100, 7, List.of("mkdir"), List.of());
        l.poll();
        // first ends; a new namespace gets its number (the source keys them by id)
        dir.alive.remove(100L);
        l.poll();
        ContainerInfo second = container("2".repeat(64), "second", "img:1");
        dir.add(100, 8, second);
        source.set(100, 8, List.of("getpid"), List.of());
        clock.advance(Duration.ofSeconds(1));
        l.poll();
        Map<String, Profile> byName = new HashMap<>();
        l.profiles().forEach(p -> byName.put(p.metadata().name(), p));
        assertThat(byName.get("first").arch(Arch.X86_64).workload()).containsOnlyKeys("mkdir");
        assertThat(byName.get("second").arch(Arch.X86_64).workload()).containsOnlyKeys("getpid");
        assertThat(byName.get("second").metadata().containerIds()).containsExactly("2".repeat(64));
    }

    @Test
    void theSameNameAndImageContinuesItsProfile() {
        ProfileMetadata m = new ProfileMetadata("web", "nginx:1", new java.util.TreeSet<>(), List.of("old"),
                new java.util.TreeSet<>(), null, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T01:00:00Z"),
                List.of());
        Profile earlier = Profile.empty(m).union(Profile.empty(m));
        var calls = new java.util.TreeMap<String, SyscallUse>();
        calls.put("read", new SyscallUse("read", m.learnedFrom()));
        earlier = new Profile(m, new java.util.TreeMap<>(Map.of(Arch.X86_64, new ArchProfile(Arch.X86_64, calls,
                new java.util.TreeMap<>(), List.of()))), new java.util.TreeMap<>(), new java.util.TreeMap<>(),
                new java.util.TreeMap<>());
        Profile seed = earlier;
        Learner l = new Learner(source, dir, containers("web"), clock,
                k -> k.equals(new ProfileKey("web", "nginx:1")) ? Optional.of(seed) : Optional.empty());
        dir.add(100, 7, container("b".repeat(64), "web", "nginx:1"));
        source.set(100, 7, List.of("read", "write"), List.of());
        l.poll();
        Profile p = l.profiles().getFirst();
        assertThat(p.metadata().learnedFrom()).isEqualTo(m.learnedFrom());
        assertThat(p.metadata().containerIds()).containsExactly("old", "b".repeat(64));
        assertThat(p.arch(Arch.X86_64).workload().get("read").firstSeen()).isEqualTo(m.learnedFrom());
        assertThat(p.arch(Arch.X86_64).workload().get("write").firstSeen()).isEqualTo(clock.now);
    }

    @Test
    void goneNamespacesAreReadOnceMoreThenForgotten() {
        Learner l = learner(containers("web"));
        dir.add(100, 7, container("c".repeat(64), "web", ""));
        dir.add(200, 9, container("d".repeat(64), "other", ""));
        source.set(100, 7, List.of("read"), List.of());
        source.set(200, 9, List.of("read"), List.of());
        l.poll();
        source.set(100, 7, List.of("read", "exit_group"), List.of());
        dir.alive.clear();
        l.poll();
        assertThat(l.profiles().getFirst().arch(Arch.X86_64).workload()).containsKey("exit_group");
        assertThat(source.forgotten).containsExactlyInAnyOrder(7L, 9L);
        assertThat(l.activeNamespaces()).isZero();
    }

    @Test
    void aRunningContainerThatMadeNoCallYetHasItsProfileAtOnce() {
        Learner l = learner(containers("idle"));
        dir.add(500, 0, container("9".repeat(64), "idle", "img:1"));
        l.poll();
        assertThat(l.progress()).singleElement().satisfies(p -> assertThat(p.activeContainers()).isEqualTo(1));
        // its first calls then arrive under its namespace id, into the same profile
        dir.byNs.put("500/77", dir.byNs.get("500/0"));
        source.set(500, 77, List.of("read"), List.of());
        l.poll();
        assertThat(l.profiles()).singleElement().satisfies(p -> {
            assertThat(p.metadata().containerIds()).containsExactly("9".repeat(64));
            assertThat(p.arch(Arch.X86_64).workload()).containsOnlyKeys("read");
        });
    }

    @Test
    void namelessDeadNamespacesAreDroppedAfterAGrace() {
        Learner l = learner(containers("web"));
        source.set(300, 3, List.of("read"), List.of());
        l.poll();
        assertThat(source.forgotten).isEmpty();
        clock.advance(Learner.RESOLVE_GRACE);
        l.poll();
        assertThat(source.forgotten).containsExactly(3L);
    }

    @Test
    void imageSelectionPutsEveryContainerOfTheImageInOneProfile() {
        Learner l = learner(new LearnSelection(List.of(), List.of("busybox"), false));
        dir.add(100, 7, container("e".repeat(64), "one", "docker.io/library/busybox:latest"));
        dir.add(101, 8, container("f".repeat(64), "two", "busybox:latest"));
        dir.add(102, 9, container("0".repeat(64), "three", "alpine:3"));
        source.set(100, 7, List.of("mkdir"), List.of());
        source.set(101, 8, List.of("rmdir"), List.of());
        source.set(102, 9, List.of("chown"), List.of());
        l.poll();
        assertThat(l.profiles()).hasSize(1);
        Profile p = l.profiles().getFirst();
        assertThat(p.metadata().name()).isEqualTo("busybox");
        assertThat(p.metadata().containerIds()).hasSize(2);
        assertThat(p.arch(Arch.X86_64).workload()).containsOnlyKeys("mkdir", "rmdir");
    }

    @Test
    void eventsAddExecutablesUsersAndCapabilityDetails() {
        Learner l = learner(containers("web"));
        ContainerInfo web = container("a".repeat(64), "web", "nginx:1");
        dir.add(100, 7, web);
        source.set(100, 7, List.of("chown"), List.of(), Set.of(Capability.CHOWN), Map.of(Arch.X86_64,
                Map.of(ArgumentSpec.SOCKET_FAMILY, new NamespaceUsage.ObservedValues(Set.of(2L, 1L), false))));
        ProcessInfo proc = new ProcessInfo(42, 42, 1, 1000, 1000, 1000, 1000, "sh", 100, 7, 1, 1, web);
        l.accept(new ExecEvent(1, proc, 42, "/bin/busybox", List.of("sh"), 1, false, "", StreamKind.PIPE,
                StreamKind.PIPE, StreamKind.PIPE, 0));
        l.accept(new ExecEvent(2, proc, 42, "/bin/busybox", List.of("mkdir"), 1, false, "", StreamKind.PIPE,
                StreamKind.PIPE, StreamKind.PIPE, 0));
        l.accept(new ExecEvent(3, proc, 42, "/bin/nope", List.of("nope"), 1, false, "", StreamKind.PIPE,
                StreamKind.PIPE, StreamKind.PIPE, -2));
        l.poll();
        l.accept(new CapEvent(4, proc, Capability.CHOWN.number(), "CAP_CHOWN", true, "fchownat", 0, 0, 2));
        assertThat(l.profiles().getFirst().capsGranted().get(Capability.CHOWN).count()).as("filed at the next poll").isNull();
        l.poll();
        Profile p = l.profiles().getFirst();
        assertThat(p.executables()).containsOnlyKeys("/bin/busybox");
        assertThat(p.executables().get("/bin/busybox").count()).isEqualTo(2);
        assertThat(p.executables().get("/bin/busybox").sha256()).containsExactly("ab".repeat(32));
        assertThat(p.metadata().userIds()).containsExactly(1000);
        assertThat(p.metadata().noNewPrivs()).isTrue();
        CapabilityUse chown = p.capsGranted().get(Capability.CHOWN);
        assertThat(chown.count()).isEqualTo(3);
        assertThat(chown.syscalls().get(Arch.X86_64)).containsExactly("fchownat");
        assertThat(p.arch(Arch.X86_64).argument(ArgumentSpec.SOCKET_FAMILY).orElseThrow().values()).containsExactly(1L, 2L);
    }

    @Test
    void stableOnlyAfterQuietSinceTheLastNewItem() {
        Learner l = learner(containers("web"));
        dir.add(100, 7, container("a".repeat(64), "web", ""));
        source.set(100, 7, List.of("read"), List.of());
        l.poll();
        clock.advance(Duration.ofSeconds(5));
        source.set(100, 7, List.of("read", "write"), List.of());
        l.poll();
        clock.advance(Duration.ofSeconds(4));
        l.poll();
        assertThat(l.stable(Duration.ofSeconds(5))).isFalse();
        assertThat(l.progress().getFirst().sinceLastNew()).isEqualTo(Duration.ofSeconds(4));
        clock.advance(Duration.ofSeconds(1));
        l.poll();
        assertThat(l.stable(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aFullMapMarksTheProfilesItMayHaveCut() {
        Learner l = learner(containers("web"));
        dir.add(100, 7, container("a".repeat(64), "web", ""));
        source.set(100, 7, List.of("read"), List.of());
        l.poll();
        source.notRecorded = 3;
        l.poll();
        assertThat(l.profiles().getFirst().metadata().warnings()).singleElement().asString().contains("full");
    }

    @Test
    void anEvictionFromTheCapabilityMapMarksTheProfilesToo() {
        Learner l = learner(containers("web"));
        dir.add(100, 7, container("a".repeat(64), "web", ""));
        source.set(100, 7, List.of("read"), List.of());
        l.poll();
        assertThat(l.profiles().getFirst().metadata().warnings()).isEmpty();
        source.capEvicted = 2;
        l.poll();
        l.poll();   // reported once per new eviction, not on every poll
        assertThat(l.profiles().getFirst().metadata().warnings()).singleElement().asString()
                .contains("capability map was full");
        assertThat(l.drainWarnings()).singleElement().asString().contains("2 namespaces dropped");
        assertThat(l.drainWarnings()).isEmpty();
    }

    @Test
    void compatCallsAreNamedByTheirOwnTable() {
        Learner l = learner(containers("web"));
        dir.add(100, 7, container("a".repeat(64), "web", ""));
        // ia32 20 is getpid; x86_64 20 is writev
        source.usage.put(7L, new NamespaceUsage(100, 7, Map.of(Arch.X86, new NamespaceUsage.SyscallNumbers(
                bits(X86, List.of("getpid")), new BitSet())), Set.of(), Set.of(), Map.of()));
        l.poll();
        Profile p = l.profiles().getFirst();
        assertThat(p.arch(Arch.X86).workload()).containsOnlyKeys("getpid");
        assertThat(p.arch(Arch.X86_64).workload()).isEmpty();
    }
}
