package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.EventType;
import io.eunomia.event.StreamKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kie.api.KieServices;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;

/** YAML rules compiled to DRL and run in a real Drools session (one compile for all cases: it is slow). */
class YamlRuleSessionTest {
    static final String RULES = """
            - list: shell_binaries
              items: [bash, sh, zsh]
            - list: all_shells
              items: [shell_binaries, dash, ash]
            - list: sensitive_files
              items: [/etc/shadow, /etc/sudoers]
            - macro: container
              condition: container.id != host
            - macro: spawned_shell
              condition: evt.type = exec and proc.name in (all_shells)
            - rule: Shell in container
              desc: a shell started in a container
              condition: spawned_shell and container and proc.stdin in (tty, socket)
              output: "shell %proc.name in %container.name (cmd=%proc.cmdline)"
              priority: WARNING
              tags: [container, shell, mitre_execution, T1059]
            - rule: Read sensitive file
              desc: a sensitive file opened
              condition: >
                evt.type in (open, connect) and evt.is_open_read = true
                and (fd.name in (sensitive_files) or fd.name pmatch (/root/.ssh) or fd.name glob '/home/*/.ssh/id_*')
                and not proc.name icontains SSHD
              output: sensitive file %fd.name read by %proc.name
              priority: ERROR
              exceptions:
                - name: known_readers
                  fields: [proc.name, fd.directory]
                  comps: [=, startswith]
                  values:
                    - [passwd, /etc]
            - rule: Outbound to mining port
              desc: connect to a mining pool port
              condition: evt.type = connect and fd.sport in (3333, 4444, 14444) and fd.l4proto = tcp and fd.sip != 127.0.0.1
              output: "%proc.name connected to %fd.sip:%fd.sport"
              priority: CRITICAL
            - rule: Setuid to root
              desc: a non-root process asks for uid 0
              condition: evt.type = setuid and syscall.arg.uid = 0 and user.uid != 0 and not evt.failed = true
              output: "%proc.name setuid(%syscall.arg.uid)"
              priority: NOTICE
            - rule: Admin capability
              desc: CAP_SYS_ADMIN used
              condition: cap.name = CAP_SYS_ADMIN and cap.granted = true and cap.host = true and container.name startswith we and container.image endswith ":1" and container.id exists
              output: "%cap.name by %proc.name"
              priority: INFO
            - rule: Args contain
              desc: argv elements, lengths and substrings
              condition: proc.argv contains "-c" and proc.argc >= 2 and proc.argc < 10 and proc.args contains "echo" and proc.exe endswith sh and proc.pid > 1 and proc.pid <= 10
              output: "%proc.args"
              priority: DEBUG
            - rule: Started by bash
              desc: a program bash started, or a file such a program opened
              condition: evt.type in (execve, open) and proc.pname = bash and not proc.name in (shell_binaries)
              output: "%proc.name (parent %proc.pname)"
              priority: NOTICE
            - rule: Web server child
              desc: web servers do not start programs
              condition: evt.type = exec and proc.pname in (nginx, httpd)
              output: "%proc.exe started by %proc.pname"
              priority: WARNING
            """;

    static RuleBase base;

    @BeforeAll
    static void compile() throws Exception {
        base = RuleCompiler.compile(List.of(new RuleSource("test.yaml", RULES)));
    }

    private static List<String> fire(Event... events) {
        KieSessionConfiguration conf = KieServices.get().newKieSessionConfiguration();
        conf.setOption(ClockTypeOption.PSEUDO);
        KieSession s = base.kieBase().newKieSession(conf, null);
        List<String> fired = new ArrayList<>();
        s.setGlobal(AlertSink.GLOBAL, (AlertSink) (ctx, ev) -> fired.add(base.firing(ctx.getRule()).orElseThrow().name()));
        for (Event e : events) {
            s.insert(e);
        }
        s.fireAllRules();
        s.dispose();
        return fired;
    }

    @Test
    void ruleInfoCarriesYamlNameMetadataAndTypes() {
        RuleInfo r = base.rule("Shell in container").orElseThrow();
        assertThat(r.priority()).isEqualTo(Priority.WARNING);
        assertThat(r.tags()).containsExactly("container", "shell", "mitre_execution", "T1059");
        assertThat(r.outputTemplate()).isEqualTo("shell %proc.name in %container.name (cmd=%proc.cmdline)");
        assertThat(r.source()).isEqualTo("test.yaml:11");
        assertThat(base.rules()).extracting(RuleInfo::name).containsExactly("Shell in container", "Read sensitive file",
                "Outbound to mining port", "Setuid to root", "Admin capability", "Args contain", "Started by bash",
                "Web server child");
        assertThat(base.eventTypes()).containsExactlyInAnyOrder(EventType.EXEC, EventType.FILE, EventType.NET,
                EventType.SYSCALL, EventType.CAP);
    }

