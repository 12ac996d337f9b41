package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The default pack's DRL rules name processes that the YAML files list too, copied by hand: DRL cannot
 * read YAML lists (they are expanded into the generated DRL of another package, and a user's override of
 * a list would silently change these rules' exceptions). Most copies are picks from a list, not the whole
 * list (the setuid rule excepts the package managers that set setuid bits, not debconf or snapd), so
 * what is checked here: an exact copy stays equal to its list, a pick stays inside its lists, and the
 * names a rule adds of its own are the ones written down here. A list renamed, a name removed or
 * spelt another way in the YAML, or a name added to a DRL rule without saying where it comes from, fails.
 */
class DrlExceptionListsTest {
    private static final Pattern COMM_NOT_IN = Pattern.compile("process\\.comm not in \\(([^)]*)\\)");
    private static final Pattern SHELL_NAMES = Pattern.compile("boolean isShellName\\(String comm\\) \\{\\s*return java\\.util\\.Set\\.of\\(([^)]*)\\)");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    /** A DRL rule's process.comm exception: the YAML lists it picks from and the names it adds on its own. */
    private record Pick(String rule, List<String> lists, Set<String> own) {}

    private static final List<Pick> PICKS = List.of(
            new Pick("Set setuid or setgid bit", List.of("package_manager_names"), Set.of()),
            new Pick("Log file cleared", List.of("package_manager_names", "container_runtime_names"),
                    Set.of("logrotate", "savelog", "systemd-journal", "journalctl", "rsyslogd", "syslog-ng", "syslogd",
                            "sadc", "sa1", "kubelet", "crio")),
            new Pick("Shell history cleared", List.of("package_manager_names", "auth_tool_names", "container_runtime_names"),
                    Set.of("deluser", "luserdel", "crio")));

    @Test
    void isShellNameIsShellNames() throws Exception {
        Matcher m = SHELL_NAMES.matcher(drl("50-sequences.drl"));
        assertThat(m.find()).as("isShellName's Set.of in 50-sequences.drl").isTrue();
        assertThat(new TreeSet<>(quoted(m.group(1)))).isEqualTo(new TreeSet<>(yamlLists().get("shell_names")));
    }

    @Test
    void everyCommExceptionOfADrlRuleIsAPickFromItsListsOrItsOwn() throws Exception {
        Map<String, List<String>> lists = yamlLists();
        Map<String, List<String>> exceptions = drlCommExceptions();
        assertThat(exceptions.keySet()).as("DRL rules with a process.comm exception").containsExactlyInAnyOrderElementsOf(
                PICKS.stream().map(Pick::rule).toList());
        for (Pick p : PICKS) {
            Set<String> fromLists = new TreeSet<>();
            for (String list : p.lists()) {
                assertThat(lists).as("YAML list " + list).containsKey(list);
                fromLists.addAll(lists.get(list));
            }
            Set<String> own = new TreeSet<>(exceptions.get(p.rule()));
            own.removeAll(fromLists);
            assertThat(own).as(p.rule() + ": names in none of " + p.lists()).isEqualTo(new TreeSet<>(p.own()));
        }
    }

    private static Map<String, List<String>> yamlLists() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, List<String>> lists = new HashMap<>();
        for (RuleSource s : DefaultPack.sources()) {
            if (!s.name().endsWith(".yaml")) {
                continue;
            }
            for (JsonNode item : yaml.readTree(s.text())) {
                if (item.has("list")) {
                    List<String> names = new ArrayList<>();
                    item.get("items").forEach(n -> names.add(n.asText()));
                    lists.put(item.get("list").asText(), names);
                }
            }
        }
        return lists;
    }

    /** process.comm not in (...) of every DRL rule of the pack, by rule name. */
    private static Map<String, List<String>> drlCommExceptions() throws Exception {
        Map<String, List<String>> out = new HashMap<>();
        for (RuleSource s : DefaultPack.sources()) {
            if (!s.name().endsWith(".drl")) {
                continue;
            }
            String[] rules = s.text().split("(?m)^rule ");
            for (int i = 1; i < rules.length; i++) {
                String name = rules[i].substring(1, rules[i].indexOf('"', 1));
                for (Matcher m = COMM_NOT_IN.matcher(rules[i]); m.find(); ) {
                    out.computeIfAbsent(name, k -> new ArrayList<>()).addAll(quoted(m.group(1)));
                }
            }
        }
        return out;
    }

    private static String drl(String file) throws Exception {
        for (RuleSource s : DefaultPack.sources()) {
            if (s.name().endsWith(file)) {
                return s.text();
            }
        }
        throw new AssertionError("no " + file + " in the default pack");
    }

    private static List<String> quoted(String s) {
        List<String> out = new ArrayList<>();
        for (Matcher m = QUOTED.matcher(s); m.find(); ) {
            out.add(m.group(1));
        }
        return out;
    }
}
