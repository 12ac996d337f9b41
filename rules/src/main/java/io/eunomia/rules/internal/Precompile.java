package io.eunomia.rules.internal;

import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleCache;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Build step (run by Maven after the classes are compiled): builds the default pack and stores
 * its kjar in the class output under {@link Precompiled#DIR}, so that starting with the default
 * rules loads compiled classes instead of running the Drools compiler.
 *
 * <p>Usage: {@code Precompile OUTPUT_CLASSES_DIR}
 */
public final class Precompile {
    /**
     * Drools' progress and its package-versus-folder advice are noise in a build log (the build
     * still fails on a rule error). Held in fields: java.util.logging keeps loggers only weakly.
     */
    private static final Logger DROOLS = Logger.getLogger("org.drools");
    private static final Logger KIE = Logger.getLogger("org.kie");

    private Precompile() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Precompile OUTPUT_CLASSES_DIR");
        }
        DROOLS.setLevel(Level.SEVERE);
        KIE.setLevel(Level.SEVERE);
        Path dir = Path.of(args[0]).resolve(Precompiled.DIR);
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path f : old.toList()) {
                Files.delete(f);
            }
        }
        long start = System.nanoTime();
        RuleCompiler.compile(DefaultPack.sources(), new RuleCache() {
            @Override
            public Optional<byte[]> get(String key) {
                return Optional.empty();
            }

            @Override
            public void put(String key, byte[] kjar) {
                try {
                    Files.write(dir.resolve(key + ".kjar"), kjar);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        try (var made = Files.list(dir)) {
            if (made.findAny().isEmpty()) {
                throw new IllegalStateException("the default pack did not build as an executable model");
            }
        }
        System.out.printf("precompiled the default rule pack in %d ms into %s%n", (System.nanoTime() - start) / 1_000_000, dir);
    }
}
