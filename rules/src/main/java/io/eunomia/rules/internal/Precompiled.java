package io.eunomia.rules.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Rule builds shipped in the jar: the build compiles the default pack once ({@link Precompile})
 * and stores its kjar under its key, so a start with the default rules alone compiles nothing.
 */
public final class Precompiled {
    static final String DIR = "io/eunomia/rules/precompiled/";

    private Precompiled() {}

    public static Optional<byte[]> find(String key) {
        try (InputStream in = Precompiled.class.getClassLoader().getResourceAsStream(DIR + key + ".kjar")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
