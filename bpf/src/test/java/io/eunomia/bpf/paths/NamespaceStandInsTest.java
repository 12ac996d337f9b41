package io.eunomia.bpf.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.testkit.StallingMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's path call whose task and parent are gone at decode (issue 16): walked through a
 * live process of the same namespace, by number AND id. Over a /proc of the test's making: process
 * 42 in namespace 7 (id 3), its root with /tmp/e → /etc; the call's task 43 and parent 41 are gone.
 */
class NamespaceStandInsTest {
    private static final long NS = 7;
    private static final long ID = 3;
    @TempDir
    Path proc;
    private Path root;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Map<Integer, Long> ids = new ConcurrentHashMap<>();
    private TaskView tasks;
    private PathCallResolution stage;

    @BeforeEach
    void namespace() throws Exception {
        root = FakeTasks.task(proc, 42, NS);
        ids.put(42, ID);
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createSymbolicLink(root.resolve("tmp/e"), Path.of("/etc"));
        Files.writeString(proc.resolve("42/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        tasks = new TaskView(proc, pid -> ids.containsKey(pid) ? OptionalLong.of(ids.get(pid)) : OptionalLong.empty(), now::get);
        stage = new PathCallResolution(tasks, now::get, PathCallResolution.MAX_WALKS_PER_SECOND);
    }

    private static FileEvent rm(int pid, String path) {
        return rm(pid, NS, ID, path);
    }

    private static FileEvent rm(int pid, long mntns, long mntnsId, String path) {
        ProcessInfo p = new ProcessInfo(pid, pid, 41, 0, 0, 0, 0, "rm", "sh", mntns, mntnsId, 0, 1, ContainerInfo.UNRESOLVED);
        return new FileEvent(1L, p, FileOp.UNLINK, "unlink", path, "", 0, -1, -1, -1, 0, false);
    }

    @Test
    void aTaskGoneWithItsParentIsWalkedThroughALiveProcessOfItsNamespace() {
        FileEvent e = (FileEvent) stage.apply(rm(43, "/tmp/e/x"));
        assertThat(e.path()).isEqualTo("/etc/x");
        assertThat(e.pathGiven()).isEqualTo("/tmp/e/x");
        assertThat(stage.taskGone()).isZero();
        assertThat(stage.standIns()).isEqualTo(1);
        // The one found is kept: the next gone task of the namespace costs no pass over /proc.
        assertThat(((FileEvent) stage.apply(rm(44, "/tmp/e/y"))).path()).isEqualTo("/etc/y");
        assertThat(tasks.standInScans()).isEqualTo(1);
        assertThat(stage.standIns()).isEqualTo(2);
    }

    /**
     * The walk workers, the poller and the file-capability looks share one finder: a worker whose
     * kept stand-in is alive is served while another's look (a pass over /proc, the checks of its
     * candidates) is under way, not after it. Failed on the old code, which looked under the lock
     * (the kept namespace's find waited for the release: the 30 s bound is a hang's, not a timing).
     */
    @Test
    void aKeptStandInIsServedWhileAnotherNamespacesLookIsUnderWay() throws Exception {
        FakeTasks.task(proc, 52, NS + 1);
        NamespaceStandIns standIns = new NamespaceStandIns(proc, now::get);
        NamespaceStandIns.Membership byNumber = (pid, mntns, id) -> TaskView.number(proc, pid) == mntns;
        assertThat(standIns.find(NS, ID, byNumber)).isEqualTo(42);
        CountDownLatch looking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread slow = Thread.ofPlatform().start(() -> standIns.find(NS + 1, ID + 1, (pid, mntns, id) -> {
            looking.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return byNumber.test(pid, mntns, id);
        }));
        try {
            assertThat(looking.await(30, TimeUnit.SECONDS)).as("the other namespace's look started").isTrue();
            CompletableFuture<Integer> kept = CompletableFuture.supplyAsync(() -> standIns.find(NS, ID, byNumber));
            assertThat(kept.get(30, TimeUnit.SECONDS)).isEqualTo(42);
        } finally {
            release.countDown();
            slow.join();
        }
    }

    /**
     * The pass over /proc runs off the poller (issue 16): while one is stuck (an entry whose lookups
     * wait in the kernel, as below a hung FUSE daemon), the poller goes on. The gone task's call keeps
     * its text once the pass's wait is over (counted late), and another namespace's call right behind
     * it is walked while the pass is still under way. Failed on the old code, which made the pass on
     * the poller: the other namespace's call waited behind it until the mount went (the 30 s bound is
     * a hang's, not a timing). Once the pass ends, its result serves the namespace's next call.
     */
    @Test
    void thePollerDecodesAnotherNamespacesCallWhileAPassIsUnderWay() throws Exception {
        Path other = FakeTasks.task(proc, 60, NS + 1);
        Files.createDirectories(other.resolve("etc"));
        Files.createDirectories(other.resolve("tmp"));
        Files.createSymbolicLink(other.resolve("tmp/e"), Path.of("/etc"));
        Files.writeString(proc.resolve("60/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        ids.put(60, ID + 1);
        ExecutorService poller = Executors.newSingleThreadExecutor();
        try (StallingMount stuck = StallingMount.at(Files.createDirectories(proc.resolve("99")))) {
            Future<Event> gone = poller.submit(() -> stage.apply(rm(43, "/tmp/e/x")));
            Future<Event> live = poller.submit(() -> stage.apply(rm(60, NS + 1, ID + 1, "/tmp/e/y")));
            assertThat(live).as("the other namespace's call, decoded while the pass is stuck")
                    .succeedsWithin(Duration.ofSeconds(30))
                    .extracting(e -> ((FileEvent) e).path()).isEqualTo("/etc/y");
            assertThat(((FileEvent) gone.get()).path()).as("the text, the pass late").isEqualTo("/tmp/e/x");
            assertThat(tasks.standInsLate()).isEqualTo(1);
            assertThat(stage.taskGone()).isEqualTo(1);
            assertThat(tasks.standInScans()).isEqualTo(1);
        } finally {
            poller.shutdown();
            assertThat(poller.awaitTermination(60, TimeUnit.SECONDS)).as("the poller's calls ended").isTrue();
        }
        // The mount is gone: the pass ends (its stuck entry unreadable) and names 42 for the namespace's later calls.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!((FileEvent) stage.apply(rm(44, "/tmp/e/z"))).path().equals("/etc/z")) {
            assertThat(System.nanoTime()).as("the pass to end once its mount went").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(tasks.standInScans()).as("the late pass served: no second").isEqualTo(1);
    }

    /**
     * The namespace's number reused (the container exited, the next namespace made took its
     * number): that one's process is another container, never a stand-in; the text stays.
     */
    @Test
    void aProcessOfALaterNamespaceWithTheSameNumberDoesNotStandIn() {
        ids.put(42, ID + 1);
        FileEvent given = rm(43, "/tmp/e/x");
        assertThat(stage.apply(given)).isSameAs(given);
        assertThat(stage.taskGone()).isEqualTo(1);
        assertThat(stage.standIns()).isZero();
    }

    /** Without ids (a kernel before 6.8) a number alone names no stand-in: it may be the next namespace's. */
    @Test
    void noIdNoStandIn() {
        ids.clear();
        FileEvent given = rm(43, "/tmp/e/x");
        assertThat(stage.apply(given)).isSameAs(given);
        assertThat(stage.taskGone()).isEqualTo(1);
    }

    /**
     * Every task of the namespace gone (the container exited): its calls keep their text, counted,
     * and nothing of another namespace (the host's init) is walked for them. A later backlog of its
     * calls costs one pass over /proc per interval, not one per call.
     */
    @Test
    void aNamespaceWithNoTaskLeftKeepsTheTextAndIsCounted() throws Exception {
        Path init = FakeTasks.task(proc, 1, NS + 100);  // the host's, with the same link
        Files.createDirectories(init.resolve("tmp"));
        Files.createSymbolicLink(init.resolve("tmp/e"), Path.of("/etc"));
        ids.put(1, 1L);
        deleteTree(proc.resolve("42"));
        for (int i = 0; i < 5; i++) {
            FileEvent given = rm(43 + i, "/tmp/e/x");
            assertThat(stage.apply(given)).isSameAs(given);
        }
        assertThat(stage.taskGone()).isEqualTo(5);
        assertThat(stage.walks()).isZero();
        assertThat(tasks.standInScans()).isEqualTo(1);
        // A process that entered the namespace since (setns into a kept one) is found after the interval.
        root = FakeTasks.task(proc, 50, NS);
        Files.createDirectories(root.resolve("tmp/e"));
        Files.writeString(proc.resolve("50/mountinfo"), "26 1 254:0 / / rw - ext4 /dev/vda rw\n");
        ids.put(50, ID);
        now.addAndGet(NamespaceStandIns.SCAN_INTERVAL_NANOS);
        assertThat(((FileEvent) stage.apply(rm(60, "/tmp/e/x"))).path()).isEqualTo("/tmp/e/x");
        assertThat(stage.walks()).isEqualTo(1);
        assertThat(tasks.standInScans()).isEqualTo(2);
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
