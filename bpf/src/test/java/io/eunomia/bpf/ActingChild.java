package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Test helper: a child (python3, in a mount namespace of its own, so its mounts and chroots go with it)
 * that does what it is told line by line ("op arg..."), answering "ok" or "error ...": one process for a
 * sensor to watch by pid through a whole test class. It knows write, mkdir, chroot and unchroot; a test
 * adds its own ops.
 */
final class ActingChild implements AutoCloseable {
    private final Process process;
    private final BufferedReader replies;

    private ActingChild(Process process) {
        this.process = process;
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * @param setup python run once before the loop (imports, helper functions)
     * @param ops   python branches {@code elif op == '...':} of the test's own ops, at the left margin;
     *              {@code a} holds the words after the op; raising OSError answers "error"
     */
    static ActingChild start(String setup, String ops) throws IOException {
        String script = """
                import ctypes, errno, os, sys
                old_root = os.open('/', os.O_RDONLY)
                """ + setup + """
                for line in sys.stdin:
                    op, *a = line.split()
                    try:
                        if op == 'write':
                            os.close(os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
                        elif op == 'mkdir':
                            os.makedirs(a[0])
                        elif op == 'chroot':
                            os.chroot(a[0])
                            os.chdir('/')
                        elif op == 'unchroot':
                            os.fchdir(old_root)
                            os.chroot('.')
                """ + ops.indent(8) + """
                        else:
                            raise OSError(errno.EINVAL, 'unknown op ' + op)
                        print('ok', flush=True)
                    except OSError as e:
                        print('error', op, e, flush=True)
                """;
        return new ActingChild(new ProcessBuilder("unshare", "-m", "--propagation", "private", "python3", "-c", script)
                .redirectErrorStream(true).start());
    }

    long pid() {
        return process.pid();
    }

    /** Tells the child one op and fails unless it did it. */
    void act(String... words) throws IOException {
        process.getOutputStream().write((String.join(" ", words) + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        assertThat(replies.readLine()).as(String.join(" ", words)).isEqualTo("ok");
    }

    /** Ends the child (its input closed, it leaves its loop); its mounts end with its namespace. */
    @Override
    public void close() throws InterruptedException, IOException {
        process.getOutputStream().close();
        process.waitFor();
    }

    /** Deletes a file or a tree, if there. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
