package io.eunomia.event;

import java.util.List;

/**
 * A successful execve/execveat: the process now runs {@code exe}.
 *
 * @param exe           absolute path of the executed file, as resolved in the kernel (inside the
 *                      process's root, so container paths are the container's own)
 * @param argv          arguments, argv[0] first; possibly cut, see {@code argvTruncated}
 * @param argc          number of arguments the program got
 * @param tty           controlling terminal name ("pts0"), empty when none
 */
public record ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                        boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout,
                        StreamKind stderr) implements Event {
    public ExecEvent {
        argv = List.copyOf(argv);
    }

    @Override
    public EventType type() {
        return EventType.EXEC;
    }

    /** The command line as one string, arguments separated by spaces. */
    public String cmdline() {
        return String.join(" ", argv);
    }
}
