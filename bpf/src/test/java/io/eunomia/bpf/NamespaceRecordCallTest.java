package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.container.NamespaceIdentity;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.MonotonicClock;
import io.eunomia.bpf.internal.NamespaceRecords;
import io.eunomia.bpf.internal.RecordReader;
import io.eunomia.bpf.internal.SettingsCodec;
import io.eunomia.libbpf.BpfLink;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.RingBuffer;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * emit_namespace is a global BPF function (verified once per program, not at every record site): it
 * gets the header and v1 cgroup as plain values and reads the current task itself. For one container's
 * exec, namespace_record.bpf.c makes the record that way (fill_header, as every sensor does) and again
 * with the same filler inlined on the hook's verifier-known task: the two must be the same bytes, and
 * name the container's cgroup (crun's and runc's /ID), or the global call would lose what attributes a
 * short-lived container.
 */
class NamespaceRecordCallTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // ends as soon as both records came
    private static final String PROBE = "/tmp/nsrec-probe";     // the object's NSREC_PROBE, by its comm

    @Test
    void aCrunContainersRecordIsTheSameThroughTheGlobalCall() throws Exception {
        try (Crun crun = new Crun()) {
            bothRecordsNameTheContainer(crun);
        }
    }

    @Test
    void aRuncContainersRecordIsTheSameThroughTheGlobalCall() throws Exception {
        try (Runc runc = new Runc()) {
            bothRecordsNameTheContainer(runc);
        }
    }

    private static void bothRecordsNameTheContainer(OciRuntime runtime) throws Exception {
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        List<byte[]> records = new ArrayList<>();
        try (BpfObject obj = BpfObject.open("namespace_record.bpf.o", resource("/io/eunomia/bpf/namespace_record.bpf.o"))) {
            obj.load();
            obj.map("settings").update(SettingsCodec.key0(), new SettingsCodec(true, (int) ProcessHandle.current().pid(), 0, 0,
                    0, 0, Math.max(Namespaces.hostMountNamespace(), 0),
                    CgroupControllers.watchedV1().map(CgroupControllers.Controller::subsysId).orElse(-1)).encode());
            List<BpfLink> links = obj.attachAll();
            try (RingBuffer ring = RingBuffer.open(obj.map("events"), r -> records.add(r.toArray(ValueLayout.JAVA_BYTE)))) {
                String id = OciRuntime.uniqueId("nsrec-" + runtime.name());
                // A script: its exec is named by the script's file (the object waits for that comm).
                Result r = runtime.run(id, ContainerSpec.of("/bin/sh", "-c",
                        "printf '#!/bin/sh\\nexit 0\\n' >" + PROBE + " && chmod +x " + PROBE + " && " + PROBE), WAIT);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (records.size() < 2 && System.nanoTime() < deadline) {
                    ring.poll(100);
                }
                assertThat(records).as("namespace records of the probe's exec").hasSize(2);
                NamespaceIdentity identity = decode(records.get(0), controller);
                assertThat(decode(records.get(1), controller)).as("inlined on the hook's task").isEqualTo(identity);
                assertThat(Arrays.equals(records.get(0), records.get(1))).as("the same bytes").isTrue();
                assertThat(identity.comm()).isEqualTo("nsrec-probe");
                String cgroup = controller.isEmpty() ? identity.cgroupV2() : identity.cgroupV1();
                assertThat(cgroup).as("the container's cgroup").endsWith("/" + id);
            } finally {
                links.forEach(BpfLink::close);
            }
        }
    }

    private static NamespaceIdentity decode(byte[] record, String controller) {
        MemorySegment seg = MemorySegment.ofArray(record);
        Header h = Header.read(new RecordReader(seg), MonotonicClock.calibrate());
        assertThat(h.type()).as("record type").isEqualTo(4);
        return new NamespaceRecords(controller).decode(h, new RecordReader(seg));
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = NamespaceRecordCallTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
