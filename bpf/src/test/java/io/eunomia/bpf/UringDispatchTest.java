package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.UringDispatch;
import io.eunomia.event.FileEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.libbpf.BpfProgram;
import io.eunomia.testkit.EvasionProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared io_uring dispatcher (uring_dispatch.bpf.c) follows the sensors switched on and off at
 * run time: each attached sensor's ring handlers sit in their opcodes' slots, a detached one's
 * slots are empty, a sensor loaded later plugs in, and the dispatcher is attached while any sensor
 * with handlers is. Ring requests reach exactly the sensors attached, once each.
 */
class UringDispatchTest {
    /** Under load a sensor's first records can take long: one overall wait, returned from as soon as the event comes. */
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int OPENAT = 18;
    private static final int READ = 22;
    private static final int SENDMSG = 9;
    private static final int RENAMEAT = 35;
    private static final int LISTEN = 57;

    @Test
    void eachAttachedSensorsHandlersTakeTheirOpcodesAndRingRequestsReachThem() throws Exception {
        try (KernelSensors ks = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.FILE)));
             EventCollector events = new EventCollector(ks, e -> e instanceof FileEvent || e instanceof NetEvent)) {
            UringDispatch d = ks.uringDispatcher().orElseThrow();
            assertThat(d.attached()).isTrue();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, OPENAT)).contains(id(ks, Sensor.FILE, "io_uring_file_submitted"));
            assertThat(d.slotProgramId(UringDispatch.COMPLETE, RENAMEAT)).contains(id(ks, Sensor.FILE, "io_uring_open_done"));
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, SENDMSG)).as("no net sensor yet").isEmpty();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, READ)).as("nobody watches ring reads").isEmpty();
            assertThat(d.slotProgramId(UringDispatch.COMPLETE, READ)).isEmpty();

            // A sensor loaded at run time plugs its handlers into the same dispatcher.
            assertThat(ks.attach(Sensor.NET)).isTrue();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, SENDMSG)).contains(id(ks, Sensor.NET, "io_uring_net_submitted"));
            assertThat(d.slotProgramId(UringDispatch.COMPLETE, LISTEN)).contains(id(ks, Sensor.NET, "io_uring_net_done"));
            long connect = ringCall("uring-connect", "127.0.0.1", "9");
            events.await(NetEvent.class, n -> n.process().pid() == connect && n.syscall().equals("io_uring_enter"), WAIT);

            // Detached: its slots are empty, the other sensor's stay.
            assertThat(ks.detach(Sensor.FILE)).isTrue();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, OPENAT)).isEmpty();
            assertThat(d.slotProgramId(UringDispatch.COMPLETE, RENAMEAT)).isEmpty();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, SENDMSG)).isPresent();
            assertThat(d.attached()).as("NET is still attached").isTrue();
            long hidden = ringCall("uring", "/etc/shadow");
            long seen = ringCall("uring-connect", "127.0.0.1", "9");
            events.await(NetEvent.class, n -> n.process().pid() == seen, WAIT);

            // Attached again: its handlers are back, and a ring open is reported once.
            assertThat(ks.attach(Sensor.FILE)).isTrue();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, OPENAT)).contains(id(ks, Sensor.FILE, "io_uring_file_submitted"));
            long again = ringCall("uring", "/etc/shadow");
            events.await(FileEvent.class, f -> f.process().pid() == again && f.path().equals("/etc/shadow"), WAIT);
            // One record per sensor that is sure to come after the open's, so the open's would be in by now.
            long last = ringCall("uring-connect", "127.0.0.1", "9");
            events.await(NetEvent.class, n -> n.process().pid() == last, WAIT);
            assertThat(events.drain()).noneMatch(e -> e.process().pid() == hidden);
            assertThat(events.drain()).filteredOn(e -> e instanceof FileEvent f && f.process().pid() == again
                    && f.syscall().equals("io_uring_enter"))
                    .as("the handler runs once, from the dispatcher, never attached itself").hasSize(1);

            // No sensor with handlers left: the dispatcher is detached, every slot empty.
            assertThat(ks.detach(Sensor.NET)).isTrue();
            assertThat(ks.detach(Sensor.FILE)).isTrue();
            assertThat(d.attached()).isFalse();
            assertThat(d.slotProgramId(UringDispatch.SUBMIT, SENDMSG)).isEmpty();
            assertThat(d.slotProgramId(UringDispatch.COMPLETE, OPENAT)).isEmpty();
            assertThat(ks.attach(Sensor.NET)).isTrue();
            assertThat(d.attached()).isTrue();
        }
        try (KernelSensors none = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS)))) {
            assertThat(none.uringDispatcher()).as("the process sensor has no ring handlers").isEmpty();
        }
    }

    /** Runs the probe to its end (its result is not what is tested: a refused connect is reported too). */
    private static long ringCall(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(EvasionProbe.binary().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("%s ended", cmd).isTrue();
        return p.pid();
    }

    /** The kernel's id of a sensor's program (a program array slot holds it). */
    private static int id(KernelSensors ks, Sensor sensor, String program) throws Exception {
        BpfProgram p = ks.object(sensor).program(program);
        Optional<String> line = Files.readAllLines(Path.of("/proc/self/fdinfo/" + p.fd())).stream()
                .filter(l -> l.startsWith("prog_id:")).findFirst();
        return Integer.parseInt(line.orElseThrow().substring("prog_id:".length()).strip());
    }
}
