package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evasion routes (issue 16) by a hard link that exists before the monitor starts: made on the host
 * beforehand, or shipped in a container's files (made in its root before the monitor started, as
 * an image layer would bring it). Reads through a link to /etc/shadow and writes through a link to
 * an /etc file that is no credential file (the write rule's, not the read filter's) must raise the
 * alerts of the direct way, on the host and in a runc container; the host reading the container's
 * linked file through the bundle is not a read of /etc/shadow.
 */
class PreexistingLinksLiveTest {
    private static final String READ = "Read sensitive file";
    private static final String WRITE = "Write below system directory";

    private static Path work;
    private static Path etcFile;
    private static Path newEtcFile;
    private static InMemoryOutput out;
    private static LiveMonitor live;
    private static Runc runc;
    private static RunningContainer box;

    @BeforeAll
    static void start() throws Exception {
        // Below /tmp: the root file system, the one /etc is on (a hard link cannot cross file systems).
        work = Files.createTempDirectory(Path.of("/tmp"), "eunomia-prelinks-");
        String name = "eunomia-prelinks-" + ProcessHandle.current().pid();
        etcFile = Files.writeString(Path.of("/etc", name + ".conf"), "# test\n");
        newEtcFile = Path.of("/etc", name + ".new");
        Files.createLink(work.resolve("shadow-link"), Path.of("/etc/shadow"));
        Files.createLink(work.resolve("conf-link"), etcFile);
        // The container and its links exist before the monitor: what an image would bring.
        runc = new Runc();
        box = runc.start(OciRuntime.uniqueId("prelinks"), ContainerSpec.of("sh", "-c", "sleep 300"));
        Ran made = LiveProcesses.runcExec(runc, box.id(), List.of(), "sh", "-c", "echo 'root:*:1::::::' > /etc/shadow"
                + " && echo '# cron' > /etc/crontab && mkdir -p /srv && ln /etc/shadow /srv/innocent"
                + " && ln /etc/crontab /srv/schedule");
        assertThat(made.exit()).as(made.output()).isZero();

        live = LiveMonitor.defaultPack(AlertsOfActs.WAIT);
        out = live.out();
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        if (runc != null) {
            runc.close();
        }
        if (etcFile != null) {
            Files.deleteIfExists(etcFile);
            Files.deleteIfExists(newEtcFile);
        }
        LiveProcesses.deleteTree(work);
    }

    private static Alert onHost(String rule, String expected, String cmd) throws Exception {
        return AlertsOfActs.onHost(out, rule, expected, cmd);
    }

    private static Alert inBox(String rule, String expected, String cmd) throws Exception {
        return AlertsOfActs.inContainer(out, runc, box.id(), List.of(), rule, expected, cmd);
    }

    private static String openedAs(Alert a) {
        return AlertsOfActs.openedAs(a);
    }

    @Test
    void aLinkToShadowMadeBeforeTheMonitorIsShadow() throws Exception {
        Alert read = onHost(READ, "file=/etc/shadow", "exec cat " + work.resolve("shadow-link") + " >/dev/null");
        assertThat(openedAs(read)).isEqualTo(work.resolve("shadow-link").toString());
    }

    @Test
    void aWriteThroughALinkToAnEtcFileIsAWriteBelowEtc() throws Exception {
        Alert through = onHost(WRITE, "file=" + etcFile, "echo x >> " + work.resolve("conf-link"));
        assertThat(through.output()).contains("op=open");
        assertThat(openedAs(through)).isEqualTo(work.resolve("conf-link").toString());
        Alert direct = onHost(WRITE, "file=" + etcFile, "echo x >> " + etcFile);
        assertThat(openedAs(direct)).isEmpty();
    }

    @Test
    void aLinkMadeWhileTheMonitorRunsToANewEtcFileIsThatFile() throws Exception {
        Path link = work.resolve("new-link");
        // The file is created and linked under the monitor; the write comes a moment later.
        onHost(WRITE, "file=" + newEtcFile, "echo x > " + newEtcFile + " && exec ln " + newEtcFile + " " + link);
        // The write comes once the monitor took in the link (the alert above may come before the ln).
        live.awaitIdentityWatch(link, newEtcFile.toString());
        Alert through = onHost(WRITE, "file=" + newEtcFile, "echo y >> " + link);
        assertThat(openedAs(through)).isEqualTo(link.toString());
    }

    @Test
    void aContainersOwnLinkToItsShadowIsItsShadow() throws Exception {
        Alert read = inBox(READ, "file=/etc/shadow", "exec cat /srv/innocent >/dev/null");
        assertThat(openedAs(read)).isEqualTo("/srv/innocent");
        Alert direct = inBox(READ, "file=/etc/shadow", "exec cat /etc/shadow >/dev/null");
        assertThat(openedAs(direct)).isEmpty();
    }

    @Test
    void aWriteThroughAContainersOwnLinkToItsCrontabIsAWriteBelowEtc() throws Exception {
        Alert write = inBox(WRITE, "file=/etc/crontab", "echo '* * * * * root sh' >> /srv/schedule");
        assertThat(openedAs(write)).isEqualTo("/srv/schedule");
    }

    @Test
    void theHostReadingAContainersLinkedFileIsNoReadOfShadow() throws Exception {
        Path inBundle = box.bundle().rootfs().resolve("srv/innocent");
        Recorder.Mark mark = out.mark();
        Ran r = LiveProcesses.runToEnd(List.of("cat", inBundle.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        onHost(READ, "file=/etc/shadow", "exec cat /etc/shadow >/dev/null");  // later than the bundle read
        assertThat(out.since(mark)).noneMatch(a -> a.event().process().pid() == r.pid());
    }
}
