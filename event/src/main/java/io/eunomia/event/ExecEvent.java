package io.eunomia.event;

import java.util.List;

/**
 * An execve/execveat. On success ({@code result == 0}) the process now runs {@code exe}; a failed
 * attempt (e.g. -ENOENT, -EACCES) is reported too, with the path the caller gave.
 *
 * @param exe           absolute path of the executed file: on success resolved in the kernel from
 *                      the file that runs (symlinks followed; inside the process's root, so
 *                      container paths are the container's own); on failure the given path made
 *                      absolute against the cwd
 * @param argv          arguments, argv[0] first; possibly cut, see {@code argvTruncated}
 * @param argc          number of arguments the program got
 * @param tty           controlling terminal name ("pts0"), empty when none
 * @param script        the program file exe runs as an interpreter: a file the kernel ran through
 *                      the interpreter it names ({@code #!}, binfmt_misc), or the script file an
 *                      interpreter was given by argument ({@code sh /tmp/x}, {@code python3 x.py}:
 *                      its first argument that is no option, when that names a file); its path as
 *                      the caller gave it made absolute against the cwd at the exec (not
 *                      symlink-resolved); empty for any other exec
 * @param noNewPrivs    whether the process had no_new_privs set at the exec (read by the kernel
 *                      sensor then, so it cannot race the process's end); null when not known
 *                      (an event made elsewhere, a recording from before the field)
 * @param credentials   what the exec left the process with, as the kernel sensor read it then;
 *                      null when not known (a failed exec, an event made elsewhere, a recording)
 * @param cwd           the working directory at the exec, as the kernel sensor resolved it then
 *                      (inside the process's root: a container's own path; no trailing /), so a
 *                      process gone before user space reads /proc still has it; "" when not known
 *                      (a failed exec, a path the kernel could not follow to the root, an exec whose other
 *                      texts left its record no room for it: see {@code cwdDropped}, a recording)
 * @param cwdDropped    whether the kernel had the cwd but its record had no room left for it (the
 *                      program, argv, tty, root and script filled it): {@code cwd} is "" then,
 *                      unknown rather than absent, as {@code argvTruncated} says argv was cut
 */
public record ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                        boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout,
                        StreamKind stderr, long result, String script, Boolean noNewPrivs,
                        ExecCredentials credentials, String cwd, boolean cwdDropped) implements Event {
    public ExecEvent {
        argv = List.copyOf(argv);
        script = script == null ? "" : script;  // recordings made before the field existed
        cwd = cwd == null ? "" : cwd;           // likewise
    }

    /** An exec whose cwd, if any, was not dropped for want of room. */
    public ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                     boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout, StreamKind stderr,
                     long result, String script, Boolean noNewPrivs, ExecCredentials credentials, String cwd) {
        this(epochNanos, process, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr, result, script, noNewPrivs,
                credentials, cwd, false);
    }

    /** An exec whose cwd is not known. */
    public ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                     boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout, StreamKind stderr,
                     long result, String script, Boolean noNewPrivs, ExecCredentials credentials) {
        this(epochNanos, process, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr, result, script, noNewPrivs,
                credentials, "");
    }

    /** An exec of a program that is not a script. */
    public ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                     boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout, StreamKind stderr,
                     long result) {
        this(epochNanos, process, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr, result, "");
    }

    /** An exec whose no_new_privs is not known. */
    public ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                     boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout, StreamKind stderr,
                     long result, String script) {
        this(epochNanos, process, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr, result, script, null);
    }

    /** An exec whose credentials are not known. */
    public ExecEvent(long epochNanos, ProcessInfo process, int oldPid, String exe, List<String> argv, int argc,
                     boolean argvTruncated, String tty, StreamKind stdin, StreamKind stdout, StreamKind stderr,
                     long result, String script, Boolean noNewPrivs) {
        this(epochNanos, process, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr, result, script, noNewPrivs,
                null);
    }

    @Override
    public ExecEvent withProcess(ProcessInfo newProcess) {
        return new ExecEvent(epochNanos, newProcess, oldPid, exe, argv, argc, argvTruncated, tty, stdin, stdout, stderr,
                result, script, noNewPrivs, credentials, cwd, cwdDropped);
    }

    @Override
    public EventType type() {
        return EventType.EXEC;
    }

    public boolean succeeded() {
        return result == 0;
    }

    /** The command line as one string, arguments separated by spaces. */
    public String cmdline() {
        return String.join(" ", argv);
    }
}
