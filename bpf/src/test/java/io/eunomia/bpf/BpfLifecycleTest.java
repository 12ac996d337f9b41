package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.InParallel;
import io.eunomia.libbpf.BpfException;
import io.eunomia.libbpf.BpfObject;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Ownership and failure of BPF objects, checked against the kernel itself. */
class BpfLifecycleTest {

    @Test
    void closingLeavesNothingOfOursInTheKernel() throws Exception {
        KernelResources.Ids before = KernelResources.held();
        KernelResources.Ids ours;
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)).withCompatCalls(true))) {
            ours = KernelResources.held().minus(before);
            int programs = sensors.object(Sensor.PROCESS).programs().size();
            // The shared 32-bit dispatcher's pair is attached; the sensor's compat programs are tail-called from it.
            int dispatcher = (int) sensors.compatProgramFds().keySet().stream().filter(k -> k.startsWith("compat32:")).count();
            int tailCalled = sensors.compatProgramFds().size() - dispatcher;
            assertThat(dispatcher).isEqualTo(2);
            assertThat(ours.progs()).hasSize(programs + dispatcher);
            assertThat(ours.links()).hasSize(programs - tailCalled + dispatcher);
            assertThat(ours.maps()).isNotEmpty();
            for (long id : ours.progs()) {
                assertThat(KernelResources.existsInKernel("prog", id)).as("prog %d while loaded", id).isTrue();
            }
        }
        // The kernel frees programs, maps and links from work queues after RCU grace periods once the last
        // reference goes: usually within a second, far longer on a loaded VM. One overall deadline of minutes
        // for all of them; something still referenced never goes, so a leak still fails.
        long deadline = System.currentTimeMillis() + 180_000;
        for (long id : ours.progs()) {
            assertThat(KernelResources.goneWithin("prog", id, left(deadline))).as("prog %d after close", id).isTrue();
        }
        for (long id : ours.maps()) {
            assertThat(KernelResources.goneWithin("map", id, left(deadline))).as("map %d after close", id).isTrue();
        }
        for (long id : ours.links()) {
            assertThat(KernelResources.goneWithin("link", id, left(deadline))).as("link %d after close", id).isTrue();
        }
        assertThat(KernelResources.held().minus(before).progs()).isEmpty();
    }

    @Test
    void closingInBackgroundReturnsAtOnceAndTheKernelDetachesTheRest() throws Exception {
        KernelResources.Ids before = KernelResources.held();
        KernelResources.Ids ours;
        KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS, Sensor.FILE)));
        int leftToKernel;
        long tracepoints;
        try {
            ours = KernelResources.held().minus(before);
            tracepoints = sensors.sensors().stream().flatMap(s -> sensors.object(s).programs().values().stream())
                    .filter(p -> p.autoload() && p.sectionName().startsWith("tracepoint/")).count();
            assertThat(tracepoints).isGreaterThan(20); // the file sensor's per-syscall tracepoints
        } finally {
            leftToKernel = sensors.closeInBackground();
        }
        // Every syscall tracepoint link went to the kernel's worker, and this JVM holds nothing.
        assertThat(leftToKernel).isEqualTo(tracepoints);
        assertThat(KernelResources.held().minus(before).links()).isEmpty();
        assertThat(KernelResources.held().minus(before).progs()).isEmpty();
        // ...which detaches them by itself, without this JVM doing anything more. Each syscall tracepoint's
        // release waits for RCU grace periods, one link after another: 5-8 s for ~30 links usually, over 60 s
        // once in CI under load. A link someone still held would never go, so a leak still fails.
        long deadline = System.currentTimeMillis() + 180_000;
        for (long id : ours.links()) {
            assertThat(KernelResources.goneWithin("link", id, left(deadline))).as("link %d after close", id).isTrue();
        }
        for (long id : ours.progs()) {
            // a program goes after its links, one more grace period later
            long left = Math.max(10_000, deadline - System.currentTimeMillis());
            assertThat(KernelResources.goneWithin("prog", id, left)).as("prog %d after close", id).isTrue();
        }
    }

    /** What is left of an overall deadline, at least one look (a last id is still looked at once past it). */
    private static long left(long deadline) {
        return Math.max(1, deadline - System.currentTimeMillis());
    }

    @Test
    void corruptObjectGivesClearOpenError() throws Exception {
        byte[] real = resource("/io/eunomia/bpf/process.bpf.o");
        byte[] truncated = Arrays.copyOf(real, real.length / 3);
        assertThatThrownBy(() -> BpfObject.open("process-truncated.bpf.o", truncated).close())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("open of BPF object process-truncated.bpf.o")
                .hasMessageContaining("errno");
        byte[] garbage = "this is not an ELF file".getBytes();
        assertThatThrownBy(() -> BpfObject.open("garbage.bpf.o", garbage).close())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("garbage.bpf.o")
                .hasMessageContaining("not a valid BPF ELF object");
    }

    @Test
    void verifierRejectionNamesTheObjectAndShowsTheLog() throws Exception {
        try (BpfObject obj = BpfObject.open("rejected.bpf.o", resource("/io/eunomia/bpf/rejected.bpf.o"))) {
            assertThatThrownBy(obj::load)
                    .isInstanceOf(BpfException.class)
                    .satisfies(e -> {
                        BpfException b = (BpfException) e;
                        assertThat(b.operation()).isEqualTo("load");
                        assertThat(b.returnValue()).isNegative();
                        assertThat(b.errno()).isPositive();
                        assertThat(b.verifierLog()).contains("invalid access to map value");
                        assertThat(b.getMessage()).contains("rejected.bpf.o").contains("verifier log");
                    });
        }
    }

    /**
     * Sensors load in parallel at start-up (KernelSensors): two rejected objects verified at once,
     * between two good ones, each fail with their own name and exactly the log they have when
     * loaded alone (but for their maps' addresses) (libbpf writes each object's log to its own buffer); the failure thrown is the
     * first in the tasks' order, the other suppressed, and the good objects are closed.
     */
    @Test
    void objectsVerifiedInParallelKeepTheirOwnErrorAndLog() throws Exception {
        String mapValue = "invalid access to map value";
        String nullValue = "invalid mem access 'map_value_or_null'";
        String aloneMapValue = rejectionAlone("rejected.bpf.o");
        String aloneNull = rejectionAlone("rejected_null.bpf.o");
        assertThat(aloneMapValue).contains(mapValue).doesNotContain(nullValue);
        assertThat(aloneNull).contains(nullValue).doesNotContain(mapValue);
        List<String> closed = new ArrayList<>();
        List<InParallel.Task<BpfObject>> tasks = Stream.of("process.bpf.o", "rejected.bpf.o", "file.bpf.o", "rejected_null.bpf.o")
                .map(name -> new InParallel.Task<>(name, () -> openAndLoad(name))).toList();
        assertThatThrownBy(() -> InParallel.run(tasks, o -> {
            closed.add(o.name());
            o.close();
        })).isInstanceOf(BpfException.class).satisfies(e -> {
            BpfException first = (BpfException) e;
            assertThat(first.getMessage()).contains("rejected.bpf.o").doesNotContain("rejected_null");
            assertThat(withoutAddresses(first.verifierLog())).isEqualTo(aloneMapValue);
            assertThat(first.getSuppressed()).singleElement().isInstanceOf(BpfException.class).satisfies(s -> {
                assertThat(s.getMessage()).contains("rejected_null.bpf.o");
                assertThat(withoutAddresses(((BpfException) s).verifierLog())).isEqualTo(aloneNull);
            });
        });
        assertThat(closed).containsExactly("process.bpf.o", "file.bpf.o");
    }

    private static String rejectionAlone(String name) throws Exception {
        try (BpfObject obj = BpfObject.open(name, resource("/io/eunomia/bpf/" + name))) {
            Throwable rejection = catchThrowable(obj::load);
            assertThat(rejection).as("%s loaded alone", name).isInstanceOf(BpfException.class);
            return withoutAddresses(((BpfException) rejection).verifierLog());
        }
    }

    /** A log with its kernel addresses (each load's own maps) left out: the rest is the same every load. */
    private static String withoutAddresses(String log) {
        return log.replaceAll("0xffff[0-9a-f]{12}", "ADDRESS");
    }

    /** Opens and loads a packaged object on the calling thread; closes it when the load fails. */
    private static BpfObject openAndLoad(String name) {
        BpfObject obj;
        try {
            obj = BpfObject.open(name, resource("/io/eunomia/bpf/" + name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // The good objects' 32-bit call programs stay out (the file sensor's take most of its verifier time).
        for (String compat : CallDispatchers.COMPAT_PROGRAMS) {
            Optional.ofNullable(obj.programs().get(compat)).ifPresent(p -> p.setAutoload(false));
        }
        try {
            obj.load();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    @Test
    void attachingBeforeLoadIsRefused() throws Exception {
        try (BpfObject obj = BpfObject.open("process.bpf.o", resource("/io/eunomia/bpf/process.bpf.o"))) {
            assertThatThrownBy(() -> obj.program("handle_exec").attach())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("load process.bpf.o before attaching handle_exec");
            assertThat(obj.program("handle_exec").sectionName()).isEqualTo("tp_btf/sched_process_exec");
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = BpfLifecycleTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
