package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.event.SyscallEvent;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A workload that names itself as its container's runtime is still the workload: in a runc and in a
 * crun container with CAP_SYS_ADMIN, a program that calls prctl(PR_SET_NAME, "runc:[2:INIT]") (or
 * "crun", "conmon") and then mounts proc or a cgroup hierarchy raises "Sensitive filesystem mounted
 * in a container" and "Privileged capability used in container" under that name; its tmpfs the
 * WARNING. The runtime's own set-up in the same containers (runc and crun mount proc, sysfs and
 * cgroups in each, exec'd on the host: proc.exec_on_host) raises none: the forged mounts come later in
 * the same ring, so once their alerts are out the set-up's events have been judged. On main, where
 * container_runtime_setup read the name alone, none of the forged mounts alerted.
 */
@SharesLiveMonitor
class RuntimeNameForgeryLiveTest {
    // What an act causes ends the wait at once; minutes for a monitor lagging on a loaded machine.
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SENSITIVE = "Sensitive filesystem mounted in a container";
    private static final String MOUNT = "Mount or namespace change in container";
    private static final String CAPABILITY = "Privileged capability used in container";

    @RegisterExtension
    static final ProgramsLive rig = new ProgramsLive(
            "eunomia-rtname-", () -> LiveMonitor.sharedDefaultPack(RuntimeNameForgeryLiveTest.class, WAIT),
            "/runtime-name/named-mount.c");

    @Test
    void aRuncContainersProcessNamedRuncInitMountingProcIsTheWorkload() throws Exception {
        try (Runc runc = new Runc()) {
            forgedNamesMount(runc);
        }
    }

    @Test
    void aCrunContainersProcessNamedCrunMountingProcIsTheWorkload() throws Exception {
        try (Crun crun = new Crun()) {
            forgedNamesMount(crun);
        }
    }

    private static void forgedNamesMount(OciRuntime runtime) throws Exception {
        String id = OciRuntime.uniqueId("rtname-" + runtime.name());
        ContainerSpec spec = ContainerSpec.of("sh", "-c", String.join(" && ",
                "mkdir -p /mnt/p /mnt/cg /mnt/t",
                "/named-mount 'runc:[2:INIT]' proc proc /mnt/p",
                "/named-mount crun cgroup cgroup /mnt/cg none,name=eunomia-rtname",
                "/named-mount conmon tmpfs scratch /mnt/t"))
                .withConfigEdit(c -> {
                    LiveProcesses.addCapabilities(c, "CAP_SYS_ADMIN");
                    LiveProcesses.bindReadOnly(c, rig.program("named-mount"), "/named-mount");
                });
        Result r = runtime.run(id, spec, WAIT);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

        Predicate<Alert> in = a -> a.container().id().equals(id);
        assertThat(rig.live().await(SENSITIVE, in.and(a -> a.output().contains("fstype=proc "))).output())
                .contains("call=mount ", "target=/mnt/p ", "process=runc:[2:INIT] ");
        assertThat(rig.live().await(SENSITIVE, in.and(a -> a.output().contains("fstype=cgroup "))).output())
                .contains("call=mount ", "target=/mnt/cg ", "process=crun ");
        assertThat(rig.live().await(MOUNT, in.and(a -> a.output().contains("fstype=tmpfs "))).output())
                .contains("target=/mnt/t ", "process=conmon ");
        assertThat(rig.live().await(CAPABILITY, in.and(a -> a.output().contains("process=runc:[2:INIT] "))).output())
                .contains("cap=CAP_SYS_ADMIN ", "call=mount ");
        // the runtime's own proc, sysfs and cgroup mounts in this container came before the forged ones
        // (one ring, in order): none of them alerted
        assertThat(rig.live().sinceTestStart()).filteredOn(a -> a.rule().equals(SENSITIVE) && in.test(a))
                .extracting(a -> a.event().process().comm() + " " + ((SyscallEvent) a.event()).strings().getOrDefault("fstype", "-"))
                .containsExactlyInAnyOrder("runc:[2:INIT] proc", "crun cgroup");
        assertThat(rig.live().sinceTestStart()).filteredOn(a -> a.rule().equals(MOUNT) && in.test(a))
                .extracting(a -> a.event().process().comm()).containsOnly("conmon");
    }
}
