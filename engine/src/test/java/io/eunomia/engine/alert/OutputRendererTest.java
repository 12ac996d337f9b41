package io.eunomia.engine.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.pipeline.TestEvents;
import org.junit.jupiter.api.Test;

class OutputRendererTest {
    @Test
    void rendersFieldsMissingOnesAndLiterals() {
        var e = TestEvents.open(TestEvents.T0, 77, "cat", "/etc/shadow", -13);
        var t = new OutputRenderer().parse("%proc.name(%proc.pid) read %fd.name. res=%evt.res exe=%proc.exe 100%% %{container.name}x");
        assertThat(t.render(e)).isEqualTo("cat(77) read /etc/shadow. res=EACCES exe=<NA> 100% webx");
    }

    /** The "Set setuid or setgid bit" output showed mode=2541 for a chmod 4755: modes are octal, as chmod writes them. */
    @Test
    void modesAreRenderedInOctal() {
        var p = TestEvents.open(TestEvents.T0, 77, "chmod", "/tmp/x", 0).process();
        var chmod = new io.eunomia.event.SyscallEvent(TestEvents.T0, p, "fchmodat", 268, java.util.Map.of("mode", (long) 02755),
                java.util.Map.of("path", "/tmp/x"), 0);
        var t = new OutputRenderer().parse("mode=%syscall.arg.mode also %evt.arg.mode");
        assertThat(t.render(chmod)).isEqualTo("mode=02755 also 02755");
    }

    @Test
    void theResolverIsPluggable() {
        var t = new OutputRenderer((f, ev) -> f.toUpperCase()).parse("a %b.c d");
        assertThat(t.render(TestEvents.open(0, 1, "x", "/"))).isEqualTo("a B.C d");
    }
}
