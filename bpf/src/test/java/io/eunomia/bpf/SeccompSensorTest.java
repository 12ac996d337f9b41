package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Capability;
import io.eunomia.abi.Errno;
import io.eunomia.abi.SyscallTable;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seccomp sensor on real runc containers: a call the filter refuses is recorded with the
 * filter's errno, the same errno from the call itself (chown without CAP_CHOWN) is not, the
 * workload's exec carries its capabilities and the filter, and the runtime's calls under the filter
 * are kept apart from the workload's.
 */
class SeccompSensorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KernelSensors sensors;
    private static SeccompObservations seen;
    private static Runc runc;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SECCOMP)));
        seen = SeccompObservations.of(sensors);
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

    /** Allows everything but mkdir/mkdirat (EPERM) and reboot (ENOSYS); the caps given. */
    private static ContainerSpec spec(List<String> args, List<String> caps) {
        return ContainerSpec.of(args).withConfigEdit(config -> {
            ObjectNode linux = (ObjectNode) config.get("linux");
            ObjectNode seccomp = linux.putObject("seccomp");
            seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
            var rules = seccomp.putArray("syscalls");
            ObjectNode deny = rules.addObject();
            deny.putArray("names").add("mkdir").add("mkdirat");
            deny.put("action", "SCMP_ACT_ERRNO");
            deny.put("errnoRet", Errno.EPERM);
            ObjectNode nosys = rules.addObject();
            nosys.putArray("names").add("reboot");
            nosys.put("action", "SCMP_ACT_ERRNO");
            nosys.put("errnoRet", Errno.ENOSYS);
            ObjectNode capabilities = (ObjectNode) config.get("process").get("capabilities");
            for (String set : List.of("bounding", "effective", "permitted")) {
                var a = capabilities.putArray(set);
                caps.forEach(a::add);
            }
        });
    }

    private static SeccompObservations.Namespace namespaceOf(String id) {
        return seen.namespaces().values().stream().filter(n -> n.belongsTo(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no namespace of container " + id + " in " + seen.namespaces().keySet()));
    }

    @Test
    void refusedCallsAreRecordedButTheCallsOwnErrorsAreNot() {
        String id = OciRuntime.uniqueId("sc-deny");
        Result r = runc.run(id, spec(List.of("sh", "-c", "mkdir /tmp/d; chown 1 /tmp; echo done"),
                List.of("CAP_KILL")), Duration.ofSeconds(30));
        assertThat(r.stdout()).contains("done");
        assertThat(r.stderr()).contains("Operation not permitted");

        SeccompObservations.Namespace ns = namespaceOf(id);
        List<SeccompObservations.Denial> denials = seen.denials(ns);
        assertThat(denials).extracting(SeccompObservations.Denial::name).containsAnyOf("mkdir", "mkdirat")
                .doesNotContain("chown", "fchownat");
        SeccompObservations.Denial mkdir = denials.stream().filter(d -> d.name().startsWith("mkdir")).findFirst().orElseThrow();
        assertThat(mkdir.errno()).isEqualTo(Errno.EPERM);
        assertThat(mkdir.count()).isEqualTo(1);
        assertThat(mkdir.comm()).isEqualTo("mkdir");

        SeccompObservations.Exec exec = ns.filteredExec().orElseThrow();
        assertThat(exec.comm()).isEqualTo("sh");
        assertThat(exec.seccompMode()).isEqualTo(2);
        assertThat(exec.effective()).containsExactly(Capability.KILL);
        assertThat(exec.cgroupLeaf()).isEqualTo(id);
        // What the workload made under the filter: it forked and exec'd mkdir and chown; the refused
        // call never reached sys_enter.
        SyscallTable table = SyscallTable.of(seen.arch());
        assertThat(names(table, ns.workload())).contains("clone", "wait4").containsAnyOf("fchownat", "chown")
                .doesNotContain("mkdir", "mkdirat");
        // runc closes fds and execs after installing the filter (no_new_privileges is off in runc spec's config).
        assertThat(names(table, ns.setup())).contains("execve");
        seen.forget(ns);
    }

    @Test
    void errnoOfTheFilterIsKeptAndCapabilitiesAreTheGrantedOnes() {
        String id = OciRuntime.uniqueId("sc-nosys");
        Result r = runc.run(id, spec(List.of("sh", "-c", "chown 1 /tmp && echo chowned; reboot -f; echo after"),
                List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE")), Duration.ofSeconds(30));
        assertThat(r.stdout()).contains("chowned", "after");
        SeccompObservations.Namespace ns = namespaceOf(id);
        assertThat(seen.denials(ns)).extracting(SeccompObservations.Denial::name, SeccompObservations.Denial::errno)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("reboot", Errno.ENOSYS));
        assertThat(ns.filteredExec().orElseThrow().effective()).containsExactlyInAnyOrder(Capability.CHOWN,
                Capability.DAC_OVERRIDE);
        int pid = ns.filteredExec().orElseThrow().pid();
        assertThat(seen.namespaceOfPid(pid)).hasValue(ns.namespaceId());
        seen.forget(ns);
    }

    private static List<String> names(SyscallTable table, java.util.BitSet bits) {
        return bits.stream().mapToObj(table::nameOrNumber).toList();
    }
}
