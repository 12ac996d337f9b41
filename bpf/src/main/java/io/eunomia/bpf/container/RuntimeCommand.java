package io.eunomia.bpf.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an OCI runtime's command line says about the container it creates:
 * {@code runc|crun [--root DIR] ... run|create [--bundle DIR] [flags] ID}. Read while the
 * runtime runs, for a container whose state directory is not written yet or already removed.
 *
 * @param id     the container id (the last argument)
 * @param bundle the bundle directory (--bundle, else the runtime's working directory); null if unknown
 * @param root   the state root (--root); null for the runtime's default
 */
record RuntimeCommand(String id, Path bundle, Path root) {
    private static final Set<String> CREATING = Set.of("run", "create");
    /** Flags of run/create and of the global options that take a value. */
    private static final Set<String> WITH_VALUE = Set.of("--root", "--log", "--log-format", "--criu", "--rootless",
            "--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds", "--pidfd-socket");

    /** Parses argv (argv[0] the runtime); empty unless it creates a container with a safe id. */
    static Optional<RuntimeCommand> parse(List<String> argv, Path cwd) {
        String bundle = null;
        String root = null;
        boolean creating = false;
        String last = null;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            if (a.startsWith("-")) {
                String value = inline;
                if (value == null && WITH_VALUE.contains(flag) && i + 1 < argv.size()) {
                    value = argv.get(++i);
                }
                if (flag.equals("--bundle") || flag.equals("-b")) {
                    bundle = value;
                } else if (flag.equals("--root")) {
                    root = value;
                }
                continue;
            }
            if (!creating && CREATING.contains(a)) {
                creating = true;
                continue;
            }
            last = a;
        }
        if (!creating || last == null || !CgroupPatterns.isSafeOciId(last)) {
            return Optional.empty();
        }
        Path b = bundle != null ? absolute(bundle, cwd) : cwd;
        return Optional.of(new RuntimeCommand(last, b, root == null ? null : absolute(root, cwd)));
    }

    private static Path absolute(String p, Path cwd) {
        Path path = Path.of(p);
        if (path.isAbsolute()) {
            return path.normalize();
        }
        return cwd == null ? null : cwd.resolve(path).normalize();
    }
}
