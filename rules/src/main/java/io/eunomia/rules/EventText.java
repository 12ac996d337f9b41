package io.eunomia.rules;

import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.SyscallEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One line per event for people: time, type, who, then what happened, each as
 * {@code rule.field=value} with the names rule conditions and outputs use ({@code fd.rip=},
 * {@code proc.name=}), so what trace shows is what a rule writes. Empty and "not applicable"
 * values are left out. The JSON form ({@code io.eunomia.event.format.EventJson}) keeps the
 * records' own names and every component.
 */
public final class EventText {
    /** What an event of each type is about, after the process and container fields. */
    static final Map<EventType, List<String>> FIELDS = Map.of(
            EventType.EXEC, List.of("proc.exe", "proc.cmdline", "proc.tty", "proc.stdin", "proc.stdout", "proc.stderr", "evt.res"),
            EventType.EXIT, List.of("evt.arg.status"),
            EventType.FORK, List.of("evt.rawres"),
            EventType.FILE, List.of("evt.type", "syscall.type", "fd.name", "file.newpath", "fd.name_given", "file.newpath_given",
                    "evt.arg.flags", "evt.arg.mode", "evt.arg.uid", "evt.arg.gid", "evt.res"),
            EventType.NET, List.of("evt.type", "syscall.type", "fd.num", "fd.family", "fd.socktype", "fd.l4proto", "fd.lip",
                    "fd.lport", "fd.rip", "fd.rport", "evt.arg.backlog", "evt.res"),
            EventType.CAP, List.of("cap.name", "cap.num", "cap.granted", "cap.host", "syscall.type"),
            EventType.SYSCALL, List.of("evt.type"));
    /** Fields whose -1 means the call has none (a backlog of 0: not a listen). */
    private static final Set<String> NONE_IF_NEGATIVE = Set.of("evt.arg.mode", "evt.arg.uid", "evt.arg.gid");

    private final FieldCatalog catalog = FieldCatalog.standard();

    public String format(Event e) {
        ProcessInfo p = e.process();
        StringBuilder sb = new StringBuilder(160);
        sb.append(Instant.ofEpochSecond(0, e.epochNanos())).append(' ');
        sb.append(String.format("%-7s", e.type().cliName()));
        field(sb, e, "proc.pid");
        if (p.tid() != p.pid()) {
            field(sb, e, "thread.tid");
        }
        field(sb, e, "proc.ppid");
        field(sb, e, "user.uid");
        if (p.euid() != p.uid()) {
            field(sb, e, "user.euid");
        }
        field(sb, e, "proc.name");
        field(sb, e, "proc.pname");
        if (!p.container().isHost()) {
            if (p.container().isResolved()) {
                field(sb, e, "container.name");
            } else {
                sb.append(" container.name=?");
            }
            field(sb, e, "container.image");
        }
        field(sb, e, "proc.mntns");
        for (String f : FIELDS.get(e.type())) {
            field(sb, e, f);
            if (f.equals("evt.type") && e instanceof SyscallEvent s) {
                // The call's own arguments: their names are the sensor's (syscall.arg.uid, syscall.str.target).
                s.args().forEach((k, v) -> sb.append(" syscall.arg.").append(k).append('=')
                        .append(catalog.isMode("syscall.arg." + k) ? FieldCatalog.octalMode(v) : v));
                s.strings().forEach((k, v) -> sb.append(" syscall.str.").append(k).append('=').append(quote(v)));
            }
        }
        if (e instanceof SyscallEvent) {
            field(sb, e, "evt.res");
        }
        return sb.toString();
    }

    private void field(StringBuilder sb, Event e, String name) {
        Object v = catalog.shown(name, e).orElse(null);
        if (v == null || v instanceof String s && s.isEmpty() || v instanceof List<?> l && l.isEmpty()
                || NONE_IF_NEGATIVE.contains(name) && v instanceof Number n && n.longValue() < 0
                || name.equals("evt.arg.backlog") && v instanceof Number b && b.longValue() == 0) {
            return;
        }
        sb.append(' ').append(name).append('=').append(v instanceof String s ? quote(s) : v);
    }

    /** Quotes values with spaces or quotes so a line stays splittable. */
    static String quote(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
