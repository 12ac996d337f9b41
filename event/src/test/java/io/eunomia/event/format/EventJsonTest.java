package io.eunomia.event.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.event.CapEvent;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.StreamKind;
import io.eunomia.event.SyscallEvent;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON lines written by trace must read back to equal records: that is what replay relies on. */
class EventJsonTest {
    private static final ProcessInfo P = new ProcessInfo(10, 11, 1, 1000, 1000, 0, 0, "bash", "sshd", 4026531841L, 7L, 4026531836L, 1,
            io.eunomia.event.ContainerInfo.HOST);
    private final EventJson json = new EventJson();

    static List<Event> samples() {
        return List.of(
                new ExecEvent(1_700_000_000_000_000_001L, P, 10, "/usr/bin/cat", List.of("cat", "/etc/shadow", ""), 3,
                        false, "pts0", StreamKind.TTY, StreamKind.PIPE, StreamKind.TTY, 0),
                new ExitEvent(2L, P, 3 << 8),
                new ForkEvent(3L, P, 12),
                new FileEvent(4L, P, FileOp.RENAME, "renameat2", "/tmp/a", "/tmp/b", 0, -1, -1, -1, 0, false),
                new NetEvent(5L, P, NetOp.CONNECT, "connect", 3, SocketFamily.INET6, io.eunomia.event.SocketType.STREAM, 6, "::1", 40000, "::1", 443, 0, -111),
                new CapEvent(6L, P, 21, "CAP_SYS_ADMIN", false, "sethostname", 4026531837L, 0, 3),
                new SyscallEvent(7L, P, "mount", 165, Map.of("flags", 0L), Map.of("target", "/mnt", "fstype", "tmpfs"), -1),
                new ViolationEvent(8L, P, ViolationKind.SYSCALL, "mknod", 133, "x86_64", "", false, "", true, 4, 9, "web.yaml"),
                new ViolationEvent(9L, P, ViolationKind.EXEC, "", -1, "", "", false, "/tmp/x", false, 0, 1, ""),
                new FileEvent(10L, P, FileOp.UNLINK, "unlinkat", "/etc/x", "", 0, -1, -1, -1, 0, false, "/mnt/etc/x", ""));
    }

    @Test
    void everyEventTypeRoundTrips() {
        for (Event e : samples()) {
            String line = json.write(e);
            assertThat(line).startsWith("{\"type\":\"" + e.type().cliName() + "\"").doesNotContain("\n");
            assertThat(json.read(line)).isEqualTo(e);
        }
    }

    @Test
    void parentNameIsWrittenAndLinesWithoutItStillRead() {
        ExitEvent exit = new ExitEvent(2L, P, 0);
        String line = json.write(exit);
        assertThat(line).contains("\"comm\":\"bash\",\"pcomm\":\"sshd\"");
        // As trace wrote lines before the parent's name was recorded.
        String old = line.replace(",\"pcomm\":\"sshd\"", "");
        assertThat(old).doesNotContain("pcomm");
        Event read = json.read(old);
        assertThat(read.process().pcomm()).isEmpty();
        assertThat(read).isEqualTo(new ExitEvent(2L, new ProcessInfo(10, 11, 1, 1000, 1000, 0, 0, "bash", 4026531841L, 7L,
                4026531836L, 1, io.eunomia.event.ContainerInfo.HOST), 0));
    }

    @Test
    void fileLinesWithoutTheGivenTextsStillRead() {
        FileEvent unlink = new FileEvent(4L, P, FileOp.UNLINK, "unlinkat", "/etc/x", "", 0, -1, -1, -1, 0, false);
        String old = json.write(unlink).replace(",\"pathGiven\":\"\",\"newPathGiven\":\"\"", "");
        assertThat(old).doesNotContain("Given");
        assertThat(json.read(old)).isEqualTo(unlink);
    }

    @Test
    void timesSetRoundTripAndOtherFileLinesHaveNone() {
        FileEvent stomp = new FileEvent(5L, P, FileOp.UTIMES, "utimensat", "/usr/bin/x", "", 0, -1, -1, -1, 0, true, "", "", false,
                false, "", new io.eunomia.event.FileTimes(978307200, io.eunomia.event.FileTimes.OMIT, 978307201, 7));
        String line = json.write(stomp);
        assertThat(line).contains("\"times\":{\"atimeSec\":978307200,\"atimeNsec\":1073741822,\"mtimeSec\":978307201,\"mtimeNsec\":7}");
        assertThat(json.read(line)).isEqualTo(stomp);
        assertThat(json.write(new FileEvent(4L, P, FileOp.UNLINK, "unlinkat", "/etc/x", "", 0, -1, -1, -1, 0, false))).doesNotContain("times");
    }

    @Test
    void aDroppedCwdIsWrittenAsSuchAndLinesWithoutTheMarkReadAsNotDropped() {
        ExecEvent dropped = new ExecEvent(1L, P, 10, "/d/sh", List.of("./sh"), 4, true, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0, "/d/x.sh", false, null, "", true);
        String line = json.write(dropped);
        assertThat(line).contains("\"cwd\":\"\",\"cwdDropped\":true");
        assertThat(json.read(line)).isEqualTo(dropped);
        // As trace wrote exec lines before the mark existed: a cwd not dropped.
        ExecEvent before = new ExecEvent(1L, P, 10, "/bin/true", List.of("true"), 1, false, "", StreamKind.PIPE, StreamKind.PIPE,
                StreamKind.PIPE, 0, "", false, null, "/root");
        String old = json.write(before).replace(",\"cwdDropped\":false", "");
        assertThat(old).doesNotContain("cwdDropped");
        assertThat(json.read(old)).isEqualTo(before);
    }

    @Test
    void badLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> json.read("{\"type\":\"teleport\"}")).hasMessageContaining("unknown event type \"teleport\"");
        assertThatThrownBy(() -> json.read("not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> json.read("{\"type\":\"exit\",\"epochNanos\":1,\"bogus\":2}"))
                .hasMessageContaining("bad exit event").hasMessageContaining("bogus");
    }

    @Test
    void violationsSayWhatAndWhatWasDone() {
        String line = json.write(samples().get(7));
        assertThat(line).contains("\"kind\":\"SYSCALL\"", "\"syscall\":\"mknod\"", "\"killed\":true", "\"suppressed\":4");
    }
}
