package io.eunomia.testkit;

import java.time.Duration;

/**
 * Outcome of a command or of a container run to completion.
 *
 * @param id       container id (full id for docker/podman, the caller's id for runc/crun), or
 *                 {@code null} for a plain command
 * @param exitCode exit code of the command (for a container: of its init process)
 * @param stdout   captured standard output
 * @param stderr   captured standard error
 * @param elapsed  wall-clock time the command took
 */
public record Result(String id, int exitCode, String stdout, String stderr, Duration elapsed) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the captured output when the exit code is not 0. */
    public Result orThrow(String what) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " failed with exit code " + exitCode
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
        }
        return this;
    }

    Result withId(String newId) {
        return new Result(newId, exitCode, stdout, stderr, elapsed);
    }
}
