package io.eunomia.bpf.internal;

import io.eunomia.event.path.PathNormalizer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The program file an interpreter was told to run by argument ({@code sh /dev/shm/x},
 * {@code python3 -u /tmp/x.py}): the first argument that is not an option and not an option's
 * value, for the interpreters whose syntax is known here. The kernel runs the interpreter and
 * never sees the script as a program; without this, "exec from /tmp" and drift rules would see
 * only {@code /bin/sh}. A command string ({@code sh -c}, {@code python3 -c}, {@code perl -e}), a
 * module ({@code python3 -m}) or stdin ({@code -}, {@code -s}) is no file: empty.
 */
public final class InterpreterScripts {
    private enum Syntax { SHELL, PYTHON, PERL, RUBY, NODE }

    private static final Set<String> SHELLS = Set.of("sh", "ash", "dash", "bash", "ksh", "mksh", "zsh", "busybox");
    /** Compiled once: String.matches compiles its pattern at each call, and this runs at every exec. */
    private static final Pattern PYTHON = Pattern.compile("python[0-9.]*");
    private static final Pattern PERL = Pattern.compile("perl[0-9.]*");
    private static final Pattern RUBY = Pattern.compile("ruby[0-9.]*");

    private InterpreterScripts() {}

    /**
     * The script named in argv, made absolute against cwd and normalised; empty for another
     * program, an interpreter without a script file argument, or a relative name without a cwd.
     *
     * @param exe  the file that runs (resolved: {@code /usr/bin/dash} for {@code sh})
     * @param argv the arguments, argv[0] first
     * @param cwd  the working directory at the exec, absolute; "" when unknown
     */
    public static Optional<String> of(String exe, List<String> argv, String cwd) {
        if (argv.size() < 2) {
            return Optional.empty();
        }
        String name = baseName(exe);
        if (name.equals("busybox")) {
            name = baseName(argv.get(0));  // the applet is argv[0]: sh, ash
        }
        Syntax syntax = syntaxOf(name);
        if (syntax == null) {
            return Optional.empty();
        }
        int at = scriptIndex(syntax, argv);
        if (at < 0) {
            return Optional.empty();
        }
        String arg = argv.get(at);
        if (arg.isEmpty() || arg.equals("-")) {
            return Optional.empty();
        }
        if (!arg.startsWith("/")) {
            if (!cwd.startsWith("/")) {
                return Optional.empty();
            }
            arg = cwd + "/" + arg;
        }
        return Optional.of(PathNormalizer.normalize(arg));
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Syntax syntaxOf(String name) {
        if (SHELLS.contains(name) && !name.equals("busybox")) {
            return Syntax.SHELL;
        }
        if (PYTHON.matcher(name).matches()) {
            return Syntax.PYTHON;
        }
        if (PERL.matcher(name).matches()) {
            return Syntax.PERL;
        }
        if (RUBY.matcher(name).matches()) {
            return Syntax.RUBY;
        }
        if (name.equals("node") || name.equals("nodejs")) {
            return Syntax.NODE;
        }
        return null;
    }

    /** Index of the script argument, or -1 when the options say there is none. */
    private static int scriptIndex(Syntax syntax, List<String> argv) {
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                return i + 1 < argv.size() ? i + 1 : -1;
            }
            boolean option = a.startsWith("-") && a.length() > 1 || syntax == Syntax.SHELL && a.startsWith("+") && a.length() > 1;
            if (!option) {
                return i;
            }
            switch (takes(syntax, a)) {
                case NONE -> { }
                case NEXT -> i++;
                case NO_SCRIPT -> {
                    return -1;
                }
            }
        }
        return -1;
    }

    private enum Takes { NONE, NEXT, NO_SCRIPT }

    /** What an option means for finding the script: nothing, it consumes the next argument, or there is no script. */
    private static Takes takes(Syntax syntax, String a) {
        return switch (syntax) {
            case SHELL -> shell(a);
            case PYTHON -> shortFlags(a, "cm", "WX", "", Set.of("--check-hash-based-pycs"));
            case PERL -> shortFlags(a, "eE", "I", "Mmx0liCdD", Set.of());
            case RUBY -> shortFlags(a, "e", "IrCE", "x", Set.of());
            case NODE -> node(a);
        };
    }

    /** sh, bash: -c is a command string, -s reads stdin; -o/+o, -O/+O and bash's --rcfile take a value. */
    private static Takes shell(String a) {
        if (a.startsWith("--")) {
            return a.equals("--rcfile") || a.equals("--init-file") ? Takes.NEXT : Takes.NONE;
        }
        String flags = a.substring(1);
        if (flags.indexOf('c') >= 0 || flags.indexOf('s') >= 0) {
            return Takes.NO_SCRIPT;
        }
        return flags.indexOf('o') >= 0 || flags.indexOf('O') >= 0 ? Takes.NEXT : Takes.NONE;
    }

    /**
     * Clustered one-letter flags ({@code -uBc}): a letter of noScript ends the options without a
     * script (its value, attached or next, is code or a module); a letter of withValue takes the
     * rest of the word or, at its end, the next argument; one of attachedValue only the rest of
     * the word (perl's {@code -MData::Dumper}, {@code -l}).
     */
    private static Takes shortFlags(String a, String noScript, String withValue, String attachedValue,
                                    Set<String> longWithValue) {
        if (a.startsWith("--")) {
            return longWithValue.contains(a) ? Takes.NEXT : Takes.NONE;
        }
        for (int k = 1; k < a.length(); k++) {
            char c = a.charAt(k);
            if (noScript.indexOf(c) >= 0) {
                return Takes.NO_SCRIPT;
            }
            if (withValue.indexOf(c) >= 0) {
                return k == a.length() - 1 ? Takes.NEXT : Takes.NONE;
            }
            if (attachedValue.indexOf(c) >= 0) {
                return Takes.NONE;
            }
        }
        return Takes.NONE;
    }

    /** node: -e/--eval and -p/--print are code; -r/--require takes a module. */
    private static Takes node(String a) {
        return switch (a) {
            case "-e", "--eval", "-p", "--print", "-pe" -> Takes.NO_SCRIPT;
            case "-r", "--require" -> Takes.NEXT;
            default -> Takes.NONE;
        };
    }
}
