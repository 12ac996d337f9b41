package io.eunomia.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco's rule files are found above a git worktree's module as above a checkout's, and their absence is said. */
class FalcoRuleFilesTest {
    @TempDir
    Path top;

    @Test
    void aWorktreesModuleTwoLevelsBelowTheCheckoutsParentFindsSharedFalco() throws Exception {
        Path falco = Files.createDirectories(top.resolve("shared/falco"));
        Files.writeString(falco.resolve("falco_rules.yaml"), "- rule: x\n");
        Path worktreeModule = Files.createDirectories(top.resolve("wt/branch/rules"));
        Path checkoutModule = Files.createDirectories(top.resolve("main/rules"));
        assertThat(FalcoRuleFiles.dir(null, null, worktreeModule)).isEqualTo(falco);
        assertThat(FalcoRuleFiles.dir(null, null, checkoutModule)).isEqualTo(falco);
    }

    @Test
    void aShareFalcoWithoutTheRuleFileIsPassedOver() throws Exception {
        Files.createDirectories(top.resolve("wt/shared/falco"));  // empty: not the one
        Path falco = Files.createDirectories(top.resolve("shared/falco"));
        Files.writeString(falco.resolve("falco_rules.yaml"), "");
        assertThat(FalcoRuleFiles.dir(null, null, Files.createDirectories(top.resolve("wt/b/rules")))).isEqualTo(falco);
    }

    @Test
    void theNamedDirectoryWinsAndMustHoldTheFiles() throws Exception {
        Path elsewhere = Files.createDirectories(top.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("falco_rules.yaml"), "");
        Path module = Files.createDirectories(top.resolve("m"));
        assertThat(FalcoRuleFiles.dir(elsewhere.toString(), null, module)).isEqualTo(elsewhere);
        assertThat(FalcoRuleFiles.dir(null, elsewhere.toString(), module)).isEqualTo(elsewhere);
        assertThatThrownBy(() -> FalcoRuleFiles.dir(module.toString(), null, module))
                .hasMessageContaining(module.toString()).hasMessageContaining("-D" + FalcoRuleFiles.PROPERTY);
    }

    @Test
    void noneFoundNamesEveryPlaceTried() throws Exception {
        Path module = Files.createDirectories(top.resolve("a/b"));
        assertThatThrownBy(() -> FalcoRuleFiles.dir(null, null, module))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(module.resolve("shared/falco").toString())
                .hasMessageContaining(top.resolve("shared/falco").toString())
                .hasMessageContaining("/shared/falco]");  // the file system's root, last
    }
}
