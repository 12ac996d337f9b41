package io.eunomia.profiler;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A program the container ran.
 *
 * @param path      absolute path inside the container, as the kernel resolved it at exec
 * @param sha256    hex SHA-256 digests of the file's content seen (several when replicas or runs
 *                  ran different builds); empty when it could not be read cheaply (the process
 *                  was gone, the file is large)
 * @param count     successful execs of it
 * @param firstSeen the first exec
 */
public record Executable(String path, SortedSet<String> sha256, long count, Instant firstSeen)
        implements Comparable<Executable> {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public Executable {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(firstSeen, "firstSeen");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("executable path must be absolute: " + path);
        }
        for (String h : sha256) {
            if (!isSha256(h)) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits: " + h);
            }
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative count for " + path);
        }
        sha256 = Collections.unmodifiableSortedSet(new TreeSet<>(sha256));
    }

    public static boolean isSha256(String text) {
        return SHA256.matcher(text).matches();
    }

    /** The union of two sightings of the same path: hashes of both, counts added, the earlier time. */
    public Executable union(Executable other) {
        TreeSet<String> hashes = new TreeSet<>(sha256);
        hashes.addAll(other.sha256);
        return new Executable(path, hashes, count + other.count, Merging.earlier(firstSeen, other.firstSeen));
    }

    @Override
    public int compareTo(Executable o) {
        return path.compareTo(o.path);
    }
}
