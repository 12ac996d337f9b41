package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evasion routes (issue 16) of path calls other than an open: unlink, rename, mkdir, symlink and
 * chmod below /etc through a bind mount of /etc (on the host in a private mount namespace made with
 * unshare, and in a runc busybox container with CAP_SYS_ADMIN) and through a symlinked directory
 * (`ln -s /etc W/e`). The default pack must raise the alert of the direct way, naming /etc/...,
 * with the caller's text in fd.name_given / file.newpath_given (FileEvent.pathGiven/newPathGiven);
 * chmod, which no default rule watches by path, is seen by a rule of the test's own.
 *
 * <p>Only files the test made below /etc are acted on, and removed after. The acting shell waits
 * for a go file before it ends, so its namespace and root are still there when the records are
 * decoded (user space resolves the paths then: README, "Not covered yet").
 */
@SharesLiveMonitor(SharedLiveMonitor.Configuration.DEFAULT_PACK_AND_PROBES)
class PathCallsThroughBindLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String WRITE = "Write below system directory";
    private static final String CHMOD = "Test chmod below etc";

    private static Path work;
    private static LiveMonitor live;
    private static InMemoryOutput out;
    private static ShadowBox box;
    private static final String NAME = "eunomia-bindpath-" + ProcessHandle.current().pid();
    private final List<Path> made = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory(Path.of("/tmp"), "eunomia-bindpath-");
        live = LiveMonitor.sharedWithProbeRules(PathCallsThroughBindLiveTest.class, WAIT);  // CHMOD among its test rules
        out = live.out();
        box = ShadowBox.start("bindpath", c -> { }, ShadowBox.ADMIN_CAPS);
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        ShadowBox.close(box);
        LiveProcesses.deleteTree(work);
    }

    @AfterEach
    void removeWhatWasMade() throws Exception {
        for (Path p : made) {
            Files.deleteIfExists(p);  // a file, an empty directory or a symlink (not followed)
        }
    }

    /** Files below /etc for one test: created now (those to act on) or removed after (all). */
    private String etc(String suffix, boolean create) throws Exception {
        Path p = Path.of("/etc", NAME + "." + suffix);
        made.add(p);
        if (create) {
            Files.writeString(p, "x\n");
        }
        return p.getFileName().toString();
    }

    /**
     * Runs script on the host with sh, leaving its shell alive until the alerts came; returns the
     * alerts since it started, after awaiting each expected (rule, text) pair.
     */
    private static List<Alert> actOnHost(String script, String[][] expected) throws Exception {
        Path go = work.resolve("go-" + System.nanoTime());
        Recorder.Mark mark = out.mark();
        CompletableFuture<Ran> ran = CompletableFuture.supplyAsync(() -> run(List.of("sh", "-c",
                script + " && echo acted && while [ ! -e " + go + " ]; do sleep 0.2; done")));
        try {
            return awaitAll(mark, expected, ran);
        } finally {
            Files.writeString(go, "");
            Ran r = ran.get(30, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    /** The same in the container (its shell waits for /tmp/go-N in the container). */
    private static List<Alert> actInBox(String script, String[][] expected) throws Exception {
        String go = "/tmp/go-" + System.nanoTime();
        Recorder.Mark mark = out.mark();
        CompletableFuture<Ran> ran = CompletableFuture.supplyAsync(() -> {
            try {
                return box.exec("sh", "-c", script + " && echo acted && while [ ! -e " + go + " ]; do sleep 1; done");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return awaitAll(mark, expected, ran);
        } finally {
            box.exec("touch", go);
            Ran r = ran.get(30, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    private static List<Alert> awaitAll(Recorder.Mark mark, String[][] expected, CompletableFuture<Ran> ran) throws Exception {
        List<Alert> found = new ArrayList<>();
        for (String[] e : expected) {
            Alert a;
            try {
                a = out.awaitAfter(mark, e[0], x -> x.output().contains(e[1]), WAIT);
            } catch (AssertionError | RuntimeException failed) {
                if (ran.isDone()) {  // the act failed: say how
                    throw new AssertionError("act ended: " + ran.join().output(), failed);
                }
                throw failed;
            }
            found.add(a);
        }
        return found;
    }

    private static Ran run(List<String> cmd) {
        try {
            return LiveProcesses.runToEnd(cmd);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FileEvent file(Alert a) {
        return (FileEvent) a.event();
    }

    @Test
    void pathCallsThroughABindMountOfEtcAreBelowEtcOnTheHost() throws Exception {
        Path m = Files.createDirectory(work.resolve("etc-bind"));
        String rm = etc("rm", true);
        String mv = etc("mv", true);
        String moved = etc("moved", false);
        String dir = etc("dir", false);
        String sym = etc("sym", false);
        String ch = etc("chmod", true);
        String script = "exec unshare -m --propagation private sh -c 'mount --bind /etc " + m
                + " && rm " + m + "/" + rm + " && mv " + m + "/" + mv + " " + m + "/" + moved
                + " && mkdir " + m + "/" + dir + " && ln -s /nowhere " + m + "/" + sym
                + " && chmod 600 " + m + "/" + ch + " && echo acted && while [ ! -e " + work + "/go-bind ]; do sleep 0.2; done'";
        Recorder.Mark mark = out.mark();
        CompletableFuture<Ran> ran = CompletableFuture.supplyAsync(() -> run(List.of("sh", "-c", script)));
        List<Alert> a;
        try {
            a = awaitAll(mark, new String[][] {
                {WRITE, "op=unlink file=/etc/" + rm + " "},
                {WRITE, "op=rename file=/etc/" + mv + " new=/etc/" + moved + " "},
                {WRITE, "op=mkdir file=/etc/" + dir + " "},
                {WRITE, "op=symlink file=/nowhere new=/etc/" + sym + " "},
                {CHMOD, "file=/etc/" + ch + " given=" + m + "/" + ch + ")"},
            }, ran);
        } finally {
            Files.writeString(work.resolve("go-bind"), "");
            Ran r = ran.get(30, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.output()).isZero();
        }
        assertThat(file(a.get(0)).pathGiven()).isEqualTo(m + "/" + rm);
        assertThat(file(a.get(1)).pathGiven()).isEqualTo(m + "/" + mv);
        assertThat(file(a.get(1)).newPathGiven()).isEqualTo(m + "/" + moved);
        assertThat(file(a.get(2)).pathGiven()).isEqualTo(m + "/" + dir);
        assertThat(file(a.get(3)).newPathGiven()).isEqualTo(m + "/" + sym);
        // The direct way: the same alert, the text is the path.
        String direct = etc("direct", true);
        Alert d = actOnHost("rm /etc/" + direct, new String[][] {{WRITE, "op=unlink file=/etc/" + direct + " "}}).get(0);
        assertThat(file(d).pathGiven()).isEmpty();
    }

    @Test
    void pathCallsThroughASymlinkedDirectoryAreBelowEtc() throws Exception {
        Path e = Files.createSymbolicLink(work.resolve("e"), Path.of("/etc"));
        // Relative, with a ".." after a symlink: e/.. is /etc/.. = /, not the work directory.
        Path deeper = Files.createSymbolicLink(work.resolve("d"), Path.of("e/.." + work + "/e"));
        String rm = etc("s-rm", true);
        String mv = etc("s-mv", true);
        String moved = etc("s-moved", false);
        String dir = etc("s-dir", false);
        String ch = etc("s-chmod", true);
        Path toFile = Files.createSymbolicLink(work.resolve("f"), Path.of("/etc", ch));  // chmod follows it
        // A ".." of the caller's own right after a symlinked directory: sub/.. is /etc, not the work directory.
        Path sub = Files.createSymbolicLink(work.resolve("sub"), Path.of("/etc/default"));
        String up = etc("s-up", true);
        List<Alert> a = actOnHost("rm " + e + "/" + rm + " && mv " + deeper + "/" + mv + " " + e + "/" + moved
                + " && mkdir " + deeper + "/" + dir + " && chmod 600 " + toFile + " && rm " + sub + "/../" + up,
                new String[][] {
                    {WRITE, "op=unlink file=/etc/" + rm + " "},
                    {WRITE, "op=rename file=/etc/" + mv + " new=/etc/" + moved + " "},
                    {WRITE, "op=mkdir file=/etc/" + dir + " "},
                    {CHMOD, "file=/etc/" + ch + " given=" + toFile + ")"},
                    {WRITE, "op=unlink file=/etc/" + up + " "},
                });
        assertThat(file(a.get(0)).pathGiven()).isEqualTo(e + "/" + rm);
        assertThat(file(a.get(1)).pathGiven()).isEqualTo(deeper + "/" + mv);
        assertThat(file(a.get(2)).pathGiven()).isEqualTo(deeper + "/" + dir);
        assertThat(file(a.get(4)).pathGiven()).isEqualTo(sub + "/../" + up);
    }

    @Test
    void pathCallsThroughABindMountOfEtcAreBelowEtcInAContainer() throws Exception {
        List<Alert> a = actInBox("touch /etc/bp-rm /etc/bp-mv /etc/bp-ch && mkdir -p /tmp/cfg && mount -o bind /etc /tmp/cfg"
                + " && rm /tmp/cfg/bp-rm && mv /tmp/cfg/bp-mv /tmp/cfg/bp-moved && mkdir /tmp/cfg/bp-dir"
                + " && chmod 600 /tmp/cfg/bp-ch && ln -s /etc /tmp/e && rm /tmp/e/bp-moved", new String[][] {
                    {WRITE, "op=unlink file=/etc/bp-rm "},
                    {WRITE, "op=rename file=/etc/bp-mv new=/etc/bp-moved "},
                    {WRITE, "op=mkdir file=/etc/bp-dir "},
                    {CHMOD, "file=/etc/bp-ch given=/tmp/cfg/bp-ch)"},
                    {WRITE, "op=unlink file=/etc/bp-moved "},
                });
        assertThat(a).allSatisfy(x -> assertThat(x.container().id()).isEqualTo(box.id()));
        assertThat(file(a.get(0)).pathGiven()).isEqualTo("/tmp/cfg/bp-rm");
        assertThat(file(a.get(4)).pathGiven()).isEqualTo("/tmp/e/bp-moved");
        box.exec("sh", "-c", "umount /tmp/cfg; rm -rf /etc/bp-dir /etc/bp-ch /tmp/e");
    }
}
