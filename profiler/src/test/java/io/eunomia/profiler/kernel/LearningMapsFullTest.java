package io.eunomia.profiler.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.profiler.LearnSelection;
import io.eunomia.profiler.Learner;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.UsageStats;
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
 * The learning maps, made small at load, filled for real by short-lived mount namespaces
 * ({@code unshare -m}, each checking a capability): what could not be kept is counted in the
 * kernel, and the learner says so in the profile it was learning and to whoever shows progress.
 */
class LearningMapsFullTest {
    static final int SYSCALL_ENTRIES = 64;
    static final int CAP_ENTRIES = 8;

    @Test
    void aFullMapIsCountedAndReported() throws Exception {
        SensorOptions options = SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT, Sensor.CAP, Sensor.PROCESS))
                .withMapEntries("syscalls_by_mntns", SYSCALL_ENTRIES).withMapEntries("cap_usage", CAP_ENTRIES);
        try (KernelSensors sensors = KernelSensors.start(options); Runc runc = new Runc()) {
            KernelUsageSource source = KernelUsageSource.of(sensors);
            source.containersOnly();
            assertThat(source.stats().capacity()).isEqualTo(SYSCALL_ENTRIES);
            assertThat(source.stats().capCapacity()).isEqualTo(CAP_ENTRIES);
            String id = OciRuntime.uniqueId("learn-full");
            Learner learner = new Learner(source, new KernelContainerDirectory(sensors, ContainerSources.defaults()),
                    new LearnSelection(List.of(id), List.of(), false), Clock.systemUTC(), k -> Optional.empty());
            try (RunningContainer c = runc.start(id, List.of("sleep", "60"))) {
                awaitLearning(learner, id);
                assertThat(learner.drainWarnings()).isEmpty();
                UsageStats before = source.stats();

                // More namespaces than either map holds, each making calls and a capability check
                // (CAP_SYS_NICE for a negative nice value), all before the learner reads again.
                for (int i = 0; i < 3 * Math.max(SYSCALL_ENTRIES, CAP_ENTRIES); i++) {
                    Process p = new ProcessBuilder("unshare", "-m", "nice", "-n", "-1", "true")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).isZero();
                }
                UsageStats after = source.stats();
                assertThat(after.syscallsNotRecorded()).isGreaterThan(before.syscallsNotRecorded());
                assertThat(after.capEvicted()).isGreaterThan(before.capEvicted());

                learner.poll();
                List<String> warnings = learner.drainWarnings();
                assertThat(warnings).anyMatch(w -> w.startsWith("the kernel's learning maps were full"))
                        .anyMatch(w -> w.startsWith("the kernel's capability map was full"));
                Profile p = learner.profiles().stream().filter(x -> x.metadata().name().equals(id)).findFirst().orElseThrow();
                assertThat(p.metadata().warnings()).contains(
                        "the kernel's learning maps were full: some calls were not recorded",
                        "the kernel's capability map was full: some capability checks may be missing");
                assertThat(learner.stats()).hasValueSatisfying(s -> assertThat(s.capEvicted()).isEqualTo(after.capEvicted()));
            }
        }
    }

    /** Polls until the container is learned (its namespace filed under its profile). */
    private static void awaitLearning(Learner learner, String id) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            learner.poll();
            if (learner.progress().stream().anyMatch(p -> p.name().equals(id) && p.activeContainers() > 0 && p.syscalls() > 0)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("container " + id + " was not learned: " + learner.progress());
    }
}
