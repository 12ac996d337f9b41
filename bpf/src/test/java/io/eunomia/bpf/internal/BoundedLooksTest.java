package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.StallingMount;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Looks below a real FUSE mount whose daemon never answers (stallfs.c): the caller goes on after
 * the timeout, that key's next looks are not tried while the late one is stuck, other keys are
 * answered, and once the daemon ends the stuck look returns and the key is tried again.
 */
class BoundedLooksTest {
    @Test
    void aLookStuckInTheKernelCostsTheCallerTheTimeoutOnceAndOthersNothing() throws Exception {
        Path dir = Cleanup.newTempDir("stall");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (BoundedLooks looks = new BoundedLooks("test-look-", 200_000_000L, 2)) {
            StallingMount stalled = StallingMount.at(mnt);
            try {
                long t0 = System.nanoTime();
                Optional<Boolean> late = looks.run(1, () -> Files.exists(mnt.resolve("x"), LinkOption.NOFOLLOW_LINKS));
                assertThat(late).isEmpty();
                assertThat(System.nanoTime() - t0).as("waited about the timeout").isGreaterThanOrEqualTo(200_000_000L);
                assertThat(looks.timeouts()).isEqualTo(1);
                assertThat(looks.run(1, () -> true)).as("key 1 stalled").isEmpty();
                assertThat(looks.skipped()).isEqualTo(1);
                assertThat(looks.run(2, () -> Files.isDirectory(dir))).contains(true);
            } finally {
                stalled.close();
            }
            // The daemon is gone: the stuck lookup fails and frees key 1 (the kernel's time, under load: minutes at most).
            long deadline = System.nanoTime() + 180_000_000_000L;
            Optional<Boolean> again = Optional.empty();
            while (again.isEmpty() && System.nanoTime() < deadline) {
                again = looks.run(1, () -> true);
                if (again.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            assertThat(again).as("key 1 tried again once its stuck look returned").contains(true);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }
}
