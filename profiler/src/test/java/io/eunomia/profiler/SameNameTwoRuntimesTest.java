package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.CapEvent;
import io.eunomia.event.ExecEvent;
import io.eunomia.profiler.kernel.KernelContainerDirectory;
import io.eunomia.profiler.kernel.KernelUsageSource;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `learn --container NAME` where two containers have the name, one of runc and one of crun, with
 * one image (so one profile key): the first filed claims the profile, the other is not mixed into
 * it and is warned about. Real sensors, real runc and crun containers.
 */
class SameNameTwoRuntimesTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    @Test
    void theSecondContainerOfANameIsNotMixedIntoTheFirstOnesProfile() throws Exception {
        String name = OciRuntime.uniqueId("eun-same");
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(java.util.EnumSet.copyOf(KernelUsageSource.sensors()))
                .withContainers(ContainerSources.defaults()));
             Runc runc = new Runc();
             Crun crun = new Crun()) {
            KernelUsageSource source = KernelUsageSource.of(sensors);
            source.containersOnly();
            Learner learner = new Learner(source, new KernelContainerDirectory(sensors, ContainerSources.defaults()),
                    new LearnSelection(List.of(name), List.of(), false), Clock.systemUTC(), k -> Optional.empty());
            List<String> warnings = new ArrayList<>();
            try (var sub = sensors.subscribe(e -> e instanceof ExecEvent || e instanceof CapEvent, learner::accept)) {
                try (RunningContainer first = runc.start(name, spec("mkdir /tmp/first"))) {
                    awaitDone(first, learner, warnings);
                    awaitProfile(learner, warnings, p -> p.metadata().containerIds().contains(name));
                }
                try (RunningContainer second = crun.start(name, spec("sync"))) {
                    awaitDone(second, learner, warnings);
                    long deadline = System.nanoTime() + WAIT_NANOS;
                    while (warnings.stream().noneMatch(w -> w.contains("(crun, id " + name + ")"))) {
                        assertThat(System.nanoTime() < deadline).as("the crun container warned about; warnings: %s", warnings)
                                .isTrue();
                        poll(learner, warnings);
                    }
                }
            }
            List<Profile> profiles = learner.profiles();
            assertThat(profiles).singleElement().satisfies(p -> {
                assertThat(p.metadata().runtimes()).extracting(RuntimeInfo::name).containsExactly("runc");
                assertThat(p.arch(io.eunomia.abi.Arch.X86_64).workload().keySet()).doesNotContain("sync");
            });
        }
    }

    /** busybox: a call that tells the two apart, then /done, then sleep; one image for both. */
    private static ContainerSpec spec(String call) {
        return ContainerSpec.of("sh", "-c", call + "; touch /done; exec sleep 60")
                .withAnnotation("org.opencontainers.image.ref.name", "eunomia-same-image:1");
    }

    private static void awaitDone(RunningContainer c, Learner learner, List<String> warnings) throws InterruptedException {
        Path done = c.bundle().rootfs().resolve("done");
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!Files.exists(done)) {
            assertThat(System.nanoTime() < deadline).as("%s ran its script", c.id()).isTrue();
            poll(learner, warnings);
        }
    }

    private static void awaitProfile(Learner learner, List<String> warnings, java.util.function.Predicate<Profile> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (learner.profiles().stream().noneMatch(p)) {
            assertThat(System.nanoTime() < deadline).as("profile learned").isTrue();
            poll(learner, warnings);
        }
    }

    private static void poll(Learner learner, List<String> warnings) throws InterruptedException {
        Thread.sleep(100);
        learner.poll();
        warnings.addAll(learner.drainWarnings());
    }
}
