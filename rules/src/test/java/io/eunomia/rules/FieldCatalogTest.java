package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.EventType;
import io.eunomia.event.StreamKind;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FieldCatalogTest {
    private final FieldCatalog c = FieldCatalog.standard();

    @Test
    void valuesOfExecEvents() {
        var e = Events.exec("/usr/bin/bash", List.of("bash", "-c", "id"), StreamKind.SOCKET, Events.WEB);
        assertThat(c.value("proc.name", e)).contains("bash");
        assertThat(c.value("proc.pname", e)).contains("");
        assertThat(c.value("proc.pname", Events.childOf("sshd", e))).contains("sshd");
        assertThat(c.value("proc.exe", e)).contains("/usr/bin/bash");
        assertThat(c.value("proc.cmdline", e)).contains("bash -c id");
        assertThat(c.value("proc.args", e)).contains("-c id");
        assertThat(c.value("proc.argv", e)).contains(List.of("bash", "-c", "id"));
        assertThat(c.value("proc.stdin", e)).contains("socket");
        assertThat(c.value("evt.type", e)).contains("exec");
        assertThat(c.value("container.image", e)).contains("nginx:1");
        assertThat(c.value("evt.time", e)).contains("1970-01-01T00:00:01Z");
        assertThat(c.value("fd.name", e)).isEmpty();
        assertThat(c.value("no.such", e)).isEmpty();
    }

    @Test
    void valuesOfFileNetSyscallAndCapEvents() {
        var f = Events.open("cat", "/etc/ssh/sshd_config", 2, Events.WEB);
        assertThat(c.value("fd.name", f)).contains("/etc/ssh/sshd_config");
        assertThat(c.value("fd.directory", f)).contains("/etc/ssh");
        assertThat(c.value("fd.filename", f)).contains("sshd_config");
        assertThat(c.value("evt.is_open_write", f)).contains(true);
        assertThat(c.value("evt.type", f)).contains("open");
        var n = Events.connect("curl", "203.0.113.9", 443);
        assertThat(c.value("fd.name", n)).contains("10.0.0.2:40000->203.0.113.9:443");
        assertThat(c.value("fd.sip", n)).contains("203.0.113.9");
        assertThat(c.value("fd.sport", n)).contains(443);
        assertThat(c.value("fd.cport", n)).contains(40000);
        assertThat(c.value("fd.l4proto", n)).contains("tcp");
        var s = Events.setuid("x", 0, 1000);
        assertThat(c.value("syscall.arg.uid", s)).contains(0L);
        assertThat(c.value("evt.arg.uid", s)).contains(0L);
        assertThat(c.value("syscall.arg.nope", s)).isEmpty();
        assertThat(c.value("evt.type", s)).contains("setuid");
        assertThat(c.value("cap.name", Events.cap("CAP_SYS_ADMIN", true))).contains("CAP_SYS_ADMIN");
    }

    @Test
    void valuesOfProfileViolations() {
        var v = new ViolationEvent(1_000_000_000L, Events.exec("/bin/sh", List.of("sh"), StreamKind.PIPE, Events.WEB).process(),
                ViolationKind.SYSCALL, "getpid", 20, "x86", "", false, "", true, 7, 12, "web.yaml");
        assertThat(c.value("evt.type", v)).contains("violation");
        assertThat(c.value("violation.kind", v)).contains("syscall");
        assertThat(c.value("violation.syscall", v)).contains("getpid");
        assertThat(c.value("violation.abi", v)).contains("x86");
        assertThat(c.value("violation.subject", v)).contains("getpid");
        assertThat(c.value("violation.action", v)).contains("killed");
        assertThat(c.value("violation.suppressed", v)).contains(7L);
        assertThat(c.value("violation.profile", v)).contains("web.yaml");
        assertThat(c.value("container.name", v)).contains("web");
        assertThat(c.value("violation.exe", Events.open("cat", "/x", 0, Events.WEB))).isEmpty();
        assertThat(c.eventKinds("violation")).containsExactly(new FieldCatalog.EventKind(EventType.VIOLATION, ""));
        assertThat(c.enumConstant("violation.kind", "exec")).contains("ViolationKind.EXEC");
    }

    @Test
    void everyFieldIsDocumentedAndReadableOnItsTypes() {
        assertThat(c.fields()).hasSizeGreaterThan(50);
        for (FieldCatalog.Field f : c.fields()) {
            assertThat(f.description()).as(f.name()).isNotBlank();
            if (!f.name().equals("fd.name_changed")) { // on sendto/sendmsg, which no sensor here reports
                assertThat(f.eventTypes()).as(f.name()).isNotEmpty();
            }
            for (EventType t : f.eventTypes()) {
                assertThat(c.access(f.name(), t)).as(f.name() + " on " + t).isPresent();
            }
        }
        assertThat(c.field("proc.name").orElseThrow().eventTypes()).containsExactlyInAnyOrder(EventType.values());
        assertThat(c.field("syscall.str.target").map(FieldCatalog.Field::type)).contains(FieldType.STRING);
        // the syscall argument family is the sensor's real argument names, each listed
        assertThat(c.fields()).extracting(FieldCatalog.Field::name).contains("syscall.arg.uid", "syscall.arg.prev_euid",
                "syscall.arg.request", "syscall.str.fstype", "syscall.str.params");
        assertThat(c.field("syscall.arg.nope")).isEmpty();
        assertThat(c.field("syscall.arg.request").orElseThrow().description()).contains("ptrace");
        assertThat(c.field("proc.pname").orElseThrow().eventTypes()).containsExactlyInAnyOrder(EventType.values());
        assertThat(c.unavailable("proc.pname")).isEmpty();
        // the process table's fields, on every event type; Falco's fields still unfilled say why
        assertThat(c.field("proc.pcmdline").orElseThrow().eventTypes()).containsExactlyInAnyOrder(EventType.values());
        assertThat(c.field("proc.aname[3]").orElseThrow().type()).isEqualTo(FieldType.STRING);
        assertThat(c.field("proc.apid[1]").orElseThrow().type()).isEqualTo(FieldType.INT);
        assertThat(c.fields()).extracting(FieldCatalog.Field::name).doesNotContain("evt.arg.flags#text");
        assertThat(c.unavailable("fd.nameraw")).hasValueSatisfying(w -> assertThat(w).contains("resolved"));
        assertThat(c.unavailable("proc.aexepath[2]")).isPresent();
    }

    @Test
    void outputsAreComputedFromTheSameDrlTheRulesConstrain() {
        assertThat(c.access("proc.name", EventType.FILE).orElseThrow().drl()).isEqualTo("process.comm");
        assertThat(c.access("fd.rip", EventType.NET).orElseThrow().drl()).isEqualTo("remoteAddr");
        var denied = Events.open("cat", "/etc/shadow", 0, Events.WEB);
        assertThat(c.value("evt.failed", denied)).contains(false);
        assertThat(c.value("evt.res", denied)).contains("SUCCESS");
        assertThat(c.value("evt.arg.flags", denied)).contains(0);
        var s = Events.setuid("x", 0, 1000);
        assertThat(c.value("evt.arg.flags", s)).isEmpty();
        assertThat(c.value("cap.host", Events.cap("CAP_SYS_ADMIN", true))).contains(true);
    }

    @Test
    void eventTypeNamesSelectRecords() {
        assertThat(c.eventKinds("open")).containsExactly(new FieldCatalog.EventKind(EventType.FILE, "op == FileOp.OPEN"));
        assertThat(c.eventKinds("chmod")).extracting(FieldCatalog.EventKind::type).containsExactly(EventType.FILE, EventType.SYSCALL);
        assertThat(c.eventKinds("ptrace")).containsExactly(new FieldCatalog.EventKind(EventType.SYSCALL, "syscall == \"ptrace\""));
        assertThat(c.eventKinds("execve")).containsExactly(new FieldCatalog.EventKind(EventType.EXEC, ""));
        assertThat(c.eventKinds("nonsense")).isEmpty();
        assertThat(c.enumConstant("proc.stdin", "socket")).isEqualTo(Optional.of("StreamKind.SOCKET"));
    }

    @Test
    void matchHelpers() {
        assertThat(Match.glob("/home/ann/.ssh/id_rsa", "/home/*/.ssh/id_*")).isTrue();
        assertThat(Match.glob("/etc/x1", "/etc/x[0-9]")).isTrue();
        assertThat(Match.glob("/etc/xa", "/etc/x[!a]")).isFalse();
        assertThat(Match.glob("a.b", "a?b")).isTrue();
        assertThat(Match.glob("a+b", "a.b")).isFalse();
        assertThat(Match.pmatch("/etc/passwd", "/usr\n/etc")).isTrue();
        assertThat(Match.pmatch("/etc", "/etc")).isTrue();
        assertThat(Match.pmatch("/etcx", "/etc")).isFalse();
        assertThat(Match.in("b", "a\nb\nb")).isTrue();
        assertThat(Match.in(3L, "1\n3")).isTrue();
        assertThat(Match.icontains("SSHD", "sshd")).isTrue();
    }
}
