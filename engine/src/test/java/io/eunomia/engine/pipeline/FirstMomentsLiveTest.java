package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.engine.pipeline.LiveProcesses.Ran;
import io.eunomia.event.FileEvent;
import io.eunomia.testkit.BusyboxRootfs;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Recorder;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evasion routes (issue 16) in the first moments: a container's entrypoint reading through a hard
 * link to its own /etc/shadow as its first act (its files may not be looked at yet), and a write
 * through a hard link right after the link is made to a file created in the same script (the link
 * may not be taken in yet), on the host and in a runc container. Which side wins (the look or the
 * act, the link's event or the write) is not the test's business: every outcome must raise the
 * alert of the direct way, naming the watched path with the name used.
 */
@SharesLiveMonitor
class FirstMomentsLiveTest {
    private static final String READ = "Read sensitive file";
    private static final String WRITE = "Write below system directory";

    private static Path work;
    private static Path newEtcFile;
    private static Path newEtcFile2;
    private static Path linkThenWrite;
    private static InMemoryOutput out;
    private static LiveMonitor live;
    private static Runc runc;
    private static RunningContainer box;

    @BeforeAll
    static void start() throws Exception {
        // Below /tmp: the root file system, the one /etc is on (a hard link cannot cross file systems).
        work = Files.createTempDirectory(Path.of("/tmp"), "eunomia-firstms-");
        newEtcFile = Path.of("/etc", "eunomia-firstms-" + ProcessHandle.current().pid() + ".conf");
        newEtcFile2 = Path.of("/etc", "eunomia-firstms-" + ProcessHandle.current().pid() + "-2.conf");
        linkThenWrite = LiveProcesses.compile(work, "/evasion/link-then-write.c", "link-then-write");
        live = LiveMonitor.sharedDefaultPack(FirstMomentsLiveTest.class, AlertsOfActs.WAIT);
        out = live.out();
        runc = new Runc();
        box = runc.start(OciRuntime.uniqueId("firstms"), ContainerSpec.of("sh", "-c", "sleep 300"));
        Ran made = LiveProcesses.runcExec(runc, box.id(), List.of(), "sh", "-c", "echo '# cron' > /etc/crontab");
        assertThat(made.exit()).as(made.output()).isZero();
        Files.copy(linkThenWrite, box.bundle().rootfs().resolve("link-then-write"));
    }

    @AfterAll
    static void stop() throws Exception {
        LiveMonitor.close(live);
        if (runc != null) {
            runc.close();
        }
        if (newEtcFile != null) {
            Files.deleteIfExists(newEtcFile);
            Files.deleteIfExists(newEtcFile2);
        }
        LiveProcesses.deleteTree(work);
    }

    @Test
    void anEntrypointsFirstReadThroughALinkToItsShadowIsAReadOfShadow() throws Exception {
        // Two containers: the look at their files and their first read race differently each time.
        for (int i = 0; i < 2; i++) {
            Path rootfs = linkedRootfs("rootfs-" + i);
            Recorder.Mark mark = out.mark();
            RunningContainer c = runc.start(OciRuntime.uniqueId("firstms-entry"),
                    ContainerSpec.of("sh", "-c", "cat /srv/innocent >/dev/null; exec sleep 60")
                            .withConfigEdit(config -> rootAt(config, rootfs)));
            try {
                Alert read = out.awaitAfter(mark, READ, a -> a.container().id().equals(c.id())
                        && a.output().contains("file=/etc/shadow"), AlertsOfActs.WAIT);
                assertThat(AlertsOfActs.openedAs(read)).as(read.output()).isEqualTo("/srv/innocent");
            } finally {
                c.delete();
            }
        }
    }

    @Test
    void aWriteRightAfterTheHostLinksANewEtcFileIsAWriteBelowEtc() throws Exception {
        Path link = work.resolve("new-link");
        Recorder.Mark mark = out.mark();
        Ran r = LiveProcesses.runToEnd(List.of("sh", "-c", "echo a > " + newEtcFile + " && ln " + newEtcFile + " " + link
                + " && echo b >> " + link));
        assertThat(r.exit()).as(r.output()).isZero();
        Alert through = out.awaitAfter(mark, WRITE, a -> writeThrough(a, newEtcFile.toString(), link.toString()),
                AlertsOfActs.WAIT);
        assertThat(through.output()).contains("file=" + newEtcFile);

        // The write microseconds after the link, in the same process (another new file: the first is watched now).
        Path again = work.resolve("new-link-2");
        Ran at = LiveProcesses.runToEnd(List.of("sh", "-c", "echo a > " + newEtcFile2 + " && exec " + linkThenWrite + " "
                + newEtcFile2 + " " + again));
        assertThat(at.exit()).as(at.output()).isZero();
        out.awaitAfter(mark, WRITE, a -> writeThrough(a, newEtcFile2.toString(), again.toString()), AlertsOfActs.WAIT);
    }

    @Test
    void aWriteRightAfterAContainerLinksItsCrontabOrANewEtcFileIsAWriteBelowEtc() throws Exception {
        Recorder.Mark mark = out.mark();
        Ran old = LiveProcesses.runcExec(runc, box.id(), List.of(), "sh", "-c",
                "ln /etc/crontab /tmp/x && echo '* * * * * root sh' >> /tmp/x");
        assertThat(old.exit()).as(old.output()).isZero();
        out.awaitAfter(mark, WRITE, a -> a.container().id().equals(box.id()) && writeThrough(a, "/etc/crontab", "/tmp/x"),
                AlertsOfActs.WAIT);

        Ran made = LiveProcesses.runcExec(runc, box.id(), List.of(), "sh", "-c",
                "echo a > /etc/firstms.conf && ln /etc/firstms.conf /tmp/y && echo b >> /tmp/y");
        assertThat(made.exit()).as(made.output()).isZero();
        out.awaitAfter(mark, WRITE, a -> a.container().id().equals(box.id()) && writeThrough(a, "/etc/firstms.conf", "/tmp/y"),
                AlertsOfActs.WAIT);

        // The write microseconds after the link, in the same process.
        Ran at = LiveProcesses.runcExec(runc, box.id(), List.of(), "sh", "-c",
                "echo a > /etc/firstms2.conf && exec /link-then-write /etc/firstms2.conf /tmp/z");
        assertThat(at.exit()).as(at.output()).isZero();
        out.awaitAfter(mark, WRITE, a -> a.container().id().equals(box.id()) && writeThrough(a, "/etc/firstms2.conf", "/tmp/z"),
                AlertsOfActs.WAIT);
    }

    @Test
    void containersStartingMeanwhileDoNotKeepTheHostsReadsWaiting() throws Exception {
        Path link = work.resolve("shadow-link");
        Files.createLink(link, Path.of("/etc/shadow"));
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 4; i++) {
                runc.runShortLived(OciRuntime.uniqueId("firstms-churn"));
            }
        });
        List<Long> readers = new ArrayList<>();
        Recorder.Mark mark = out.mark();
        while (!churn.isDone() || readers.size() < 3) {
            Ran r = LiveProcesses.runToEnd(List.of("sh", "-c", "exec cat " + link + " >/dev/null"));
            assertThat(r.exit()).as(r.output()).isZero();
            readers.add(r.pid());
            Thread.sleep(100);
        }
        churn.join();
        for (long pid : readers) {
            Alert read = out.awaitAfter(mark, READ, a -> a.event().process().pid() == pid, AlertsOfActs.WAIT);
            assertThat(AlertsOfActs.openedAs(read)).isEqualTo(link.toString());
        }
    }

    /** A write alert of an open of watched through the name used. */
    private static boolean writeThrough(Alert a, String watched, String used) {
        return a.event() instanceof FileEvent f && f.path().equals(watched) && f.newPath().equals(used);
    }

    /** A busybox root whose /etc/shadow has a root line and another name, /srv/innocent: what an image may bring. */
    private static Path linkedRootfs(String name) throws Exception {
        Path rootfs = work.resolve(name);
        BusyboxRootfs.get().copyTo(rootfs);
        Files.writeString(rootfs.resolve("etc/shadow"), "root:*:1::::::\n");
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createLink(rootfs.resolve("srv/innocent"), rootfs.resolve("etc/shadow"));
        return rootfs;
    }

    private static void rootAt(ObjectNode config, Path rootfs) {
        ((ObjectNode) config.get("root")).put("path", rootfs.toString());
    }
}
