package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BusyboxRootfsTest {

    @Test
    void buildsOnceWithAppletsAndTarball() throws Exception {
        BusyboxRootfs fs = BusyboxRootfs.get();
        assertThat(BusyboxRootfs.get()).isSameAs(fs);
        assertThat(fs.applets()).contains("sh", "sleep", "cat", "hostname").doesNotContain("busybox");
        Path root = fs.dir();
        assertThat(Files.readSymbolicLink(root.resolve("bin/sh"))).hasToString("busybox");
        assertThat(root.resolve("etc/passwd")).content().startsWith("root:x:0:0:");
        for (String d : new String[] {"proc", "sys", "dev", "tmp"}) {
            assertThat(root.resolve(d)).isDirectory();
        }
        assertThat(Files.size(fs.tarball())).isGreaterThan(1_000_000);
        assertThat(BusyboxRootfs.isStaticElf(BusyboxRootfs.staticBusybox())).isTrue();
    }

    @Test
    void dynamicBinariesAreNotStatic() {
        assertThat(BusyboxRootfs.isStaticElf(Binaries.require("tar", "tar"))).isFalse();
    }

    @Test
    void missingBinaryNamesTheDebianPackage() {
        assertThat(Binaries.find("no-such-binary-xyz")).isNull();
        assertThatThrownBy(() -> Binaries.require("no-such-binary-xyz", "xyz-tools"))
                .isInstanceOf(Binaries.MissingBinaryException.class)
                .hasMessageContaining("apt-get install xyz-tools");
    }
}
