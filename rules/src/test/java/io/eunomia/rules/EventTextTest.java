package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** trace's text form: one line per event, each value under the name rules give it. */
class EventTextTest {
    private static final ProcessInfo P = new ProcessInfo(10, 11, 1, 1000, 1000, 0, 0, "bash", "sshd", 4026531841L, 7L, 4026531836L, 1,
            io.eunomia.event.ContainerInfo.HOST);

    private static List<Event> samples() {
        return List.of(
                new ExecEvent(1_700_000_000_000_000_001L, P, 10, "/usr/bin/cat", List.of("cat", "/etc/shadow", ""), 3,
                        false, "pts0", StreamKind.TTY, StreamKind.PIPE, StreamKind.TTY, 0),
                new ExitEvent(2L, P, 3 << 8),
                new ForkEvent(3L, P, 12),
                new FileEvent(4L, P, FileOp.RENAME, "renameat2", "/tmp/a", "/tmp/b", 0, -1, -1, -1, 0, false),
                new NetEvent(5L, P, NetOp.CONNECT, "connect", 3, SocketFamily.INET6, io.eunomia.event.SocketType.STREAM, 6, "::1", 40000, "::1", 443, 0, -111),
                new CapEvent(6L, P, 21, "CAP_SYS_ADMIN", false, "sethostname", 4026531837L, 0, 3),
                new SyscallEvent(7L, P, "mount", 165, Map.of("flags", 0L), Map.of("target", "/mnt", "fstype", "tmpfs"), -1));
    }

    @Test
    void textFormIsOneReadableLineInTheRulesVocabulary() {
        List<String> lines = samples().stream().map(new EventText()::format).toList();
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\n").contains(" proc.pid=10 thread.tid=11 proc.ppid=1 "
                + "user.uid=1000 user.euid=0 proc.name=bash proc.pname=sshd proc.mntns=4026531841"));
        assertThat(lines.get(0)).contains("exec ").endsWith("proc.exe=/usr/bin/cat proc.cmdline=\"cat /etc/shadow \" proc.tty=pts0 "
                + "proc.stdin=tty proc.stdout=pipe proc.stderr=tty evt.res=SUCCESS");
        assertThat(lines.get(1)).endsWith(" evt.arg.status=768");
        assertThat(lines.get(2)).endsWith(" evt.rawres=12");
        assertThat(lines.get(3)).endsWith(" evt.type=rename syscall.type=renameat2 fd.name=/tmp/a file.newpath=/tmp/b evt.arg.flags=0 evt.res=SUCCESS");
        assertThat(lines.get(4)).endsWith(" evt.type=connect syscall.type=connect fd.num=3 fd.family=inet6 fd.socktype=stream "
                + "fd.l4proto=tcp fd.lip=::1 fd.lport=40000 fd.rip=::1 fd.rport=443 evt.res=ECONNREFUSED");
        assertThat(lines.get(5)).endsWith(" cap.name=CAP_SYS_ADMIN cap.num=21 cap.granted=false cap.host=true syscall.type=sethostname");
        assertThat(lines.get(6)).contains(" evt.type=mount syscall.arg.flags=0 ").contains(" syscall.str.target=/mnt")
                .contains(" syscall.str.fstype=tmpfs").endsWith(" evt.res=EPERM");
        // every name is a rule field of its event type
        FieldCatalog catalog = FieldCatalog.standard();
        EventText.FIELDS.forEach((type, fields) -> assertThat(fields).allSatisfy(f -> assertThat(catalog.access(f, type)).as(f).isPresent()));
    }

    /** chmod and ls users read modes in octal: 04755, not its decimal 2541; a -1 (no mode) is left out. */
    @Test
    void modesAreShownInOctal() {
        EventText text = new EventText();
        assertThat(text.format(new SyscallEvent(8L, P, "chmod", 90, Map.of("mode", (long) 04755), Map.of("path", "/tmp/x"), 0)))
                .contains(" evt.type=chmod syscall.arg.mode=04755 ");
        assertThat(text.format(new FileEvent(9L, P, FileOp.OPEN, "openat", "/tmp/y", "", 0101, 0644, -1, -1, 3, false)))
                .contains(" evt.arg.flags=65 evt.arg.mode=0644 ");
        assertThat(text.format(new FileEvent(9L, P, FileOp.OPEN, "openat", "/tmp/y", "", 0, -1, -1, -1, 3, false)))
                .doesNotContain("evt.arg.mode");
        FieldCatalog catalog = FieldCatalog.standard();
        assertThat(catalog.shown("evt.arg.mode", new FileEvent(9L, P, FileOp.CHMOD, "fchmodat", "/tmp/y", "", 0, 0, -1, -1, 0, false)))
                .contains("0");
        assertThat(catalog.isMode("syscall.arg.mode")).isTrue();
        assertThat(catalog.isMode("syscall.arg.flags")).isFalse();
    }
}
