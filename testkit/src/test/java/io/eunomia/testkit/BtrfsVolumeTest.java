package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume a process still sits in is closed without a mount left behind (lazily, after retries),
 * and its loop device goes once the file system lets go of it. Failed on the code before: close
 * threw "target is busy" and left the mount for @TempDir's clean-up to trip over.
 */
class BtrfsVolumeTest {
    @TempDir
    Path dir;

    @Test
    void aBusyVolumeLeavesNoMountAndItsLoopDeviceGoes() throws Exception {
        BtrfsVolume volume = BtrfsVolume.make(dir.resolve("btrfs"));
        Path image = dir.resolve("btrfs/image");
        assertThat(attachedTo(image)).contains(volume.loop());
        Process holder = new ProcessBuilder("sleep", "600").directory(volume.mount().toFile()).start();
        try {
            volume.close();
            assertThat(Cleanup.mountsUnder(dir)).as("no mount left under the test's directory").isEmpty();
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // awaits the release the kill causes
        while (!attachedTo(image).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(attachedTo(image)).as("the loop device is detached once its file system let go").isEmpty();
    }

    private static String attachedTo(Path image) {
        return Cmd.run(List.of("losetup", "--associated", image.toString()), Map.of(), Duration.ofSeconds(30))
                .orThrow("losetup --associated " + image).stdout();
    }
}
