package io.eunomia.engine.cli;

import io.eunomia.enforcer.kernel.ProfileTarget;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileFiles;
import io.eunomia.profiler.ProfileMerge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Profiles named on the command line, as what they are enforced on. A file that is not a
 * profile is an error with its file:line:column ({@link ProfileLoadException}).
 */
final class ProfileTargets {
    private ProfileTargets() {}

    /** A profile file that could not be read; the message says where and what. */
    static final class ProfileLoadException extends Exception {
        ProfileLoadException(String message) {
            super(message);
        }
    }

    /**
     * Every profile file of a directory (*.yaml, *.yml, *.json, by name), each for the containers
     * it was learned for: by its name (a container's) or its image.
     */
    static List<ProfileTarget> fromDirectory(Path dir) throws ProfileLoadException {
        if (!Files.isDirectory(dir)) {
            throw new ProfileLoadException(dir + ": not a directory; --profiles takes a directory of profile files");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> isProfileFile(f) && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new ProfileLoadException(dir + ": cannot list: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new ProfileLoadException(dir + ": no profile files (*.yaml, *.yml, *.json); learn some with eunomia learn");
        }
        return own(files);
    }

    /**
     * Profile files for one container or image (merged into one profile), or, with neither, each
     * for the containers it was learned for.
     */
    static List<ProfileTarget> fromFiles(List<Path> files, String container, String image) throws ProfileLoadException {
        if (container == null && image == null) {
            return own(files);
        }
        List<Profile> profiles = new ArrayList<>();
        for (Path f : files) {
            profiles.add(read(f));
        }
        Profile merged;
        try {
            merged = ProfileMerge.merge(profiles, false);
        } catch (IllegalArgumentException e) {
            throw new ProfileLoadException(e.getMessage());
        }
        ProfileTarget.Selector selector = container != null ? new ProfileTarget.Selector.Container(container)
                : new ProfileTarget.Selector.Image(image);
        String name = files.size() == 1 ? merged.metadata().name() : String.join("+", profiles.stream().map(p -> p.metadata().name()).toList());
        return List.of(new ProfileTarget(name, files.size() == 1 ? files.getFirst() : null, merged, selector));
    }

    private static List<ProfileTarget> own(List<Path> files) throws ProfileLoadException {
        List<ProfileTarget> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path f : files) {
            Profile p = read(f);
            String name = p.metadata().name();
            if (!names.add(name)) {
                throw new ProfileLoadException(f + ": a second profile named " + name
                        + "; merge them (eunomia profile merge) or keep one");
            }
            out.add(new ProfileTarget(name, f, p, new ProfileTarget.Selector.Own()));
        }
        return out;
    }

    private static Profile read(Path f) throws ProfileLoadException {
        try {
            return ProfileFiles.read(f);
        } catch (NoSuchFileException e) {
            throw new ProfileLoadException(f + ": no such profile file");
        } catch (IOException e) {
            // ProfileFormatException's message is file:line:column: what is wrong
            throw new ProfileLoadException(e.getMessage());
        }
    }

    private static boolean isProfileFile(Path f) {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }
}
