package io.eunomia.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The privilege sensor's call table as Java reads it: rows, errors, and the names rules can use. */
class SyscallArgumentsTest {
    @Test
    void theTableInTheJarNamesEachCallsArguments() {
        assertThat(SyscallArguments.load().get("setresuid")).isEqualTo(new SyscallArguments.Call("setresuid", "setresuid",
                List.of("ruid", "euid", "suid", "prev_uid", "prev_euid", "prev_suid"), List.of()));
        assertThat(SyscallArguments.numberNames().get("prev_euid")).contains("setuid", "setreuid", "setresuid");
        assertThat(SyscallArguments.stringNames().get("target")).containsExactly("fspick", "mount", "mount_setattr", "move_mount", "pivot_root", "umount2");
        assertThat(SyscallArguments.load().get("fremovexattr")).isEqualTo(new SyscallArguments.Call("fremovexattr", "fremovexattr",
                List.of(), List.of("path", "name")));
        assertThat(SyscallArguments.modeNames()).containsExactly("mode");
        assertThat(SyscallArguments.load().get("setxattr").args())
                .containsExactly("size", "flags", "cap_permitted", "cap_inheritable", "cap_effective");
        assertThat(SyscallArguments.load().get("setxattrat").args())
                .containsExactly("at_flags", "size", "flags", "cap_permitted", "cap_inheritable", "cap_effective");
    }

    @Test
    void rowsSpanLinesAndCommentsAreIgnored() {
        var calls = SyscallArguments.parse("t.h", """
                /* a comment with PRIV(x, y) inside */
                PRIV_IF(kill, kill, kill_keep,   // the filter
                    ARGS(INT(0, pid), INT(1, sig)),
                    NO_STRS)
                PRIV_ENTER(setns, setns, save, ARGS(INT(0, fd)), STRS(FD_PATH(0, path), USER_STR(1, 64, name)))
                PRIV(pivot_root, pivot_root, NO_ARGS, STRS(PATH(0, new_root), PATH(1, put_old)))
                PRIV(fsmount, fsmount, ARGS(INT(0, fd)), STRS(MNT_DEVNAME(RESULT, source), MNT_FSTYPE(RESULT, fstype)))
                PRIV(removexattr, removexattr, NO_ARGS, STRS(PATH(0, path)))
                PRIV_EXIT_IF(socket, socket, socket_keep, ARGS(INT(0, family), INT(1, type)), NO_STRS)
                """);
        assertThat(calls.keySet()).containsExactly("kill", "setns", "pivot_root", "fsmount", "removexattr", "socket");
        assertThat(calls.get("socket").args()).containsExactly("family", "type");
        assertThat(calls.get("pivot_root").args()).isEmpty();
        assertThat(calls.get("removexattr").args()).isEmpty();
        assertThat(calls.get("fsmount").strings()).containsExactly("source", "fstype");
        assertThat(calls.get("kill").args()).containsExactly("pid", "sig");
        assertThat(calls.get("setns").strings()).containsExactly("path", "name");
    }

    @Test
    void aMalformedRowIsReportedWithItsPosition() {
        assertError("PRIV(a, a, ARGS(INT(0, x)), NO_STRS)\nPRIV(b, b, ARGS(INTEGER(0, y)), NO_STRS)",
                "t.h:2:17: unknown item INTEGER in ARGS: one of [FILE_CAPS, FILE_CAPS_AT, INT, LONG, MODE, XATTR_ARGS]");
        assertError("PRIV(a, a, ARGS(INT(0, x)))", "t.h:1:1: PRIV takes 4 parameters, found 3");
        assertError("PRIV(a, a, ARGS(INT(0, x)), STRS())", "t.h:1:34: unexpected ')'");
        assertError("PRIV(a, a, ARGS(INT(0, x)), PATHS(PATH(0, p)))", "t.h:1:29: expected STRS(...) or NO_STRS, found PATHS");
        assertError("PRIV(a, a, ARGS(INT(0, x), LONG(1, x)), NO_STRS)", "t.h:1:36: a second x in ARGS");
        assertError("PRIV(a, a, NUMBERS(INT(0, x)), NO_STRS)", "t.h:1:12: expected ARGS(...) or NO_ARGS, found NUMBERS");
        assertError("PRIV(a, a, ARGS(INT(0, 7)), NO_STRS)", "t.h:1:24: expected a name, found 7");
        assertError("PRIV(a, a, ARGS(INT(0, x)), NO_STRS)\nPRIV(a, b, ARGS(INT(0, x)), NO_STRS)", "t.h:2:6: a second row for a");
        assertError("PRIV(a, a, ARGS(INT(0, x)), NO_STRS\n", "t.h:2:1: unexpected end of file in PRIV(...)");
        assertError("#include \"x.h\"", "t.h:1:1: unexpected '#'");
    }

    private static void assertError(String table, String message) {
        assertThatThrownBy(() -> SyscallArguments.parse("t.h", table)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
