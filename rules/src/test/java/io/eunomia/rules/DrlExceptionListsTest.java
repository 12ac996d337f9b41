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
 * The forms the DRL files name processes in: {@code process.comm [not] in (...)}, {@code process.comm ==}
 * or {@code !=} a name, a function's {@code comm.equals("...")} chain, isShellName's Set.of; and paths:
 * credentialFile's equals/startsWith/glob chain, a copy of the credential_file macro.
 */
class DrlExceptionListsTest {
    /** The names a rule or function compares a process's comm with, in each form the DRL files use. */
    private static final Pattern COMM_NAMES = Pattern.compile(
            "process\\.comm (?:not )?in \\(([^)]*)\\)|process\\.comm\\s*[!=]=\\s*(\"[^\"]*\")|\\bcomm\\.equals\\((\"[^\"]*\")\\)");
    /** A DRL rule's or function's start: the rule's quoted name or the function's. */
    private static final Pattern BLOCK = Pattern.compile("(?m)^(?:rule \"([^\"]+)\"|function \\S+ (\\w+)\\()");
    private static final Pattern SHELL_NAMES = Pattern.compile("boolean isShellName\\(String comm\\) \\{\\s*return java\\.util\\.Set\\.of\\(([^)]*)\\)");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    /** A DRL rule's (or function's) process names: the YAML lists it picks from and the names it adds on its own. */
    private record Pick(String rule, List<String> lists, Set<String> own) {}

    private static final List<Pick> PICKS = List.of(
            new Pick("Set setuid or setgid bit", List.of("package_manager_names"), Set.of()),
            new Pick("Log file cleared", List.of("package_manager_names", "container_runtime_names"),
                    Set.of("logrotate", "savelog", "systemd-journal", "journalctl", "rsyslogd", "syslog-ng", "syslogd",
                            "sadc", "sa1", "kubelet")),
            new Pick("Shell history cleared", List.of("package_manager_names", "auth_tool_names", "container_runtime_names"),
                    // deluser is not an auth tool (00-files-macros.yaml says why): it removes a home itself.
                    Set.of("deluser")),
            // tcsh and csh save their history with a truncating open: a pick of shells
            new Pick("tcshSavingHistory", List.of("shell_names"), Set.of()));

    @Test
    void isShellNameIsShellNames() throws Exception {
        Matcher m = SHELL_NAMES.matcher(drl("50-sequences.drl"));
        assertThat(m.find()).as("isShellName's Set.of in 50-sequences.drl").isTrue();
        assertThat(new TreeSet<>(quoted(m.group(1)))).isEqualTo(new TreeSet<>(yamlLists().get("shell_names")));
    }

    @Test
    void credentialFileIsTheCredentialFileMacro() throws Exception {
        String f = blocks().get("credentialFile");
        String macro = yamlMacros().get("credential_file");
        assertThat(macro).as("macro credential_file").isNotNull();
        assertThat(calls(f, "\\bp\\.equals")).as("credentialFile's whole names")
                .isEqualTo(new TreeSet<>(yamlLists().get("credential_file_names")));
        assertThat(calls(f, "\\bp\\.startsWith")).as("credentialFile's directories")
                .isNotEmpty().isEqualTo(operands(macro, "fd\\.name startswith (\\S+)"));
        assertThat(calls(f, "Match\\.glob\\(p,")).as("credentialFile's globs")
                .isNotEmpty().isEqualTo(operands(macro, "fd\\.name glob '([^']*)'"));
        assertThat(calls(f, "\\bp\\.endsWith")).as("credentialFile's exclusion")
                .isNotEmpty().isEqualTo(operands(macro, "not fd\\.name endswith (\\S+)"));
    }

    @Test
    void everyCommExceptionOfADrlRuleIsAPickFromItsListsOrItsOwn() throws Exception {
        Map<String, List<String>> lists = yamlLists();
        Map<String, List<String>> exceptions = drlCommExceptions();
        assertThat(exceptions.keySet()).as("DRL rules and functions naming processes").containsExactlyInAnyOrderElementsOf(
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
        Map<String, List<String>> lists = new HashMap<>();
        for (JsonNode item : yamlItems()) {
            if (item.has("list")) {
                List<String> names = new ArrayList<>();
                item.get("items").forEach(n -> names.add(n.asText()));
                lists.put(item.get("list").asText(), names);
            }
        }
        return lists;
    }

    /** Every macro's condition, by name. */
    private static Map<String, String> yamlMacros() throws Exception {
        Map<String, String> macros = new HashMap<>();
        for (JsonNode item : yamlItems()) {
            if (item.has("macro")) {
                macros.put(item.get("macro").asText(), item.get("condition").asText());
            }
        }
        return macros;
    }

    private static List<JsonNode> yamlItems() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> items = new ArrayList<>();
        for (RuleSource s : DefaultPack.sources()) {
            if (s.name().endsWith(".yaml")) {
                yaml.readTree(s.text()).forEach(items::add);
            }
        }
        return items;
    }

    /** The text of every DRL rule and function of the pack (up to the next one), by rule or function name. */
    private static Map<String, String> blocks() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (RuleSource s : DefaultPack.sources()) {
            if (!s.name().endsWith(".drl")) {
                continue;
            }
            String text = s.text().replaceAll("(?m)^\\s*//.*$", "");  // a comment may name what it does not compare
            Matcher m = BLOCK.matcher(text);
            String name = null;
            int start = 0;
            while (m.find()) {
                if (name != null) {
                    out.put(name, text.substring(start, m.start()));
                }
                name = m.group(1) != null ? m.group(1) : m.group(2);
                start = m.start();
            }
            if (name != null) {
                out.put(name, text.substring(start));
            }
        }
        return out;
    }

    /** The names every DRL rule or function compares process.comm (or a comm) with, by its name. */
    private static Map<String, List<String>> drlCommExceptions() throws Exception {
        Map<String, List<String>> out = new HashMap<>();
        blocks().forEach((name, text) -> {
            for (Matcher m = COMM_NAMES.matcher(text); m.find(); ) {
                String names = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                out.computeIfAbsent(name, k -> new ArrayList<>()).addAll(quoted(names));
            }
        });
        return out;
    }

    /** The string arguments of every call of {@code call} (a regex of what stands before the parenthesis, or after it). */
    private static Set<String> calls(String text, String call) {
        Set<String> out = new TreeSet<>();
        for (Matcher m = Pattern.compile(call + "\\(?\\s*\"([^\"]*)\"").matcher(text); m.find(); ) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Group 1 of every match of the regex in a condition. */
    private static Set<String> operands(String condition, String regex) {
        Set<String> out = new TreeSet<>();
        for (Matcher m = Pattern.compile(regex).matcher(condition); m.find(); ) {
            out.add(m.group(1));
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
