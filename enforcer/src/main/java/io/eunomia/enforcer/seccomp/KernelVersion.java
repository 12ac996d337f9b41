package io.eunomia.enforcer.seccomp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel version as moby's {@code minKernel} compares it: major and minor only ("4.8"); patch
 * levels and distribution suffixes ("6.18.3-amd64") are ignored.
 */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)");
    private static final Pattern EXACT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})");

    public KernelVersion {
        if (major < 0 || minor < 0 || (major == 0 && minor == 0)) {
            throw new IllegalArgumentException("kernel version must be above 0.0: " + major + "." + minor);
        }
    }

    /** Parses {@code minKernel}'s form, exactly "X.Y". */
    public static Optional<KernelVersion> parseMinKernel(String text) {
        Matcher m = EXACT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major == 0 && minor == 0 ? Optional.empty() : Optional.of(new KernelVersion(major, minor));
    }

    /** The leading "X.Y" of a release string such as {@code uname -r}'s "6.18.3-amd64". */
    public static Optional<KernelVersion> parseRelease(String release) {
        Matcher m = LEADING.matcher(release == null ? "" : release.strip());
        return m.find() ? Optional.of(new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    /** The running kernel's version (from /proc/sys/kernel/osrelease). */
    public static KernelVersion running() {
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            return parseRelease(release).orElseThrow(() -> new IllegalStateException("unreadable kernel release " + release));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/sys/kernel/osrelease", e);
        }
    }

    @Override
    public int compareTo(KernelVersion o) {
        int c = Integer.compare(major, o.major);
        return c != 0 ? c : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
