package io.eunomia.rules.internal;

import io.eunomia.rules.RuleSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The key of a rule build: SHA-256 over the sources (names and texts, in order) and over the
 * classes the generated code is linked against (event records, the alert sink, the match helpers)
 * and the Drools version, so a cached build never outlives a change to any of them.
 */
public final class CacheKey {
    private static final List<String> LINKED = List.of(
            "io/eunomia/event/Event", "io/eunomia/event/EventType", "io/eunomia/event/ProcessInfo",
            "io/eunomia/event/ContainerInfo", "io/eunomia/event/ExecEvent", "io/eunomia/event/ExitEvent",
            "io/eunomia/event/ForkEvent", "io/eunomia/event/FileEvent", "io/eunomia/event/FileOp",
            "io/eunomia/event/NetEvent", "io/eunomia/event/NetOp", "io/eunomia/event/SocketFamily",
            "io/eunomia/event/SocketType", "io/eunomia/event/StreamKind", "io/eunomia/event/CapEvent",
            "io/eunomia/event/SyscallEvent", "io/eunomia/rules/AlertSink", "io/eunomia/rules/Match",
            "io/eunomia/rules/EventFields");
    /** Bumped when how rules are built changes (KieModules settings, the generated annotations: 2 = @netEvents with ports) in a way the inputs above do not show. */
    private static final String BUILD_FORMAT = "executable-model/2";
    private static final byte[] LINKED_DIGEST = linkedDigest();

    private CacheKey() {}

    public static String of(List<RuleSource> sources) {
        MessageDigest md = sha256();
        md.update(LINKED_DIGEST);
        for (RuleSource s : sources) {
            field(md, s.name());
            field(md, s.text());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void field(MessageDigest md, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(b);
    }

    private static byte[] linkedDigest() {
        MessageDigest md = sha256();
        field(md, BUILD_FORMAT);
        ClassLoader loader = CacheKey.class.getClassLoader();
        // The Drools version as its pom says: the jar manifest's is gone once the jar is shaded.
        for (String pom : List.of("META-INF/maven/org.drools/drools-core/pom.properties",
                "META-INF/maven/org.drools/drools-model-codegen/pom.properties")) {
            try (InputStream in = loader.getResourceAsStream(pom)) {
                field(md, in == null ? pom + " missing" : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines().filter(l -> l.startsWith("version=")).findFirst().orElse(""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String c : LINKED) {
            try (InputStream in = loader.getResourceAsStream(c + ".class")) {
                if (in == null) {
                    throw new IllegalStateException(c + ".class missing from the class path");
                }
                md.update(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
