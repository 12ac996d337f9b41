package io.eunomia.engine.alert;

import io.eunomia.event.CapEvent;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.SyscallEvent;

/**
 * INTERIM: a handful of fields for output templates until the rules module's field catalog
 * ({@code io.eunomia.rules.FieldCatalog.value(field, event)}) lands; then
 * {@link OutputRenderer#DEFAULT_FIELDS} points at the catalog and this class is deleted.
 * Covers proc.name, proc.pid, proc.exe, proc.cmdline, fd.name, container.id, container.name,
 * user.uid, evt.type and evt.res.
 */
public final class InterimFields implements FieldResolver {
    public static final InterimFields INSTANCE = new InterimFields();

    private InterimFields() {}

    @Override
    public Object value(String field, Event e) {
        return switch (field) {
            case "proc.name" -> e.process().comm();
            case "proc.pid" -> e.process().pid();
            case "proc.exe" -> e instanceof ExecEvent x ? x.exe() : null;
            case "proc.cmdline" -> e instanceof ExecEvent x ? x.cmdline() : null;
            case "fd.name" -> switch (e) {
                case FileEvent f -> f.path();
                case NetEvent n -> n.remoteAddr().isEmpty() ? null : n.remoteAddr() + ":" + n.remotePort();
                default -> null;
            };
            case "container.id" -> e.process().container().shortId();
            case "container.name" -> e.process().container().name();
            case "user.uid" -> e.process().uid();
            case "evt.type" -> switch (e) {
                case FileEvent f -> f.syscall();
                case NetEvent n -> n.syscall();
                case SyscallEvent s -> s.syscall();
                case CapEvent c -> "capable";
                default -> e.type().cliName();
            };
            case "evt.res" -> switch (e) {
                case FileEvent f -> res(f.result());
                case NetEvent n -> res(n.result());
                case SyscallEvent s -> res(s.result());
                case ExecEvent x -> res(x.result());
                default -> null;
            };
            default -> null;
        };
    }

    /** Falco's form: SUCCESS, or the errno's name. */
    private static String res(long result) {
        return result >= 0 ? "SUCCESS" : io.eunomia.libbpf.Errno.name((int) -result);
    }
}
