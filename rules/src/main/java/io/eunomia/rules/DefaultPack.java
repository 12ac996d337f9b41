package io.eunomia.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shipped rules: every rule file in the class-path directory {@value #DIR} (the rules module's
 * resources), by name, as "default:FILE" sources. Works from a build directory and from the jar.
 */
public final class DefaultPack {
    public static final String DIR = "io/eunomia/rules/default/";
    /** What the names of the pack's sources (and so the places of its rules) start with. */
    public static final String SOURCE_PREFIX = "default:";

    private DefaultPack() {}

    public static List<RuleSource> sources() throws IOException {
        URL url = DefaultPack.class.getClassLoader().getResource(DIR);
        if (url == null) {
            throw new IOException("default rule pack missing: no " + DIR + " on the class path");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("default rule pack at a bad URL: " + url, e);
        }
        if (uri.getScheme().equals("jar")) {
            FileSystem fs;
            boolean opened = false;
            try {
                fs = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                fs = FileSystems.getFileSystem(uri);
            }
            try {
                return read(fs.provider().getPath(uri));
            } finally {
                if (opened) {
                    fs.close();
                }
            }
        }
        return read(Path.of(uri));
    }

    private static List<RuleSource> read(Path dir) throws IOException {
        List<RuleSource> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(DefaultPack::isRuleFile).sorted().toList()) {
                out.add(new RuleSource(SOURCE_PREFIX + f.getFileName(), Files.readString(f, StandardCharsets.UTF_8)));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    /** Whether a source name, or a rule's place ("file:line"), is the pack's. */
    public static boolean isPackSource(String nameOrPlace) {
        return nameOrPlace.startsWith(SOURCE_PREFIX);
    }

    private static boolean isRuleFile(Path f) {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".drl") || n.endsWith(".yaml") || n.endsWith(".yml"));
    }
}
