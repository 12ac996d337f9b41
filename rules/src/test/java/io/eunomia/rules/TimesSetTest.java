package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the compiler infers (YAML) or reads (DRL @timesSet) about the calls setting explicit times on a file
 * (evt.type utimes) rules need: the file sensor's times filter keeps the others in the kernel (tar x, cp -p).
 */
class TimesSetTest {
    private static FileReadNeeds yaml(String condition) throws RuleCompileException {
        return OneRule.yaml(condition).timesSet();
    }

    private static List<String> bounded(String condition) throws RuleCompileException {
        FileReadNeeds n = yaml(condition);
        assertThat(n.all()).as("%s: %s", condition, n.describe()).isFalse();
        return n.prefixes();
    }

    @Test
    void theDefaultPackNeedsTimesSetBelowSystemLibraryAndLogDirectoriesOnly() throws Exception {
        FileReadNeeds n = RuleCompiler.compile(DefaultPack.sources()).timesSet();
        System.out.println("default pack times set: " + n.describe());
        assertThat(n.all()).as(n.describe()).isFalse();
        assertThat(n.prefixes()).contains("/etc", "/usr/bin", "/usr/lib", "/var/log");
        // tar x into /tmp or a build directory, image layers below /var/lib: below none of them.
        assertThat(n.prefixes()).noneMatch(p -> p.equals("/") || "/tmp/x".startsWith(p) || "/work/x".startsWith(p)
                || "/var/lib/docker/overlay2/x/usr/bin/ls".startsWith(p));
    }

    /** A rule on utimes events whose condition says nothing of the path needs them all. */
    @Test
    void aRuleWithoutAPathConditionNeedsEveryTimesSet() throws Exception {
        assertThat(yaml("evt.type = utimes and proc.name = touch").all()).isTrue();
        assertThat(yaml("evt.type = utimensat").all()).isTrue();
        assertThat(yaml("evt.arg.mtime startswith 19").all()).as("any file event, utimes among them").isTrue();
        assertThat(yaml("evt.type = utimes and not fd.name startswith /tmp/").all()).isTrue();
    }

    @Test
    void pathTestsBoundTheTimesSet() throws Exception {
        assertThat(bounded("evt.type = utimes and fd.name startswith /srv/")).containsExactly("/srv/");
        assertThat(bounded("evt.type = utime and fd.name = /etc/passwd")).containsExactly("/etc/passwd");
        assertThat(bounded("evt.type in (utimes, utimensat) and fd.directory = /etc/cron.d")).containsExactly("/etc/cron.d/");
        assertThat(bounded("evt.type = utimes and (fd.name pmatch (/etc) or fd.name startswith /boot/)"))
                .containsExactly("/boot/", "/etc");
    }

    @Test
    void conditionsNoTimesSetCanSatisfyNeedNone() throws Exception {
        // The kernel keeps back only times set by descriptor (futimens): those carry no text to rewrite or give.
        for (String c : List.of("fd.text_changed = true and not evt.type = open", "fd.name_given != \"\"","evt.type = open", "evt.type in (unlink, rename, chmod)", "evt.is_open_write = true",
                "evt.is_open_read = true", "evt.type = openat and proc.name = cat", "file.newpath startswith /etc/")) {
            assertThat(bounded(c)).as(c).isEmpty();
        }
    }

    @Test
    void drlRulesDeclareTheirTimesSetOrNeedThemAll() throws Exception {
        String none = "@fileReads(\"none\") @missingReads(\"none\")";
        assertThat(OneRule.drl(none, "FileEvent( op == FileOp.UTIMES )").timesSet().all()).isTrue();
        assertThat(OneRule.drl(none + " @timesSet(\"none\")", "FileEvent( op == FileOp.CHMOD )").timesSet())
                .isEqualTo(FileReadNeeds.NONE);
        assertThat(OneRule.drl(none + " @timesSet(\"/etc/,/usr/bin/\")", "FileEvent( op == FileOp.UTIMES )").timesSet()
                .prefixes()).containsExactly("/etc/", "/usr/bin/");
    }
}
