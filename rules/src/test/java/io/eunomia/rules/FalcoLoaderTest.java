package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Falco's loader items and semantics: required versions, skip-if-unknown-filter, Falco's value forms. */
class FalcoLoaderTest {
    private static List<RuleError> errors(String yaml) {
        try {
            RuleCompiler.toDrl(List.of(new RuleSource("f.yaml", yaml)));
            return List.of();
        } catch (RuleCompileException e) {
            return e.errors();
        }
    }

    private static String drl(String yaml) throws RuleCompileException {
        Map<String, String> d = RuleCompiler.toDrl(List.of(new RuleSource("f.yaml", yaml)));
        return d.get("f.yaml");
    }

    private static String rule(String name, String condition, String extra) {
        return "- rule: " + name + "\n  desc: d\n  output: o\n  priority: WARNING\n  condition: " + condition + "\n" + extra;
    }

    @Test
    void requiredEngineVersionNewerThanOursIsRefused() {
        assertThat(errors("- required_engine_version: 0.57.0\n")).isEmpty();
        assertThat(errors("- required_engine_version: 13\n")).isEmpty();
        assertThat(errors("- required_engine_version: 0.99.0\n")).extracting(RuleError::toString).singleElement()
                .satisfies(s -> assertThat(s).startsWith("f.yaml:1:28: the file requires Falco engine version 0.99.0"));
        assertThat(errors("- required_engine_version: soon\n")).extracting(RuleError::toString).singleElement()
                .satisfies(s -> assertThat(s).contains("expected a version such as 0.57.0"));
    }

    @Test
    void requiredPluginsOnlyTheBuiltInContainerOne() {
        assertThat(errors("- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n")).isEmpty();
        assertThat(errors("- required_plugin_versions:\n  - name: container\n    version: 0.9.0\n")).extracting(RuleError::toString)
                .singleElement().satisfies(s -> assertThat(s).startsWith("f.yaml:2:11: the file requires plugin 'container' 0.9.0"));
        assertThat(errors("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n")).extracting(RuleError::toString)
                .singleElement().satisfies(s -> assertThat(s).contains("requires plugin 'k8saudit', which this engine does not have"));
        assertThat(errors("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n    alternatives:\n"
                + "      - name: container\n        version: 0.1.0\n")).isEmpty();
    }

    @Test
    void skipIfUnknownFilterSkipsOnlyThatRuleWithAWarning() throws Exception {
        String yaml = rule("A", "evt.type = open and fd.nameraw contains ../", "  skip-if-unknown-filter: true\n")
                + rule("B", "evt.type = exec and proc.name = x", "");
        RuleBase base = RuleCompiler.check(List.of(new RuleSource("f.yaml", yaml)));
        assertThat(base.rules()).extracting(RuleInfo::name).containsExactly("B");
        assertThat(base.warnings()).extracting(RuleError::toString).anySatisfy(w -> assertThat(w)
                .startsWith("f.yaml:5:34: field fd.nameraw cannot be filled here").endsWith("rules skipped: A"));
        // without the flag: an error, once for the field, naming both rules
        String two = rule("A", "fd.nameraw contains ../", "") + rule("C", "fd.nameraw glob '*../*'", "");
        assertThat(errors(two)).extracting(RuleError::toString).singleElement()
                .satisfies(s -> assertThat(s).contains("rules that need it: A, C:"));
        // a disabled rule disables nothing: no report
        assertThat(errors(rule("A", "fd.nameraw contains ../", "  enabled: false\n"))).isEmpty();
        // a macro using it that no rule uses: no report
        assertThat(errors("- macro: m\n  condition: fd.nameraw contains ../\n" + rule("B", "evt.type = exec", ""))).isEmpty();
        // --skip-unsupported: the same as the flag on every rule
        RuleBase skipped = RuleCompiler.check(List.of(new RuleSource("f.yaml", two + rule("B", "evt.type = exec", ""))), true);
        assertThat(skipped.rules()).extracting(RuleInfo::name).containsExactly("B");
    }

    @Test
    void appendAndOverrideOfListsMacrosRulesAndExceptions() throws Exception {
        String yaml = """
                - list: l
                  items: [a]
                - list: l
                  items: [b]
                  append: true
                - macro: m
                  condition: proc.name in (l)
                - macro: m
                  condition: or proc.name = c
                  override:
                    condition: append
                - rule: R
                  desc: d
                  output: o
                  priority: WARNING
                  condition: evt.type = exec and m
                - rule: R
                  condition: and proc.pid > 1
                  exceptions:
                    - name: e
                      fields: [proc.cmdline]
                      values: [[a x]]
                  override:
                    condition: append
                    exceptions: append
                """;
        String d = drl(yaml);
        assertThat(d).contains("process.comm in (\"a\", \"b\")").contains("process.comm == \"c\"").contains("process.pid > 1")
                .contains("\"a x\"");
    }

