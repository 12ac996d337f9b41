package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.LoadedSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events from real runc and crun containers carry the container's identity. */
class OciContainerAttributionTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String IMAGE = "registry.example/eunomia/busybox:1.36";
    @RegisterExtension
    static final LoadedSensors SENSORS = LoadedSensors.shared(Sensor.PROCESS, Sensor.FILE);
    private static EventLog log;
    /** The log is shared: each test looks only at the events after it began. */
    private static Recorder.Mark testStart;

    @BeforeAll
    static void subscribe() {
        log = new EventLog(SENSORS.get());
    }

    @AfterAll
    static void unsubscribe() {
        if (log != null) {
            log.close();  // the sensors go on to other classes
        }
    }

    @BeforeEach
    void markTestStart() {
        testStart = log.mark();
    }

    @Test
    void runcContainerEventsCarryItsIdentity() throws Exception {
        try (Runc runc = new Runc()) {
            assertLongRunningContainerAttributed(runc, "runc");
        }
    }

    @Test
    void crunContainerEventsCarryItsIdentity() throws Exception {
        try (Crun crun = new Crun()) {
            assertLongRunningContainerAttributed(crun, "crun");
        }
    }

    @Test
    void fiftyMillisecondRuncContainerIsAttributed() throws Exception {
        try (Runc runc = new Runc()) {
            assertShortLivedAttributed(runc, "runc");
        }
    }

    @Test
    void fiftyMillisecondCrunContainerIsAttributed() throws Exception {
        try (Crun crun = new Crun()) {
            assertShortLivedAttributed(crun, "crun");
        }
    }

    @Test
    void theKernelsDescriptionOfTheNamespaceIsWhatProcShows() throws Exception {
        try (Runc runc = new Runc()) {
            String id = OciRuntime.uniqueId("eun-nsid");
            try (RunningContainer c = runc.start(id, ContainerSpec.of("sh", "-c", "cat /etc/hostname; exec sleep 30"))) {
                ExecEvent cat = await(ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(1).equals("/etc/hostname")
                        && id.equals(e.process().container().id()));
                NamespaceIdentity ns = SENSORS.get().containers().identity(cat.process().mntns(), cat.process().mntnsId())
                        .orElseThrow();
                List<String> proc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(c.pid()), "cgroup"));
                assertThat(proc).contains("0::" + ns.cgroupV2());
                assertThat(ns.cgroupV2()).endsWith("/" + id);
                if (!ns.v1Controller().isEmpty()) {
                    assertThat(proc).anySatisfy(line -> assertThat(line).matches("\\d+:([a-z_]+,)*" + ns.v1Controller()
                            + "(,[a-z_]+)*:" + java.util.regex.Pattern.quote(ns.cgroupV1())));
                    assertThat(ns.cgroupV1()).endsWith("/" + id);
                }
                // Captured while runc created it: runc is the process above, in another cgroup.
                assertThat(ns.ociRuntime()).hasValueSatisfying(r -> assertThat(r.runtime()).isEqualTo("runc"));
                assertThat(ns.placedByRuntime()).isTrue();
                assertThat(ns.cgroupV2Id()).isEqualTo(cat.process().cgroupId());
            }
        }
    }

    @Test
    void hostProcessIsHost() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        long pid = p.pid();
        p.waitFor();
        ExecEvent exec = await(ExecEvent.class, e -> e.process().pid() == pid);
        assertThat(exec.process().container()).isEqualTo(ContainerInfo.HOST);
    }

    private void assertLongRunningContainerAttributed(OciRuntime runtime, String engine) throws Exception {
        String id = OciRuntime.uniqueId("eun-" + engine);
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "cat /etc/passwd > /dev/null; exec sleep 30")
                .withAnnotation("org.opencontainers.image.ref.name", IMAGE)
                .withAnnotation("io.kubernetes.pod.name", "web-7d9f")
                .withAnnotation("io.kubernetes.pod.namespace", "shop");
        try (RunningContainer c = runtime.start(id, spec)) {
            ExecEvent cat = await(ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                    && e.argv().get(1).equals("/etc/passwd") && id.equals(e.process().container().id()));
            ContainerInfo info = cat.process().container();
            assertThat(info.name()).isEqualTo(id);
            assertThat(info.runtime()).isEqualTo(engine);
            assertThat(info.image()).isEqualTo(IMAGE);
            assertThat(info.podName()).isEqualTo("web-7d9f");
            assertThat(info.podNamespace()).isEqualTo("shop");
            assertThat(cat.exe()).isEqualTo("/bin/busybox"); // the container's own path, not the host's
            assertThat(cat.process().ppid()).isEqualTo(c.pid()); // a child of the container's init

            FileEvent open = await(FileEvent.class, e -> e.op() == FileOp.OPEN && e.path().equals("/etc/passwd")
                    && e.process().pid() == cat.process().pid());
            assertThat(open.process().container()).isEqualTo(info);
            assertThat(open.process().mntns()).isEqualTo(cat.process().mntns());
        }
    }

    private void assertShortLivedAttributed(OciRuntime runtime, String engine) throws Exception {
        String id = OciRuntime.uniqueId("eun-short-" + engine);
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "cat /etc/hostname; sleep 0.05")
                .withAnnotation("org.opencontainers.image.ref.name", IMAGE);
        long start = System.nanoTime();
        Result r = runtime.run(id, spec, Duration.ofSeconds(30));
        System.out.printf("%s short-lived container ran %d ms%n", engine, (System.nanoTime() - start) / 1_000_000);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        ExecEvent cat = await(ExecEvent.class, e -> e.argv().size() > 1 && e.argv().get(0).equals("cat")
                && e.argv().get(1).equals("/etc/hostname") && id.equals(e.process().container().id()));
        assertThat(cat.process().container().runtime()).isEqualTo(engine);
        // The image comes from the bundle's config.json, found through the runtime's state dir or its
        // command line; a 50 ms container may be gone before either is read (README, limits): then the
        // image is unknown (empty), never another container's.
        assertThat(cat.process().container().image()).isIn(IMAGE, "");
        // Every event of that namespace is attributed, including the ones before and after cat.
        List<Event> ofContainer = log.since(testStart).stream()
                .filter(e -> e.process().mntnsId() == cat.process().mntnsId()).toList();
        assertThat(ofContainer).allSatisfy(e -> assertThat(e.process().container().id()).isEqualTo(id));
    }

    private static <E extends Event> E await(Class<E> type, Predicate<? super E> match) throws InterruptedException {
        return log.await(testStart, type, match, WAIT);
    }
}
