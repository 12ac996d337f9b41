package io.eunomia.engine.enforce;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.LearnSelection;
import io.eunomia.profiler.Learner;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.SyscallUse;
import io.eunomia.profiler.kernel.KernelContainerDirectory;
import io.eunomia.profiler.kernel.KernelUsageSource;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import io.eunomia.testkit.SyscallProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the profile tests share: a busybox workload learned for real in runc (once per JVM), the
 * syscall probe mounted into containers at /probe, and small profiles made by hand for the probe.
 */
final class ProfileFixtures {
    /** The workload: files in /tmp, then it says it is done and sleeps (so the test can act after it). */
    static final String BASE = "mkdir -p /tmp/w && echo hello > /tmp/w/f && cat /tmp/w/f >/dev/null && ls -l /tmp/w >/dev/null";
    static final String DONE = "touch /done; exec sleep 30";

    /** Waits on things a loaded machine slows (container start, a JVM's pipeline): generous, they end at once when done. */
    static final java.time.Duration LONG_WAIT = java.time.Duration.ofMinutes(2);

    private static Learned learned;

    /** A learned profile file and the container name it was learned for. */
    record Learned(String container, Path file, Profile profile) {}

    private ProfileFixtures() {}

    static String workload(String extra) {
        return BASE + (extra.isEmpty() ? "" : " && " + extra) + "; " + DONE;
    }

    /** The container spec of a workload script, with the probe at /probe. */
    static ContainerSpec spec(String... args) {
        String probe = SyscallProbe.binary().toString();
        return ContainerSpec.of(args).withConfigEdit(cfg -> {
            ArrayNode mounts = (ArrayNode) cfg.get("mounts");
            ObjectNode m = mounts.addObject();
            m.put("destination", "/probe").put("type", "bind").put("source", probe);
            m.putArray("options").add("bind").add("ro");
        });
    }

    /**
     * The workload learned in a real runc container by the real learner (syscount and capability
     * maps, exec events), once per JVM (the file lives until the JVM ends); its name is reused by
     * the containers under test.
     */
    static synchronized Learned learned(Runc runc) throws Exception {
        if (learned != null) {
            return learned;
        }
        Path dir = Files.createTempDirectory("eunomia-learned-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> io.eunomia.testkit.Cleanup.unmountAndDelete(dir)));
        String name = Runc.uniqueId("enf-web");
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT, Sensor.CAP, Sensor.PROCESS)))) {
            KernelUsageSource source = KernelUsageSource.of(sensors);
            Learner learner = new Learner(source, new KernelContainerDirectory(sensors, ContainerSources.defaults()),
                    new LearnSelection(List.of(name), List.of(), false), Clock.systemUTC(), k -> Optional.empty());
            sensors.subscribe(e -> true, learner::accept);
            try (RunningContainer c = runc.start(name, spec("sh", "-c", workload("")))) {
                awaitDone(c);
                // The tests' workloads sleep too: the profile must hold the sleep's calls, so the learning
                // ends only once the sleep has entered them (not after a fixed time, which load outlasts).
                awaitAsleep(c);
                // The learner files a namespace once the sensors have named its container.
                long deadline = System.nanoTime() + LONG_WAIT.toNanos();
                while (learned(learner, name).isEmpty() && System.nanoTime() < deadline) {
                    learner.poll();
                    Thread.sleep(50);
                }
            }
            learner.poll();
            Profile p = learned(learner, name).orElseThrow(() -> new AssertionError("nothing learned for " + name
                    + "; learner saw " + learner.progress()));
            Path file = dir.resolve("learned.yaml");
            ProfileFiles.write(file, p);
            learned = new Learned(name, file, p);
            return learned;
        }
    }

    private static Optional<Profile> learned(Learner learner, String name) {
        return learner.profiles().stream().filter(x -> x.metadata().name().equals(name) && !x.arches().isEmpty()).findFirst();
    }

    static void awaitDone(RunningContainer c) throws InterruptedException {
        Path done = c.bundle().rootfs().resolve("done");
        long deadline = System.nanoTime() + LONG_WAIT.toNanos();
        while (!Files.exists(done) && System.nanoTime() < deadline) {
            Thread.sleep(25);
        }
        if (!Files.exists(done)) {
            throw new AssertionError(c + " did not finish its workload: " + c.stderr());
        }
    }

    /** Waits until the container's init, exec'd into {@code sleep}, blocks in its sleep call (/proc/PID/syscall). */
    private static void awaitAsleep(RunningContainer c) throws InterruptedException {
        Path comm = Path.of("/proc", Long.toString(c.pid()), "comm");
        Path syscall = Path.of("/proc", Long.toString(c.pid()), "syscall");
        int nanosleep = SyscallTable.of(Arch.X86_64).number("nanosleep").orElseThrow();
        int clockNanosleep = SyscallTable.of(Arch.X86_64).number("clock_nanosleep").orElseThrow();
        long deadline = System.nanoTime() + LONG_WAIT.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            try {
                String call = Files.readString(syscall).strip().split(" ")[0];
                seen = Files.readString(comm).strip() + " in " + call;
                if (seen.equals("sleep in " + nanosleep) || seen.equals("sleep in " + clockNanosleep)) {
                    return;
                }
            } catch (java.io.IOException gone) {
                seen = gone.toString();
            }
            Thread.sleep(25);
        }
        throw new AssertionError(c + " never slept after its workload (last seen: " + seen + "): " + c.stderr());
    }

    /** A profile for the probe alone: every x86_64 syscall but {@code forbidden}, /probe as the only executable. */
    static Path probeProfile(Path dir, String name, Set<String> forbidden) throws Exception {
        Instant now = Instant.now();
        TreeMap<String, SyscallUse> calls = new TreeMap<>();
        for (String s : SyscallTable.of(Arch.X86_64).names()) {
            if (!forbidden.contains(s)) {
                calls.put(s, new SyscallUse(s, now));
            }
        }
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        arches.put(Arch.X86_64, new ArchProfile(Arch.X86_64, calls, new TreeMap<>(), List.of()));
        TreeMap<String, Executable> exes = new TreeMap<>();
        exes.put("/probe", new Executable("/probe", new TreeSet<>(), 1, now));
        ProfileMetadata meta = new ProfileMetadata(name, "", new TreeSet<>(), List.of(), new TreeSet<>(), null, now, now, List.of());
        Path file = dir.resolve(name + ".yaml");
        ProfileFiles.write(file, new Profile(meta, arches, new TreeMap<>(), new TreeMap<>(), exes));
        return file;
    }
}
