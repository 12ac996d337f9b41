package io.eunomia.profiler;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Whose profile this is and how it was learned.
 *
 * @param name         the container's name (or the image's, for a profile of every container of an image)
 * @param image        its image reference; "" when the runtime has none (bare runc/crun)
 * @param runtimes     the runtimes that set the learned containers up (one unless profiles of
 *                     replicas under different runtimes were merged)
 * @param containerIds the containers learned, in the order they were first seen
 * @param userIds      the user ids (real and effective) the workload's processes ran as
 * @param noNewPrivs   whether the workload ran with no_new_privs set; null when unknown.
 *                     Merging gives true only when every side was true.
 * @param learnedFrom  start of the first learning run
 * @param learnedUntil end of the last (or the last checkpoint)
 * @param warnings     what makes the profile incomplete (a full kernel map, lost events), one
 *                     sentence each; empty for a complete profile
 */
public record ProfileMetadata(String name, String image, SortedSet<RuntimeInfo> runtimes, List<String> containerIds,
                              SortedSet<Integer> userIds, Boolean noNewPrivs, Instant learnedFrom, Instant learnedUntil,
                              List<String> warnings) {
    public ProfileMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(learnedFrom, "learnedFrom");
        Objects.requireNonNull(learnedUntil, "learnedUntil");
        if (name.isBlank()) {
            throw new IllegalArgumentException("profile name must not be blank");
        }
        if (learnedUntil.isBefore(learnedFrom)) {
            throw new IllegalArgumentException("learned_until " + learnedUntil + " is before learned_from " + learnedFrom);
        }
        runtimes = Collections.unmodifiableSortedSet(new TreeSet<>(runtimes));
        containerIds = List.copyOf(new LinkedHashSet<>(containerIds));
        userIds = Collections.unmodifiableSortedSet(new TreeSet<>(userIds));
        warnings = List.copyOf(new LinkedHashSet<>(warnings));
    }

    /** Union: both sides' containers, users, runtimes and warnings; the whole time span. */
    public ProfileMetadata union(ProfileMetadata other) {
        TreeSet<RuntimeInfo> rt = new TreeSet<>(runtimes);
        rt.addAll(other.runtimes);
        LinkedHashSet<String> ids = new LinkedHashSet<>(containerIds);
        ids.addAll(other.containerIds);
        TreeSet<Integer> users = new TreeSet<>(userIds);
        users.addAll(other.userIds);
        LinkedHashSet<String> warn = new LinkedHashSet<>(warnings);
        warn.addAll(other.warnings);
        Boolean nnp = noNewPrivs == null || other.noNewPrivs == null ? null : noNewPrivs && other.noNewPrivs;
        return new ProfileMetadata(name, image, rt, List.copyOf(ids), users, nnp,
                Merging.earlier(learnedFrom, other.learnedFrom), Merging.later(learnedUntil, other.learnedUntil),
                List.copyOf(warn));
    }

    public ProfileMetadata withLearnedUntil(Instant until) {
        return new ProfileMetadata(name, image, runtimes, containerIds, userIds, noNewPrivs, learnedFrom,
                Merging.later(until, learnedFrom), warnings);
    }

    public ProfileMetadata withName(String newName, String newImage) {
        return new ProfileMetadata(newName, newImage, runtimes, containerIds, userIds, noNewPrivs, learnedFrom,
                learnedUntil, warnings);
    }
}
