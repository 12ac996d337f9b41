package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the compiler infers (YAML) or reads (DRL @missingReads) about the opens of missing files (ENOENT) rules need. */
class MissingReadsTest {
    private static FileReadNeeds yaml(String condition) throws RuleCompileException {
        return OneRule.yaml(condition).missingReads();
    }

    private static List<String> bounded(String condition) throws RuleCompileException {
        FileReadNeeds n = yaml(condition);
        assertThat(n.all()).as("%s: %s", condition, n.describe()).isFalse();
        return n.prefixes();
    }

    @Test
    void theDefaultPackNeedsMissesOfCredentialAndSystemPathsOnly() throws Exception {
        FileReadNeeds n = RuleCompiler.compile(DefaultPack.sources()).missingReads();
        System.out.println("default pack missing reads: " + n.describe());
        assertThat(n.all()).as(n.describe()).isFalse();
        // 55-denials: failed opens of credential files, ENOENT included.
        assertThat(n.prefixes()).contains("/etc/shadow", "/etc/sudoers.d/", "/root/.ssh/id_*", "/home/");
        // A git work tree or a build directory (/work, /tmp, /usr/lib probes) is below none of them.
        assertThat(n.prefixes()).noneMatch(p -> p.equals("/") || "/work/x".startsWith(p) || "/tmp/x".startsWith(p)
                || "/usr/lib/x86_64-linux-gnu/libc.so.6".startsWith(p));
    }

    @Test
    void aFailedOpenWithoutABoundNeedsEveryMiss() throws Exception {
        assertThat(yaml("evt.type = open and evt.failed = true").all()).isTrue();
        assertThat(yaml("evt.type = open and evt.rawres < 0").all()).isTrue();
        assertThat(yaml("evt.type = open and evt.res = ENOENT").all()).isTrue();
    }

    @Test
    void pathTestsBoundTheMisses() throws Exception {
        assertThat(bounded("evt.failed = true and fd.name startswith /etc/")).containsExactly("/etc/");
        assertThat(bounded("evt.res = ENOENT and fd.name = /srv/flag")).containsExactly("/srv/flag");
        assertThat(bounded("evt.type = open and fd.directory = /etc/cron.d")).containsExactly("/etc/cron.d/");
    }

    @Test
    void conditionsNoMissCanSatisfyNeedNone() throws Exception {
        for (String c : List.of("evt.failed = false", "evt.res = SUCCESS", "evt.res = EACCES", "evt.rawres >= 0",
                "evt.rawres = -13", "evt.is_open_write = true", "evt.type in (unlink, rename, chmod)", "evt.type = creat")) {
            assertThat(bounded(c)).as(c).isEmpty();
        }
    }

    @Test
    void drlRulesDeclareTheirMissesOrNeedThemAll() throws Exception {
        assertThat(OneRule.drl("@fileReads(\"none\")", "FileEvent( result < 0 )").missingReads().all()).isTrue();
        assertThat(OneRule.drl("@fileReads(\"none\") @missingReads(\"none\")", "FileEvent( result < 0 )").missingReads())
                .isEqualTo(FileReadNeeds.NONE);
        assertThat(OneRule.drl("@fileReads(\"none\") @missingReads(\"/etc/x,/srv/\")", "FileEvent( result < 0 )")
                .missingReads().prefixes()).containsExactly("/etc/x", "/srv/");
    }

    /** One rule without a miss bound turns the kernel's miss filter off for the whole pack: it is said. */
    @Test
    void aRuleThatNeedsEveryMissIsWarnedAbout() throws Exception {
        assertThat(OneRule.drl("@fileReads(\"none\")", "FileEvent( result < 0 )").warnings())
                .extracting(RuleError::message).singleElement().asString()
                .contains("rule 'D' reads FileEvent without @missingReads", "kernel's miss filter off, for all rules");
        assertThat(OneRule.drl("@fileReads(\"none\") @missingReads(\"none\")", "FileEvent( result < 0 )").warnings())
                .isEmpty();
        assertThat(OneRule.yaml("evt.type = open and evt.failed = true and proc.name = cat").warnings())
                .extracting(RuleError::message).singleElement().asString()
                .contains("rule 'R' needs every open of a missing file", "kernel's miss filter off, for all rules");
        for (String bounded : List.of("evt.type = open and evt.failed = true and fd.name startswith /srv/",
                "evt.type = open and evt.failed = true and evt.res != ENOENT", "evt.type = unlink")) {
            assertThat(OneRule.yaml(bounded).warnings()).as(bounded).isEmpty();
        }
    }
}
