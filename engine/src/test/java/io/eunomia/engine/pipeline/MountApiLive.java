package io.eunomia.engine.pipeline;

import java.nio.file.Path;

/** The set-up of the live mount tests (the new mount API, sensitive mounts): ProgramsLive with the mount-API program. */
final class MountApiLive extends ProgramsLive {
    /** @param prefix the work directory's name prefix; monitor: the class's lease */
    MountApiLive(String prefix, MonitorStart monitor) {
        super(prefix, monitor, "/mount-api/mountapi.c");
    }

    /** The mount-API program: mountapi tmpfs|bind|ro|rw|move|fs ... (see mount-api/mountapi.c). */
    Path mountapi() {
        return program("mountapi");
    }
}
