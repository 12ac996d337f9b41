package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.event.EventType;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleBase;
import io.eunomia.rules.RuleCompileException;
import io.eunomia.rules.RuleCompiler;
import io.eunomia.rules.RuleError;
import io.eunomia.rules.RuleInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eunomia rules check FILE...}: compiles rule files as monitor would, prints every error and warning. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate rule files as monitor loads them: after the default pack (unless --no-default-rules), "
                + "in the order given, overrides applied; one error per line as file:line:column: message. "
                + "Warnings (file:line:column: warning: ...) do not fail the check.",
                "Exit code 1 when any file has errors."})
public final class RulesCheckCommand implements Callable<Integer> {
    /** Exit code when rules do not compile. */
    public static final int EXIT_INVALID = 1;

    @CommandLine.Mixin
    RuleFileOptions rules;

    @Option(names = "--admissions", description = "Also print, for each rule of the files, the event types it reads "
            + "and the patterns that let events into the rule session (an event no pattern of any rule accepts stays out).")
    boolean admissions;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "Lines for people, or one JSON object (rules, warnings, file reads, admissions). Default: ${DEFAULT-VALUE}.")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RuleBase base;
        try {
            base = RuleCompiler.check(rules.sources(), rules.skipUnsupported);
        } catch (RuleCompileException e) {
            RuleFiles.print(e.errors(), err);
            return EXIT_INVALID;
        }
        RuleFiles.printWarnings(base.warnings(), err);
        long fromPack = base.rules().stream().filter(r -> DefaultPack.isPackSource(r.source())).count();
        if (format.equals("json")) {
            out.println(json(base, fromPack));
            out.flush();
            return 0;
        }
        out.println(base.rules().size() + " rules OK" + (rules.noDefaultRules ? "" : " (" + fromPack + " from the default pack)"));
        if (base.eventTypes().contains(EventType.FILE)) {
            // What the file sensor will report of successful read-only opens (its read filter).
            out.println("file reads the rules need: " + base.fileReads().describe());
        }
        if (base.eventTypes().contains(EventType.NET)) {
            // What the net sensor will report (its net filter).
            out.println("socket events the rules need: " + base.netEvents().describe());
        }
        if (admissions) {
            Map<String, Set<EventType>> types = base.eventTypesByRule();
            Map<String, List<String>> admits = base.admissions();
            for (RuleInfo r : filesRules(base)) {
                out.println(r.name() + " (" + r.source() + "): reads " + String.join(", ", typeNames(types.get(r.name()))));
                admits.getOrDefault(r.name(), List.of()).forEach(a -> out.println("  admits " + a));
            }
        }
        out.flush();
        return 0;
    }

    /** The rules of the files given (the default pack's left out). */
    private static List<RuleInfo> filesRules(RuleBase base) {
        return base.rules().stream().filter(r -> !DefaultPack.isPackSource(r.source())).toList();
    }

    private static List<String> typeNames(Set<EventType> types) {
        return types == null ? List.of() : types.stream().sorted().map(EventType::cliName).toList();
    }

    private String json(RuleBase base, long fromPack) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("rules", base.rules().size());
        root.put("fromDefaultPack", rules.noDefaultRules ? 0 : fromPack);
        if (base.eventTypes().contains(EventType.FILE)) {
            root.put("fileReads", base.fileReads().describe());
        }
        if (base.eventTypes().contains(EventType.NET)) {
            root.put("netEvents", base.netEvents().describe());
        }
        ArrayNode warnings = root.putArray("warnings");
        for (RuleError w : base.warnings()) {
            warnings.addObject().put("file", w.file()).put("line", w.line()).put("column", w.column()).put("message", w.message());
        }
        Map<String, Set<EventType>> types = base.eventTypesByRule();
        Map<String, List<String>> admits = base.admissions();
        ArrayNode list = root.putArray("admissions");
        for (RuleInfo r : filesRules(base)) {
            ObjectNode n = list.addObject().put("rule", r.name()).put("source", r.source());
            typeNames(types.get(r.name())).forEach(n.putArray("eventTypes")::add);
            admits.getOrDefault(r.name(), List.of()).forEach(n.putArray("admits")::add);
        }
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