    @Test
    void falcoValueForms() throws Exception {
        String d = drl(rule("R", "evt.type = ptrace and evt.arg.request contains PTRACE_ATTACH", "")
                + rule("S", "evt.type = open and evt.arg.flags contains O_TRUNC", "")
                + rule("M", "evt.type = mount and evt.arg.flags contains MS_RDONLY and not syscall.arg.attr_clr contains MOUNT_ATTR_RDONLY", "")
                + rule("N", "evt.type = unshare and evt.arg.flags contains CLONE_NEWNS", "")
                + rule("P", "evt.type = setns and evt.arg.nstype contains CLONE_NEWNS", "")
                + "- list: nets\n  items: ['\"10.0.0.0/8\"', '\"192.168.0.0/16\"']\n"
                + rule("T", "evt.type = connect and not fd.snet in (nets) and fd.net != \"127.0.0.0/8\"", "")
                + rule("U", "evt.type = exec and proc.tty != 0 and proc.aname[2] = bash and proc.aname in (sshd, sudo)", ""));
        assertThat(d).contains("EventFields.ptraceRequest(arg(\"request\", 0)).contains(\"PTRACE_ATTACH\")")
                .contains("EventFields.openFlags(flags).contains(\"O_TRUNC\")")
                .contains("EventFields.syscallFlags(syscall, arg(\"flags\", 0)).contains(\"MS_RDONLY\")")
                .contains("EventFields.mountAttrs(arg(\"attr_clr\", 0)).contains(\"MOUNT_ATTR_RDONLY\")")
                .contains("EventFields.syscallFlags(syscall, arg(\"flags\", 0)).contains(\"CLONE_NEWNS\")")
                .contains("EventFields.namespaceTypes(arg(\"nstype\", 0)).contains(\"CLONE_NEWNS\")")
                .contains("EventFields.inNet(EventFields.serverAddr(this), \"10.0.0.0/8\\n192.168.0.0/16\")")
                .contains("tty != \"\"")
                .contains("EventFields.hasAncestor(process, 2)").contains("EventFields.aname(process, 2) == \"bash\"")
                .contains("EventFields.any(process.facts.ancestorNames(), \"in\", \"sshd\\nsudo\")");
        assertThat(errors(rule("R", "evt.type = connect and fd.snet = example", ""))).extracting(RuleError::toString).singleElement()
                .satisfies(s -> assertThat(s).contains("fd.snet is compared with networks: found 'example'"));
    }

    @Test
    void falcoTextsOfValues() {
        assertThat(EventFields.imageRepository("docker.io/library/nginx:1.25")).isEqualTo("docker.io/library/nginx");
        assertThat(EventFields.imageTag("docker.io/library/nginx:1.25")).isEqualTo("1.25");
        assertThat(EventFields.imageRepository("localhost:5000/app")).isEqualTo("localhost:5000/app");
        assertThat(EventFields.imageTag("localhost:5000/app@sha256:ab")).isEmpty();
        assertThat(EventFields.openFlags(01 | 0100 | 01000)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC");
        assertThat(EventFields.ptraceRequest(16)).isEqualTo("PTRACE_ATTACH");
        // mount(2)'s flags, the old magic number in the upper half dropped; other calls' flags unnamed
        assertThat(EventFields.syscallFlags("mount", 0x20 | 0x1)).isEqualTo("MS_RDONLY|MS_REMOUNT");
        assertThat(EventFields.syscallFlags("mount", 0xc0ed0000L | 0x1000 | 0x4000)).isEqualTo("MS_BIND|MS_REC");
        assertThat(EventFields.syscallFlags("mount", 0x200)).isEqualTo("0x200");
        // unshare's flags and setns's nstype as linux/sched.h names them (CLONE_NEWTIME is bit 7 there), open_tree's
        assertThat(EventFields.syscallFlags("unshare", 0x20000 | 0x40000000)).isEqualTo("CLONE_NEWNS|CLONE_NEWNET");
        assertThat(EventFields.syscallFlags("unshare", 0x80 | 0x10000000 | 0x200)).isEqualTo("CLONE_NEWTIME|CLONE_FS|CLONE_NEWUSER");
        assertThat(EventFields.namespaceTypes(0x20000)).isEqualTo("CLONE_NEWNS");
        assertThat(EventFields.namespaceTypes(0)).isEmpty();
        assertThat(EventFields.syscallFlags("open_tree", 0x1 | 0x8000 | 0x80000)).isEqualTo("OPEN_TREE_CLONE|AT_RECURSIVE|OPEN_TREE_CLOEXEC");
        assertThat(EventFields.syscallFlags("open_tree_attr", 0x1 | 0x1000 | 0x100)).isEqualTo("OPEN_TREE_CLONE|AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
        assertThat(EventFields.syscallFlags("fsopen", 0x1)).isEmpty();
        assertThat(EventFields.mountAttrs(0x1 | 0x2 | 0x100000)).isEqualTo("MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|MOUNT_ATTR_IDMAP");
        assertThat(EventFields.mountAttrs(0)).isEmpty();
        assertThat(EventFields.socketFamily(17)).isEqualTo("AF_PACKET");
        assertThat(EventFields.inNet("10.1.2.3", "10.0.0.0/8")).isTrue();
        assertThat(EventFields.inNet("11.1.2.3", "10.0.0.0/8\n127.0.0.0/8")).isFalse();
        assertThat(EventFields.inNet("fd00::1", "fd00::/8")).isTrue();
    }
}
