package io.eunomia.profiler.kernel;

import io.eunomia.libbpf.RootLookup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SHA-256 of the file an exec ran, at most {@link #MAX_BYTES} (the learner reads on the sensors'
 * thread). Through /proc/PID/exe while the process runs; else by its path inside the container's
 * root, looked up by the kernel below that root (openat2 RESOLVE_IN_ROOT: a symlink or ".." on
 * the way never leads out of it), and only a regular file is read.
 */
final class ExecutableHash {
    static final long MAX_BYTES = 32L << 20;

    private ExecutableHash() {}

    /** The very file the process runs, while it still runs a file by that name. */
    static Optional<String> ofProcess(int pid, String exe) {
        Path link = Path.of("/proc", Integer.toString(pid), "exe");
        try {
            String target = Files.readSymbolicLink(link).toString();
            if (!target.equals(exe) && !target.endsWith(exe)) {
                return Optional.empty();   // it exec'd something else meanwhile
            }
            return Optional.of(sha256(link));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * The file at exe (an absolute path as the container sees it) below root (where the host
     * reaches the container's root directory): what a process gone already ran, unless replaced since.
     */
    static Optional<String> inRoot(Path root, String exe) {
        try {
            // Never a FIFO or device (reading could block or never end); the file the lookup found.
            return RootLookup.readRegular(root, exe, ExecutableHash::sha256);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The file's SHA-256 in hex; an IOException too when it is larger than {@link #MAX_BYTES}. */
    private static String sha256(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + ": larger than " + MAX_BYTES + " bytes");
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_BYTES) {
                    throw new IOException(file + ": grew past " + MAX_BYTES + " bytes while read");
                }
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
