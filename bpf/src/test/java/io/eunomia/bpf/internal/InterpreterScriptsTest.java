package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterpreterScriptsTest {
    private static Optional<String> script(String exe, String cmdline) {
        return InterpreterScripts.of(exe, List.of(cmdline.split(" ")), "/work");
    }

    @Test
    void shellsRunTheirFirstNonOptionArgument() {
        assertThat(script("/usr/bin/dash", "sh /dev/shm/x")).contains("/dev/shm/x");
        assertThat(script("/usr/bin/bash", "bash -e -x /tmp/x a b")).contains("/tmp/x");
        assertThat(script("/usr/bin/bash", "bash -eo pipefail ./x")).contains("/work/x");
        assertThat(script("/usr/bin/bash", "bash +o posix -O extglob --norc ../tmp/x")).contains("/tmp/x");
        assertThat(script("/usr/bin/bash", "bash --rcfile /etc/rc -- /tmp/x")).contains("/tmp/x");
        // busybox: the applet is argv[0].
        assertThat(script("/bin/busybox", "sh /tmp/x")).contains("/tmp/x");
        assertThat(script("/bin/busybox", "cat /tmp/x")).isEmpty();
    }

    @Test
    void aCommandStringOrStdinIsNoScript() {
        assertThat(script("/usr/bin/dash", "sh -c /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/bash", "bash -xc echo /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/bash", "bash -s /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/bash", "bash - /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/bash", "bash")).isEmpty();
        assertThat(script("/usr/bin/bash", "bash -l")).isEmpty();
    }

    @Test
    void pythonKnowsModulesCodeAndOptionValues() {
        assertThat(script("/usr/bin/python3.11", "python3 /tmp/x.py arg")).contains("/tmp/x.py");
        assertThat(script("/usr/bin/python3.11", "python3 -u -W ignore -X dev x.py")).contains("/work/x.py");
        assertThat(script("/usr/bin/python3.11", "python3 -Wignore -B /tmp/x.py")).contains("/tmp/x.py");
        assertThat(script("/usr/bin/python3.11", "python3 -m http.server")).isEmpty();
        assertThat(script("/usr/bin/python3.11", "python3 -uc print(1) /tmp/x.py")).isEmpty();
        assertThat(script("/usr/bin/python3.11", "python3 -")).isEmpty();
    }

    @Test
    void perlRubyAndNode() {
        assertThat(script("/usr/bin/perl", "perl -w /tmp/x.pl")).contains("/tmp/x.pl");
        assertThat(script("/usr/bin/perl", "perl -Ilib -MData::Dumper /tmp/x.pl")).contains("/tmp/x.pl");
        assertThat(script("/usr/bin/perl", "perl -ne print /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/perl", "perl -l -I lib /tmp/x.pl")).contains("/tmp/x.pl");
        assertThat(script("/usr/bin/ruby3.1", "ruby -r json /tmp/x.rb")).contains("/tmp/x.rb");
        assertThat(script("/usr/bin/ruby3.1", "ruby -e puts")).isEmpty();
        assertThat(script("/usr/bin/node", "node -r dotenv /tmp/x.js")).contains("/tmp/x.js");
        assertThat(script("/usr/bin/node", "node -e 1 /tmp/x.js")).isEmpty();
    }

    @Test
    void otherProgramsAndUnknownCwd() {
        assertThat(script("/usr/bin/cat", "cat /tmp/x")).isEmpty();
        assertThat(script("/usr/bin/shellcheck", "shellcheck /tmp/x")).isEmpty();
        assertThat(InterpreterScripts.of("/usr/bin/dash", Arrays.asList("sh", "x"), "")).isEmpty();
        assertThat(InterpreterScripts.of("/usr/bin/dash", Arrays.asList("sh", "/tmp/x"), "")).contains("/tmp/x");
    }
}
