package io.eunomia.enforcer.verify;

import java.io.IOException;
import java.time.Duration;

/** Runs a workload in one real runtime with a confinement, in the foreground, and removes it after. */
public interface ContainerLauncher {
    ContainerRuntime runtime();

    /**
     * @throws IllegalArgumentException when the runtime cannot run this workload (e.g. docker and a
     *                                  root file system), with what to do instead
     * @throws IOException              when the runtime cannot be started
     */
    Launch run(Workload workload, Confinement confinement, Duration timeout) throws IOException;
}
