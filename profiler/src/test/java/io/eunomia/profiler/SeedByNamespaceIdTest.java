package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.libbpf.Libc;
import io.eunomia.profiler.kernel.KernelContainerDirectory;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The learner looks at running namespaces for selected containers that made no call yet: by
 * number and id. A learned container's namespace died and the kernel gave its number to the next
 * namespace (here an `unshare -m`, no container at all): that one is not the learned container.
 * Real sensors, a real runc container, real namespaces (as ReusedNamespaceNumberTest).
 */
class SeedByNamespaceIdTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    @Test
    void aLiveNamespaceWithADeadContainersNumberIsNotThatContainer() throws Exception {
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.PROCESS))
                .withContainers(ContainerSources.defaults()));
             Runc runc = new Runc()) {
            KernelContainerDirectory directory = new KernelContainerDirectory(sensors, ContainerSources.defaults());
            String id = OciRuntime.uniqueId("eun-seed");
            long number;
            long deadId;
            try (RunningContainer a = runc.start(id, List.of("sh", "-c", "cat /etc/hostname; exec sleep 60"))) {
                number = Namespaces.mountNamespace(a.pid()).orElseThrow();
                deadId = Libc.mountNamespaceId(a.pid()).orElseThrow();
                long deadline = System.nanoTime() + WAIT_NANOS;
                // Named from its events, so the registry knows it after it is gone.
                while (sensors.containers().seen().stream().noneMatch(s -> s.mntnsId() == deadId && s.container().id().equals(id))) {
                    assertThat(System.nanoTime() < deadline).as("container %s named from its events", id).isTrue();
                    Thread.sleep(50);
                }
            }
            try (Unshared next = Unshared.withNumber(number)) {
                assertThat(next.id()).isNotEqualTo(deadId);
                assertThat(directory.liveNamespaces()).contains(new ContainerDirectory.Namespace(number, next.id()))
                        .doesNotContain(new ContainerDirectory.Namespace(number, deadId));
                Learner learner = new Learner(new LearnerTest.Source(), directory, new LearnSelection(List.of(id), List.of(), false),
                        Clock.systemUTC(), k -> Optional.empty());
                learner.poll();
                assertThat(learner.activeNamespaces()).as("namespace %d (id %d) taken for dead %s (id %d)", number, next.id(), id, deadId)
                        .isZero();
                assertThat(learner.profiles()).isEmpty();
            }
        }
    }

    /** A process in a mount namespace of its own (no container), with the number asked for. */
    private record Unshared(Process process, long id) implements AutoCloseable {
        /** Other processes of this host create namespaces too: tries until the dead one's number is given again. */
        static Unshared withNumber(long number) throws Exception {
            long host = Namespaces.hostMountNamespace();
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (System.nanoTime() < deadline) {
                Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sleep", "60").start();
                long ns = host;
                while (ns == host && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    ns = Namespaces.mountNamespace(p.pid()).orElse(host);
                }
                if (ns == number) {
                    return new Unshared(p, Libc.mountNamespaceId(p.pid()).orElseThrow());
                }
                p.destroyForcibly();
                p.waitFor(60, TimeUnit.SECONDS);
                Thread.sleep(20);   // the container's namespace may not be freed yet
            }
            throw new AssertionError("mount namespace number " + number + " was not given again within 90 s");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
