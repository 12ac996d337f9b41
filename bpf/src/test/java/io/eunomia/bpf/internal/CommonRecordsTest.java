package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.bpf.CommonRecords;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.ProcessInfo;
import io.eunomia.libbpf.BpfObject;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The public face the bench module's ring-buffer benchmark uses instead of this package: settings
 * written into a real loaded object, a record's header decoded as the sensors decode it.
 */
class CommonRecordsTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final CommonRecords records = new CommonRecords();

    @Test
    void theHeaderIsDecodedAndAttributedTheBodyIsTheCallers() {
        int pid = (int) ProcessHandle.current().pid();
        ByteBuffer b = ByteBuffer.allocate(CommonRecords.HEADER_BYTES + 16).order(ByteOrder.nativeOrder());
        b.putInt(Header.PID.offset(), pid).putInt(Header.MNTNS.offset(), (int) Namespaces.hostMountNamespace())
                .putShort(Header.TYPE.offset(), (short) CommonRecords.BENCH_TYPE).putLong(CommonRecords.HEADER_BYTES, 42)
                .put(Header.COMM.offset(), "bench".getBytes(StandardCharsets.UTF_8));
        record Body(ProcessInfo process, long first) {}
        Body body = records.decode(MemorySegment.ofArray(b.array()), CommonRecords.BENCH_TYPE,
                (epochNanos, process, r) -> new Body(process, r.get(U64, CommonRecords.HEADER_BYTES)));
        assertThat(body.first()).isEqualTo(42);
        assertThat(body.process().pid()).isEqualTo(pid);
        assertThat(body.process().comm()).isEqualTo("bench");
        assertThat(body.process().container()).isEqualTo(ContainerInfo.HOST);

        assertThatThrownBy(() -> records.decode(MemorySegment.ofArray(b.array()), RecordType.EXEC.code(), (t, p, r) -> p))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("record of type 99, expected 1");
        assertThatThrownBy(() -> records.decode(MemorySegment.ofArray(new byte[10]), CommonRecords.BENCH_TYPE, (t, p, r) -> p))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void enableWritesTheSettingsASensorGets() throws Exception {
        byte[] elf;
        try (InputStream in = Sensor.class.getResourceAsStream(Sensor.PROCESS.resource())) {
            elf = in.readAllBytes();
        }
        try (BpfObject obj = BpfObject.open("process.bpf.o", elf)) {
            obj.load();
            CommonRecords.enable(obj, 1_000_000);
            byte[] written = obj.map("settings").lookup(SettingsCodec.key0()).orElseThrow();
            assertThat(written).isEqualTo(new SettingsCodec(true, (int) ProcessHandle.current().pid(), 0, 0, 1_000_000, 0,
                    Namespaces.hostMountNamespace(), -1).encode());
            ByteBuffer v = ByteBuffer.wrap(written).order(ByteOrder.nativeOrder());
            assertThat(v.getInt(SettingsCodec.ENABLED.offset())).isEqualTo(1);
            assertThat(v.getLong(SettingsCodec.WAKEUP_INTERVAL.offset())).isEqualTo(1_000_000);
        }
    }
}
