package io.eunomia.engine.pipeline;

import static io.eunomia.engine.pipeline.LiveProcesses.runToEnd;
import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.Recorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evasion routes (issue 16) by another name of the same file: a hard link to /etc/shadow made in
 * /tmp (one file system with /etc here), a bind mount of /etc elsewhere (read, and a write below
 * /etc through it), on the host (in a private mount namespace made with unshare) and in a runc
 * busybox container with CAP_SYS_ADMIN (its own bind mount). The default pack must raise the alert
 * of the direct way, naming /etc/..., with the name used in fd.opened_as (FileEvent.newPath).
 */
@SharesLiveMonitor
class LinkAndBindLiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String READ = "Read sensitive file";
    private static final String WRITE = "Write below system directory";
    private static final String LINK = "Link to sensitive file";

    private static Path work;
    private static InMemoryOutput out;
    private static LiveMonitor live;
    private static ShadowBox box;

    @BeforeAll
    static void start() throws Exception {
        // Below /tmp: the root file system, the one /etc is on (a hard link cannot cross file systems).
        work = Files.createTempDirectory(Path.of("/tmp"), "eunomia-links-");
        live = LiveMonitor.sharedDefaultPack(LinkAndBindLiveTest.class, WAIT);
        out = live.out();
        box = ShadowBox.start("links", c -> { }, ShadowBox.ADMIN_CAPS);
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        ShadowBox.close(box);
        LiveProcesses.deleteTree(work);
    }

    private static Alert onHost(String rule, String expected, String cmd) throws Exception {
        return AlertsOfActs.onHost(out, rule, expected, cmd);
    }

    private static Alert inBox(String rule, String expected, String cmd) throws Exception {
        Recorder.Mark mark = out.mark();
        Ran r = box.exec("sh", "-c", cmd);
        assertThat(r.exit()).as(r.output()).isZero();
        return out.awaitAfter(mark, rule, a -> a.container().id().equals(box.id()) && a.output().contains(expected), WAIT);
    }

    private static String openedAs(Alert a) {
        return AlertsOfActs.openedAs(a);
    }

    @Test
    void aHardLinkToShadowIsShadow() throws Exception {
        Path link = work.resolve("innocent");
        Files.createLink(link, Path.of("/etc/shadow"));
        Alert read = onHost(READ, "file=/etc/shadow", "exec cat " + link + " >/dev/null");
        assertThat(openedAs(read)).isEqualTo(link.toString());
        // The direct way: the same alert, no other name.
        Alert direct = onHost(READ, "file=/etc/shadow", "exec cat /etc/shadow >/dev/null");
        assertThat(openedAs(direct)).isEmpty();
    }

    @Test
    void aShadowReplacedByRenameIsWatchedUnderItsNewInode() throws Exception {
        long before = (Long) Files.getAttribute(Path.of("/etc/shadow"), "unix:ino");
        // What passwd does: a copy written next to it, renamed over it (same content, owner, mode).
        Alert renamed = onHost(WRITE, "op=rename", "cp -p /etc/shadow /etc/shadow.eunomia-links && exec mv "
                + "/etc/shadow.eunomia-links /etc/shadow");
        assertThat(renamed.output()).contains("new=/etc/shadow");
        assertThat((Long) Files.getAttribute(Path.of("/etc/shadow"), "unix:ino")).isNotEqualTo(before);
        Path link = work.resolve("after-rename");
        Files.createLink(link, Path.of("/etc/shadow"));
        Alert read = onHost(READ, "file=/etc/shadow", "exec cat " + link + " >/dev/null");
        assertThat(openedAs(read)).isEqualTo(link.toString());
    }

    @Test
    void aBindMountOfEtcIsEtcOnTheHost() throws Exception {
        Path m = Files.createDirectory(work.resolve("etc-bind"));
        // A private mount namespace: the bind goes with the process, nothing to undo on the host.
        String bind = "exec unshare -m --propagation private sh -c 'mount --bind /etc " + m + " && exec ";
        Alert read = onHost(READ, "file=/etc/shadow", bind + "cat " + m + "/shadow >/dev/null'");
        assertThat(openedAs(read)).isEqualTo(m + "/shadow");
        String name = "eunomia-links-" + ProcessHandle.current().pid();
        try {
            Alert write = onHost(WRITE, "file=/etc/" + name, bind + "sh -c \"echo x > " + m + "/" + name + "\"'");
            assertThat(write.output()).contains("op=open");
            assertThat(openedAs(write)).isEqualTo(m + "/" + name);
        } finally {
            Files.deleteIfExists(Path.of("/etc", name));
        }
        // A bind of / itself: the same file through the whole tree mounted again.
        Path root = Files.createDirectory(work.resolve("root-bind"));
        Alert whole = onHost(READ, "file=/etc/shadow", "exec unshare -m --propagation private sh -c 'mount --bind / "
                + root + " && exec cat " + root + "/etc/shadow >/dev/null'");
        assertThat(openedAs(whole)).isEqualTo(root + "/etc/shadow");
    }

    @Test
    void aBindMountOfEtcIsEtcInAContainer() throws Exception {
        Alert read = inBox(READ, "file=/etc/shadow", "mkdir -p /tmp/cfg && mount -o bind /etc /tmp/cfg && exec cat "
                + "/tmp/cfg/shadow >/dev/null");
        assertThat(openedAs(read)).isEqualTo("/tmp/cfg/shadow");
        Alert write = inBox(WRITE, "file=/etc/dropped", "echo x > /tmp/cfg/dropped");
        assertThat(openedAs(write)).isEqualTo("/tmp/cfg/dropped");
    }

    @Test
    void aHardLinkMadeInAContainerIsCaughtWhenMade() throws Exception {
        Alert link = inBox(LINK, "target=/etc/shadow", "ln /etc/shadow /tmp/innocent");
        assertThat(link.output()).contains("link=/tmp/innocent");
    }

    @Test
    void aHardLinkMadeInAContainerIsItsShadowWhenReadLater() throws Exception {
        // The container's /etc/shadow (another inode than the host's) through a name made in it.
        inBox(LINK, "target=/etc/shadow", "ln /etc/shadow /tmp/later");
        // The read comes once the monitor took in the link: the identity watch names its inode.
        live.awaitIdentityWatch(box.onHost("/tmp/later"), "/etc/shadow");
        Alert read = inBox(READ, "file=/etc/shadow", "exec cat /tmp/later >/dev/null");
        assertThat(openedAs(read)).isEqualTo("/tmp/later");
    }

    @Test
    void theSameFileUnderItsOwnNameElsewhereIsNothing() throws Exception {
        // A copy is another file: reading it is no read of /etc/shadow.
        Path copy = work.resolve("copy");
        Files.copy(Path.of("/etc/shadow"), copy);
        Recorder.Mark mark = out.mark();
        Ran r = runToEnd(List.of("cat", copy.toString()));
        assertThat(r.exit()).isZero();
        onHost(READ, "file=/etc/shadow", "exec cat /etc/shadow >/dev/null");  // later than the copy's read
        Predicate<Alert> copyRead = a -> a.event().process().pid() == r.pid();
        assertThat(out.since(mark)).noneMatch(copyRead);
    }
}
