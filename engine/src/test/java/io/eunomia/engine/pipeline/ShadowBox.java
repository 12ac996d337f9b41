package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The evasion tests' container: runc busybox ("sleep 300", its config edited by the test) whose
 * /etc/shadow holds a root line, what the default pack's sensitive-file rules watch. Its processes
 * run with the capabilities it was given (runc exec would give them runc's defaults otherwise).
 * Closing it closes the runc, and with it every container the test started there.
 */
final class ShadowBox implements AutoCloseable {
    /** A container that may mount (its own bind mounts) and act as root on its files. */
    static final List<String> ADMIN_CAPS = List.of("CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_FOWNER",
            "CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_AUDIT_WRITE");

    private final Runc runc;
    private final RunningContainer box;
    private final List<String> capOptions;

    private ShadowBox(Runc runc, RunningContainer box, List<String> capOptions) {
        this.runc = runc;
        this.box = box;
        this.capOptions = capOptions;
    }

    /**
     * @param caps the container's capabilities (also for its exec'd processes); empty: runc's defaults
     */
    static ShadowBox start(String name, Consumer<ObjectNode> configEdit, List<String> caps) throws Exception {
        Runc runc = new Runc();
        try {
            RunningContainer box = runc.start(OciRuntime.uniqueId(name), ContainerSpec.of("sh", "-c", "sleep 300")
                    .withConfigEdit(c -> {
                        if (!caps.isEmpty()) {
                            LiveProcesses.withCapabilities(c, caps);
                        }
                        configEdit.accept(c);
                    }));
            ShadowBox b = new ShadowBox(runc, box, capOptions(caps));
            Ran shadow = b.exec("sh", "-c", "echo 'root:*:1::::::' > /etc/shadow");
            assertThat(shadow.exit()).as(shadow.output()).isZero();
            return b;
        } catch (Exception | AssertionError e) {
            runc.close();
            throw e;
        }
    }

    /** {@code --cap X} for each capability: runc exec options. */
    static List<String> capOptions(List<String> caps) {
        List<String> options = new ArrayList<>();
        caps.forEach(cap -> options.addAll(List.of("--cap", cap)));
        return options;
    }

    Runc runc() {
        return runc;
    }

    String id() {
        return box.id();
    }

    /** The container's file at path as the host sees it (through its first process's root). */
    java.nio.file.Path onHost(String path) {
        return java.nio.file.Path.of("/proc", Long.toString(box.pid()), "root", path.substring(1));
    }

    /** Runs a command in the container to its end. */
    Ran exec(String... args) throws Exception {
        return execWith(List.of(), args);
    }

    /** The same with more runc exec options (--user ...). */
    Ran execWith(List<String> options, String... args) throws Exception {
        List<String> all = new ArrayList<>(capOptions);
        all.addAll(options);
        return LiveProcesses.runcExec(runc, box.id(), all, args);
    }

    /** Closes a box that started (null: the set-up failed before). */
    static void close(ShadowBox b) {
        if (b != null) {
            b.close();
        }
    }

    @Override
    public void close() {
        runc.close();   // the container's own mounts go with its mount namespace
    }
}