    @Test
    void shellInContainer() {
        assertThat(fire(Events.exec("/bin/bash", List.of("bash"), StreamKind.TTY, Events.WEB))).containsExactly("Shell in container");
        assertThat(fire(Events.exec("/bin/ash", List.of("ash"), StreamKind.SOCKET, Events.WEB))).containsExactly("Shell in container");
        assertThat(fire(Events.exec("/bin/bash", List.of("bash"), StreamKind.TTY, ContainerInfo.HOST))).isEmpty();
        assertThat(fire(Events.exec("/bin/bash", List.of("bash"), StreamKind.PIPE, Events.WEB))).isEmpty();
        assertThat(fire(Events.exec("/usr/bin/python3", List.of("python3"), StreamKind.TTY, Events.WEB))).isEmpty();
    }

    @Test
    void sensitiveFileWithExceptionsPmatchAndGlob() {
        assertThat(fire(Events.open("cat", "/etc/shadow", 0, Events.WEB))).containsExactly("Read sensitive file");
        assertThat(fire(Events.open("cat", "/root/.ssh/id_rsa", 0, Events.WEB))).containsExactly("Read sensitive file");
        assertThat(fire(Events.open("cat", "/home/ann/.ssh/id_ed25519", 2, Events.WEB))).containsExactly("Read sensitive file");
        assertThat(fire(Events.open("cat", "/root/.sshx", 0, Events.WEB))).isEmpty();
        assertThat(fire(Events.open("cat", "/etc/shadow", 1, Events.WEB))).as("write only").isEmpty();
        assertThat(fire(Events.open("passwd", "/etc/shadow", 0, Events.WEB))).as("exception").isEmpty();
        assertThat(fire(Events.open("sshd", "/etc/shadow", 0, Events.WEB))).as("icontains").isEmpty();
        assertThat(fire(Events.open("cat", "/etc/hosts", 0, Events.WEB))).isEmpty();
    }

    @Test
    void miningPort() {
        assertThat(fire(Events.connect("xmrig", "203.0.113.9", 3333))).containsExactly("Outbound to mining port");
        assertThat(fire(Events.connect("xmrig", "127.0.0.1", 3333))).isEmpty();
        assertThat(fire(Events.connect("curl", "203.0.113.9", 443))).isEmpty();
    }

    @Test
    void setuidSyscallArgs() {
        assertThat(fire(Events.setuid("exploit", 0, 1000))).containsExactly("Setuid to root");
        assertThat(fire(Events.setuid("exploit", 0, 0))).isEmpty();
        assertThat(fire(Events.setuid("exploit", 1000, 1000))).isEmpty();
    }

    @Test
    void capabilityAndArgs() {
        assertThat(fire(Events.cap("CAP_SYS_ADMIN", true))).containsExactly("Admin capability");
        assertThat(fire(Events.cap("CAP_SYS_ADMIN", false))).isEmpty();
        assertThat(fire(Events.cap("CAP_NET_ADMIN", true))).isEmpty();
        assertThat(fire(Events.exec("/bin/sh", List.of("sh", "-c", "echo hi"), StreamKind.PIPE, Events.WEB)))
                .containsExactly("Args contain");
        assertThat(fire(Events.exec("/bin/sh", List.of("sh", "-x", "echo hi"), StreamKind.PIPE, Events.WEB))).isEmpty();
    }

    @Test
    void parentName() {
        Event id = Events.exec("/usr/bin/id", List.of("id"), StreamKind.PIPE, Events.WEB);
        assertThat(fire(Events.childOf("bash", id))).containsExactly("Started by bash");
        assertThat(fire(Events.childOf("bash", Events.open("cat", "/etc/hosts", 0, Events.WEB)))).containsExactly("Started by bash");
        assertThat(fire(Events.childOf("nginx", id))).containsExactly("Web server child");
        assertThat(fire(Events.childOf("httpd", id))).containsExactly("Web server child");
        assertThat(fire(Events.childOf("sh", id))).isEmpty();
        assertThat(fire(Events.childOf("bashful", id))).as("equality, not a prefix").isEmpty();
        assertThat(fire(id)).as("parent unknown").isEmpty();
        assertThat(fire(Events.childOf("bash", Events.exec("/bin/sh", List.of("sh"), StreamKind.PIPE, Events.WEB))))
                .as("not proc.name in (shell_binaries)").isEmpty();
    }

    @Test
    void rulesSplitAcrossRecordTypesMapBackToOneName() throws Exception {
        String drl = RuleCompiler.toDrl(List.of(new RuleSource("test.yaml", RULES))).get("test.yaml");
        assertThat(drl).contains("rule \"Shell in container\"").contains("$e : ExecEvent(");
        assertThat(drl).contains("rule \"Read sensitive file\"").contains("FileEvent( op == FileOp.OPEN");
        assertThat(drl).contains("@rule(\"Read sensitive file\")");
    }
}
