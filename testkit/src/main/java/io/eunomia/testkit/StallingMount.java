package io.eunomia.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A FUSE mount whose daemon never answers (stallfs.c): every lookup below it waits in the kernel,
 * as below a hung FUSE daemon or NFS server, until {@link #close} ends the daemon (the waiting
 * lookups then fail) and the mount goes.
 */
public final class StallingMount implements AutoCloseable {
    private final Process daemon;
    private final Path dir;

    private StallingMount(Process daemon, Path dir) {
        this.daemon = daemon;
        this.dir = dir;
    }

    /** Mounts it at dir (an empty directory) and returns once mounted. */
    public static StallingMount at(Path dir) throws IOException {
        Path bin = StaticPrograms.build("stallfs");
        Process p = ReadyProcess.start(new ProcessBuilder(bin.toString(), dir.toString()).redirectErrorStream(true), "ready",
                "stallfs did not mount at " + dir);
        StallingMount m = new StallingMount(p, dir);
        Cleanup.register(m);
        return m;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        Cleanup.unregister(this);
        daemon.destroy();  // SIGTERM: it unmounts, then its /dev/fuse closes and the waiting lookups fail
        try {
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
