package io.eunomia.bench;

import io.eunomia.testkit.ReadyProcess;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One configuration of syscallpath.bpf.o's hooks held attached by {@code hook_hold}
 * (bench/src/main/c/hook_hold.c) until closed: the floors (web-floor, workloads-floor) run a side beside it.
 */
record HookHold(Process process, String config) implements AutoCloseable {
    /** The floors' configurations: syscall tracepoints on with nothing run; an empty tp_btf sys_enter/sys_exit pair. */
    static final String TP_OTHER = "tp-other";
    static final String NOOP_PAIR = "noop-pair";
    /** Both at once: the hook floor of a monitor that watches 32-bit calls. */
    static final String TP_NOOP = "tp+noop";

    /** Starts hook_hold and returns once it says its links are attached. */
    static HookHold attach(Path holder, Path object, String config) throws IOException {
        // one that fails is ended at once: its links would stay attached under every later side of the run
        return new HookHold(ReadyProcess.start(new ProcessBuilder(holder.toString(), object.toString(), config)
                .redirectError(ProcessBuilder.Redirect.INHERIT), "attached", "hook_hold " + config + " did not attach"), config);
    }

    /** Closes its stdin: it detaches and exits. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            throw e;
        }
        if (exit != 0) {
            throw new IllegalStateException("hook_hold " + config + " failed (exit " + process.exitValue() + ")");
        }
        process.getInputStream().close();
    }
}
