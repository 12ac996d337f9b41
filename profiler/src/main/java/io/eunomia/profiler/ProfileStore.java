package io.eunomia.profiler;

import io.eunomia.profiler.LearnSelection.ProfileKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where learned profiles go: one file, or one file per container or image in a directory. Knows
 * which file belongs to which profile (a container's name, or its name and image when another
 * image's profile has the name's file already), finds a profile learned earlier under the same
 * name and image so learning continues it, and never writes over a file it could not read.
 */
public final class ProfileStore {
    /** A file that holds another container's profile, or cannot be read: left alone. */
    public static final class ConflictException extends IOException {
        public ConflictException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final Path dir;
    private final Map<ProfileKey, Path> paths = new ConcurrentHashMap<>();

    private ProfileStore(Path file, Path dir) {
        this.file = file;
        this.dir = dir;
    }

    /** Everything into one file (one profile). */
    public static ProfileStore file(Path file) {
        return new ProfileStore(file.toAbsolutePath().normalize(), null);
    }

    /** One file per profile in {@code dir} (created if missing). */
    public static ProfileStore directory(Path dir) {
        return new ProfileStore(null, dir.toAbsolutePath().normalize());
    }

    public boolean singleFile() {
        return file != null;
    }

    /**
     * Checks the place before learning starts: the directory exists or can be made, and a file
     * there already is a readable profile (nothing would be written over a broken one).
     *
     * @param names the profile names known in advance (containers and images asked for by name)
     */
    public void check(List<String> names) throws IOException {
        if (file != null) {
            Path parent = file.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new IOException("no directory " + parent + " for " + file);
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                ProfileFiles.read(file);
            }
            return;
        }
        Files.createDirectories(dir);
        for (String name : names) {
            Path p = dir.resolve(ProfileFiles.fileName(name));
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                ProfileFiles.read(p);
            }
        }
    }

    /**
     * The profile learned before for this name and image, if its file is there (learning then
     * continues it); empty for a new one.
     *
     * @throws ProfileFormatException when the file cannot be read (it is left alone)
     * @throws ConflictException      when the file holds another profile and no other name is free
     */
    public Optional<Profile> earlier(ProfileKey key) throws IOException {
        if (file != null) {
            return find(key, List.of(file));
        }
        return find(key, List.of(dir.resolve(ProfileFiles.fileName(key.name())),
                dir.resolve(ProfileFiles.fileName(key.name() + "_" + key.image()))));
    }

    private Optional<Profile> find(ProfileKey key, List<Path> candidates) throws IOException {
        StringBuilder taken = new StringBuilder();
        for (Path p : candidates) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                paths.put(key, p);
                return Optional.empty();
            }
            Profile earlier = ProfileFiles.read(p);
            if (key.matches(earlier.metadata())) {
                paths.put(key, p);
                return Optional.of(earlier);
            }
            taken.append(taken.isEmpty() ? "" : "; ").append(p).append(" holds the profile of ")
                    .append(earlier.metadata().name()).append(" (image '").append(earlier.metadata().image()).append("')");
        }
        throw new ConflictException(taken + ", not of " + key.name() + " (image '" + key.image()
                + "'): choose another " + (file != null ? "--out" : "--out-dir") + " or move the file away");
    }

    /** Where the profile of {@code key} is written ({@link #earlier} decides it first). */
    public Path pathOf(ProfileKey key) throws IOException {
        Path p = paths.get(key);
        if (p == null) {
            earlier(key);
            p = paths.get(key);
        }
        return p;
    }

    /** Writes atomically (temp file, fsync, rename). */
    public Path write(ProfileKey key, Profile profile) throws IOException {
        Path p = pathOf(key);
        ProfileFiles.write(p, profile);
        return p;
    }
}
