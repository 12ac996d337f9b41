package io.eunomia.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A rule file's name and text. The name is what errors show (a path, or "default:NAME" for the
 * shipped pack).
 */
public record RuleSource(String name, String text) {
    public static RuleSource read(Path file) throws IOException {
        return new RuleSource(file.toString(), Files.readString(file));
    }

    public boolean isDrl() {
        return name.endsWith(".drl");
    }

    public boolean isYaml() {
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }
}
