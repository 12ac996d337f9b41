package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.StreamKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kie.api.runtime.KieSession;

/** Built rule bases are reused by key, from the jar or a private directory, and never trusted blindly. */
class RuleCacheTest {
    private static final String RULE = """
            package cachetest;
            import io.eunomia.event.*;
            global io.eunomia.rules.AlertSink alerts;
            rule "Shell exec" @priority("WARNING") @output("%proc.name")
            when $e : ExecEvent( exe == "/bin/sh" )
            then alerts.raise(drools, $e); end
            """;

    /** A cache in memory that counts what the compiler asks of it. */
    private static final class Counting implements RuleCache {
        final Map<String, byte[]> entries = new ConcurrentHashMap<>();
        int hits;
        int puts;

        @Override
        public Optional<byte[]> get(String key) {
            Optional<byte[]> v = Optional.ofNullable(entries.get(key));
            if (v.isPresent()) {
                hits++;
            }
            return v;
        }

        @Override
        public void put(String key, byte[] kjar) {
            puts++;
            entries.put(key, kjar);
        }
    }

    @Test
    void aSecondCompileOfTheSameSourcesLoadsTheFirstBuildAndItsRulesFire() throws Exception {
        Counting cache = new Counting();
        List<RuleSource> sources = List.of(new RuleSource("t.drl", RULE));
        DrlCompiler.compile(sources, Map.of(), cache);
        assertThat(cache.puts).isEqualTo(1);
        RuleBase again = DrlCompiler.compile(sources, Map.of(), cache);
        assertThat(cache.hits).isEqualTo(1);
        assertThat(cache.puts).isEqualTo(1);
        assertThat(fired(again)).containsExactly("Shell exec");
        assertThat(again.rule("Shell exec").orElseThrow().priority()).isEqualTo(Priority.WARNING);

        // Any change to the sources is a new key.
        DrlCompiler.compile(List.of(new RuleSource("t.drl", RULE.replace("/bin/sh", "/bin/bash"))), Map.of(), cache);
        assertThat(cache.puts).isEqualTo(2);
    }

    @Test
    void aCorruptEntryIsCompiledAgain() throws Exception {
        Counting cache = new Counting();
        List<RuleSource> sources = List.of(new RuleSource("t.drl", RULE));
        DrlCompiler.compile(sources, Map.of(), cache);
        cache.entries.replaceAll((k, v) -> "not a jar".getBytes());
        RuleBase base = DrlCompiler.compile(sources, Map.of(), cache);
        assertThat(cache.puts).isEqualTo(2);
        assertThat(fired(base)).containsExactly("Shell exec");
    }

    @Test
    void theDefaultPackShipsPrecompiled() throws Exception {
        RuleCache mustNotCompile = new RuleCache() {
            @Override
            public Optional<byte[]> get(String key) {
                return Optional.empty();
            }

            @Override
            public void put(String key, byte[] kjar) {
                throw new AssertionError("the default pack was compiled at run time: the build's precompiled kjar is missing or stale");
            }
        };
        RuleBase base = RuleCompiler.compile(DefaultPack.sources(), mustNotCompile);
        assertThat(base.rules()).hasSizeGreaterThanOrEqualTo(25);
    }

    @Test
    void rulesTheExecutableModelRejectsRunInterpreted() throws Exception {
        // The executable model wraps function bodies in a try/catch binding "e": a parameter of that
        // name does not compile there, but is valid DRL.
        String drl = RULE.replace("when $e : ExecEvent( exe == \"/bin/sh\" )", "when $e : ExecEvent( isShell(this) )")
                .replace("rule \"Shell exec\"", """
                        function boolean isShell(ExecEvent e) { return e.exe().equals("/bin/sh"); }
                        rule "Shell exec\"""");
        Counting cache = new Counting();
        RuleBase base = DrlCompiler.compile(List.of(new RuleSource("t.drl", drl)), Map.of(), cache);
        assertThat(fired(base)).containsExactly("Shell exec");
        assertThat(cache.puts).isZero();
    }

    @Test
    void aDirectoryCacheIsCreatedPrivateAndSurvivesARestart(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("var/cache/eunomia/rules");   // missing parents are made too
        List<RuleSource> sources = List.of(new RuleSource("t.drl", RULE));
        DrlCompiler.compile(sources, Map.of(), RuleCache.directory(dir));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).singleElement()
                    .satisfies(n -> assertThat(n).matches("[0-9a-f]{64}\\.kjar"));
        }
        Counting none = new Counting();
        RuleCache reopened = RuleCache.directory(dir);
        RuleCache spy = new RuleCache() {
            @Override
            public Optional<byte[]> get(String key) {
                Optional<byte[]> v = reopened.get(key);
                v.ifPresent(b -> none.hits++);
                return v;
            }

            @Override
            public void put(String key, byte[] kjar) {
                none.puts++;
            }
        };
        assertThat(fired(DrlCompiler.compile(sources, Map.of(), spy))).containsExactly("Shell exec");
        assertThat(none.hits).isEqualTo(1);
        assertThat(none.puts).isZero();
    }

    @Test
    void aDirectoryOthersMayWriteIsNotUsed(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        RuleCache cache = RuleCache.directory(dir);
        cache.put("a".repeat(64), new byte[] {1});
        assertThat(cache.get("a".repeat(64))).isEmpty();
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void aSymbolicLinkIsNotUsedAndKeysCannotNameOtherFiles(@TempDir Path tmp) throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        RuleCache viaLink = RuleCache.directory(link);
        viaLink.put("b".repeat(64), new byte[] {1});
        assertThat(listing(real)).isEmpty();

        RuleCache cache = RuleCache.directory(real);
        cache.put("../escape", new byte[] {1});
        assertThat(cache.get("../escape")).isEmpty();
        assertThat(Files.exists(tmp.resolve("escape.kjar"))).isFalse();
        assertThat(listing(real)).isEmpty();
    }

    @Test
    void aCacheDirectorySwappedForALinkAfterFirstUseIsNotRead(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("cache");
        RuleCache cache = RuleCache.directory(dir);
        String key = "c".repeat(64);
        cache.put(key, new byte[] {1, 2, 3});
        assertThat(cache.get(key)).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
        // Someone who could write the parent swaps in a directory of their own.
        Path evil = Files.createDirectory(tmp.resolve("evil"));
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.write(evil.resolve(key + ".kjar"), new byte[] {6, 6, 6});
        Files.move(dir, tmp.resolve("moved"));
        Files.createSymbolicLink(dir, evil);
        assertThat(cache.get(key)).isEmpty();
    }

    @Test
    void aCacheBelowADirectoryOthersMayWriteIsNotUsed(@TempDir Path tmp) throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));   // not sticky
        RuleCache cache = RuleCache.directory(open.resolve("cache"));
        cache.put("d".repeat(64), new byte[] {1});
        assertThat(cache.get("d".repeat(64))).isEmpty();
        assertThat(Files.exists(open.resolve("cache"))).isFalse();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    private static List<String> fired(RuleBase base) {
        KieSession s = base.kieBase().newKieSession();
        List<String> out = new ArrayList<>();
        s.setGlobal(AlertSink.GLOBAL, (AlertSink) (ctx, events) -> out.add(ctx.getRule().getName()));
        s.insert(Events.exec("/bin/sh", List.of("sh"), StreamKind.PIPE, Events.WEB));
        s.insert(Events.exec("/bin/true", List.of("true"), StreamKind.PIPE, Events.WEB));
        s.fireAllRules();
        s.dispose();
        return out;
    }
}
