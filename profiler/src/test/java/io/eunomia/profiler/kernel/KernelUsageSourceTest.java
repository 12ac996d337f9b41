package io.eunomia.profiler.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.SyscallUsage;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import io.eunomia.testkit.SyscallProbe;
import java.nio.file.Files;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kernel-backed source, loaded for real, reading a real runc container. */
class KernelUsageSourceTest {
    private static KernelSensors sensors;
    private static KernelUsageSource source;
    private static Runc runc;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.copyOf(KernelUsageSource.sensors())));
        source = KernelUsageSource.of(sensors);
        runc = new Runc();
    }

    @AfterAll
    static void unload() {
        if (runc != null) {
            runc.close();
        }
        if (sensors != null) {
            sensors.close();
        }
    }

    static Set<String> names(BitSet bits) {
        SyscallTable t = SyscallTable.of(Arch.current());
        Set<String> out = new TreeSet<>();
        bits.stream().forEach(nr -> out.add(t.nameOrNumber(nr)));
        return out;
    }

    @Test
    void runtimeSetUpIsKeptApartAndArgumentsAreRecorded() throws Exception {
        // The script ends by creating /done; the test waits for it, so everything before is in the maps.
        ContainerSpec spec = ContainerSpec.of("sh", "-c",
                "mkdir /d && chown 1:1 /d && nc 127.0.0.1 1 </dev/null 2>/dev/null; touch /done; sleep 30")
                .withConfigEdit(cfg -> {
                    // runc's default set has no CAP_CHOWN
                    var caps = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process").get("capabilities");
                    for (String set : new String[] {"bounding", "effective", "permitted"}) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) caps.get(set)).add("CAP_CHOWN");
                    }
                });
        try (RunningContainer c = runc.start(OciRuntime.uniqueId("learn-src"), spec)) {
            for (int i = 0; i < 200 && !Files.exists(c.bundle().rootfs().resolve("done")); i++) {
                Thread.sleep(25);
            }
            assertThat(c.bundle().rootfs().resolve("done")).exists();
            long mntns = Namespaces.mountNamespace(c.pid()).orElseThrow();
            // the newest namespace with that number is the container's
            long nsid = SyscallUsage.of(sensors).learned(mntns).orElseThrow().namespaceId();
            NamespaceUsage u = source.read(nsid).orElseThrow();
            assertThat(u.namespaceId()).isEqualTo(nsid);
            assertThat(u.mntns()).isEqualTo(mntns);
            NamespaceUsage.SyscallNumbers calls = u.syscalls().get(Arch.current());
            Set<String> workload = names(calls.workload());
            Set<String> setup = names(calls.runtime());
            assertThat(workload).contains("execve", "socket").containsAnyOf("mkdir", "mkdirat")
                    .containsAnyOf("chown", "fchownat", "lchown");
            // runc init switches the root and sets the process up in the container's namespace...
            assertThat(setup).contains("pivot_root", "execve");
            // ...none of which busybox does
            assertThat(workload).doesNotContain("pivot_root", "sethostname");
            assertThat(u.granted()).contains(Capability.CHOWN);
            // runc init mounts and pivots with CAP_SYS_ADMIN: the set-up's checks are not the workload's
            assertThat(u.granted()).doesNotContain(Capability.SYS_ADMIN);
            var socket = u.arguments().get(Arch.current());
            assertThat(socket).isNotNull();
            assertThat(socket.get(ArgumentSpec.SOCKET_FAMILY).values()).contains(2L);   // AF_INET
            assertThat(socket.get(ArgumentSpec.SOCKET_TYPE).values()).contains(1L);     // SOCK_STREAM

            source.forget(nsid);
            assertThat(source.read(nsid)).isEmpty();
        }
        assertThat(source.stats().syscallsNotRecorded()).isZero();
    }

    @Test
    void aFilelessProgramOfTheWorkloadIsTheWorkload() throws Exception {
        // The workload runs a memfd copy of the probe (execveat(memfd, "", AT_EMPTY_PATH)): a file
        // of shmem's internal mount, of no mount namespace, as fileless malware and packers run.
        // What that program does is the workload's: a profile without it breaks the application
        // under its seccomp profile and --cap-add set, and its monitor would not watch it.
        String personality = "personality";  // a query of the execution domain: nothing else in the container makes it
        int nr = SyscallTable.of(Arch.current()).number(personality).orElseThrow();
        ContainerSpec spec = ContainerSpec.of("sh", "-c",
                "touch /owned; /probe memexec chown /owned 4242 syscall " + nr + "; touch /done; sleep 30")
                .withConfigEdit(cfg -> {
                    var caps = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process").get("capabilities");
                    for (String set : new String[] {"bounding", "effective", "permitted"}) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) caps.get(set)).add("CAP_CHOWN");
                    }
                    var m = ((com.fasterxml.jackson.databind.node.ArrayNode) cfg.get("mounts")).addObject();
                    m.put("destination", "/probe").put("type", "bind").put("source", SyscallProbe.binary().toString());
                    m.putArray("options").add("bind").add("ro");
                });
        try (RunningContainer c = runc.start(OciRuntime.uniqueId("learn-memfd"), spec)) {
            for (int i = 0; i < 200 && !Files.exists(c.bundle().rootfs().resolve("done")); i++) {
                Thread.sleep(25);
            }
            assertThat(c.bundle().rootfs().resolve("done")).exists();
            // the memfd program ran and chowned (its own uid's file now: the chown was granted)
            assertThat(Files.getAttribute(c.bundle().rootfs().resolve("owned"), "unix:uid")).isEqualTo(4242);
            long mntns = Namespaces.mountNamespace(c.pid()).orElseThrow();
            long nsid = SyscallUsage.of(sensors).learned(mntns).orElseThrow().namespaceId();
            NamespaceUsage u = source.read(nsid).orElseThrow();
            NamespaceUsage.SyscallNumbers calls = u.syscalls().get(Arch.current());
            assertThat(names(calls.workload())).contains(personality, "execveat").containsAnyOf("chown", "fchownat");
            assertThat(names(calls.runtime())).doesNotContain(personality);
            assertThat(u.granted()).contains(Capability.CHOWN);
            assertThat(u.granted()).doesNotContain(Capability.SYS_ADMIN);
            source.forget(nsid);
        }
    }
}
