package io.eunomia.engine.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The bearer token of the TCP control endpoint, read from a file only its owner can read: a token
 * that others can read is no secret, so such a file is refused (like ssh refuses a private key).
 */
public final class TokenFile {
    static final int MIN_LENGTH = 16;

    private TokenFile() {}

    /** @throws IllegalArgumentException saying what is wrong and what to do */
    public static byte[] read(Path file) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the token file (" + e.getMessage() + ")");
        }
        if (!a.isRegularFile()) {
            throw new IllegalArgumentException(file + ": the token file must be a regular file (not a link or directory)");
        }
        Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        others.retainAll(a.permissions());
        if (!others.isEmpty()) {
            throw new IllegalArgumentException(file + ": the token file is open to others (" + java.nio.file.attribute
                    .PosixFilePermissions.toString(a.permissions()) + "); chmod 600 " + file);
        }
        try {
            if (!a.owner().equals(Files.getOwner(Path.of("/proc/self")))) {
                throw new IllegalArgumentException(file + ": the token file belongs to " + a.owner().getName()
                        + ", not to the user eunomia runs as; chown it");
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException(file + ": the token must be at least " + MIN_LENGTH
                        + " printable characters without spaces; e.g. head -c 32 /dev/urandom | base64 > " + file);
            }
            return token.getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the token file (" + e.getMessage() + ")");
        }
    }
}
