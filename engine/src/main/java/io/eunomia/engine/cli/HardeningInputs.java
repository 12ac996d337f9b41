package io.eunomia.engine.cli;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.caps.DockerDefaults;
import io.eunomia.enforcer.seccomp.ProfileProblem;
import io.eunomia.enforcer.seccomp.ReadProfile;
import io.eunomia.enforcer.seccomp.SeccompProfileException;
import io.eunomia.enforcer.seccomp.SeccompProfileReader;
import io.eunomia.profiler.AtomicFiles;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What the seccomp and caps commands share: reading their inputs, parsing lists, writing outputs. */
final class HardeningInputs {
    /** Invalid input files (exit status of {@code rules check} too). */
    static final int EXIT_INVALID = 1;

    private HardeningInputs() {
    }

    /** Learned profiles; every unreadable one is reported with file:line:column. */
    static List<Profile> learned(List<Path> files) {
        List<Profile> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(ProfileFiles.read(f));
            } catch (ProfileFormatException e) {
                errors.add(e.getMessage());
            } catch (NoSuchFileException e) {
                errors.add(f + ": no such profile file");
            } catch (IOException e) {
                errors.add(f + ": cannot read: " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new UserError(EXIT_INVALID, String.join("\n", errors), true);
        }
        return out;
    }

    /** A seccomp profile file (moby, OCI or Kubernetes). */
    static ReadProfile seccomp(Path file) {
        try {
            return SeccompProfileReader.read(file);
        } catch (SeccompProfileException e) {
            throw new UserError(EXIT_INVALID, e.problems().stream().map(ProfileProblem::toString)
                    .collect(Collectors.joining("\n")), true);
        }
    }

    /** "x86_64,aarch64" → architectures; empty list for null. */
    static List<Arch> arches(List<String> names) {
        List<Arch> out = new ArrayList<>();
        for (String n : names) {
            out.add(Arch.parse(n).orElseThrow(() -> new UserError(2, "unknown architecture '" + n
                    + "': expected x86_64 or aarch64")));
        }
        return out;
    }

    /**
     * "CAP_CHOWN,kill" → capabilities; "none" → none; "default" → Docker's default 14; "all" → every
     * capability.
     */
    static Set<Capability> caps(List<String> names) {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        for (String n : names) {
            switch (n.strip().toLowerCase(Locale.ROOT)) {
                case "", "none" -> { }
                case "default" -> out.addAll(DockerDefaults.CAPABILITIES);
                case "all" -> out.addAll(EnumSet.allOf(Capability.class));
                default -> out.add(Capability.parse(n).orElseThrow(() -> new UserError(2, "unknown capability '" + n
                        + "': expected names such as CAP_CHOWN, or none, default, all")));
            }
        }
        return out;
    }

    /** Writes text to a file atomically ({@link AtomicFiles}: temp file, fsync, rename), or to stdout. */
    static void write(Path out, String text, java.io.PrintWriter stdout) {
        if (out == null) {
            stdout.print(text);
            stdout.flush();
            return;
        }
        try {
            AtomicFiles.write(out, text);
        } catch (NoSuchFileException e) {
            throw new UserError(2, "cannot write " + out + ": its directory does not exist");
        } catch (IOException e) {
            throw new UserError(2, "cannot write " + out + ": " + e.getMessage());
        }
    }
}
