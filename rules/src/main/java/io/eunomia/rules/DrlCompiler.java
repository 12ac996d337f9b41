package io.eunomia.rules;

import io.eunomia.event.CapEvent;
import io.eunomia.event.EventType;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.NetEvent;
import io.eunomia.event.SyscallEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.base.rule.GroupElement;
import org.drools.base.rule.Pattern;
import org.drools.base.rule.RuleConditionElement;
import org.drools.base.base.ClassObjectType;
import org.kie.api.KieBase;
import org.kie.api.builder.Message;
import org.kie.api.builder.Results;
import org.kie.api.conf.EventProcessingOption;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.io.ResourceType;
import org.kie.internal.conf.ConstraintJittingThresholdOption;
import org.kie.internal.io.ResourceFactory;
import org.kie.internal.utils.KieHelper;

/**
 * Builds a STREAM-mode rule base from DRL sources (YAML rules arrive here already compiled to
 * DRL). Rule metadata comes from DRL annotations: {@code @priority("CRITICAL")},
 * {@code @tags("mitre_execution,T1059")}, {@code @output("... %proc.name ...")},
 * {@code @desc("...")}, and {@code @rule("...")} when the rule's own name differs from the DRL
 * rule's (several DRL rules generated from one YAML rule).
 */
public final class DrlCompiler {
    private static final String PREAMBLE = "io/eunomia/rules/preamble.drl";
    private static final Map<Class<?>, EventType> TYPES = Map.of(
            ExecEvent.class, EventType.EXEC, ExitEvent.class, EventType.EXIT, ForkEvent.class, EventType.FORK,
            FileEvent.class, EventType.FILE, NetEvent.class, EventType.NET, CapEvent.class, EventType.CAP,
            SyscallEvent.class, EventType.SYSCALL);

    private DrlCompiler() {}

    /**
     * @param sources DRL sources, in load order
     * @param sourceLines where each rule was written ("file:line"), by rule name, when the caller
     *                    knows better than the DRL (YAML rules)
     */
    public static RuleBase compile(List<RuleSource> sources, Map<String, String> sourceLines) throws RuleCompileException {
        KieHelper helper = new KieHelper();
        add(helper, new RuleSource("preamble.drl", preamble()));
        Map<String, String> drl = new LinkedHashMap<>();
        for (RuleSource s : sources) {
            add(helper, s);
            drl.put(s.name(), s.text());
        }
        Results results = helper.verify();
        List<RuleError> errors = new ArrayList<>();
        for (Message m : results.getMessages(Message.Level.ERROR)) {
            errors.add(DrlMessages.error(m, drl));
        }
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        // No constraint JIT: Drools 10.2's jitted code for constraints with operators (after,
        // str[startsWith], ...) calls EvaluatorHelper.initOperators with an old signature and fails
        // with NoSuchMethodError once a constraint has run 20 times.
        KieBase kieBase = helper.build(EventProcessingOption.STREAM, ConstraintJittingThresholdOption.get(-1));
        Map<String, RuleInfo> infos = new LinkedHashMap<>();
        Map<String, String> drlNames = new LinkedHashMap<>();
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (KiePackage p : kieBase.getKiePackages()) {
            for (Rule r : p.getRules()) {
                RuleInfo info = info(r, sourceLines);
                infos.putIfAbsent(info.name(), info);
                if (!info.name().equals(r.getName())) {
                    drlNames.put(r.getName(), info.name());
                }
                if (r instanceof RuleImpl impl) {
                    collectTypes(impl.getLhs(), types);
                }
            }
        }
        return new RuleBase(kieBase, new ArrayList<>(infos.values()), types, drl, drlNames);
    }

    private static void add(KieHelper helper, RuleSource s) {
        helper.addResource(ResourceFactory.newByteArrayResource(s.text().getBytes(StandardCharsets.UTF_8))
                .setSourcePath(s.name().endsWith(".drl") ? s.name() : s.name() + ".drl"), ResourceType.DRL);
    }

    private static RuleInfo info(Rule r, Map<String, String> sourceLines) {
        Map<String, Object> meta = r.getMetaData();
        String priorityText = String.valueOf(meta.getOrDefault("priority", "WARNING"));
        Priority priority = Priority.parse(priorityText).orElse(Priority.WARNING);
        String tags = String.valueOf(meta.getOrDefault("tags", ""));
        List<String> tagList = tags.isBlank() ? List.of()
                : Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        // @rule names the rule as its author did, when the DRL name differs (generated from YAML).
        String name = String.valueOf(meta.getOrDefault("rule", r.getName()));
        String source = sourceLines.getOrDefault(name, r.getPackageName());
        return new RuleInfo(name, priority, String.valueOf(meta.getOrDefault("desc", "")),
                String.valueOf(meta.getOrDefault("output", r.getName())), tagList, source);
    }

    private static void collectTypes(RuleConditionElement e, Set<EventType> out) {
        if (e instanceof Pattern p && p.getObjectType() instanceof ClassObjectType c) {
            EventType t = TYPES.get(c.getClassType());
            if (t != null) {
                out.add(t);
            }
        }
        for (RuleConditionElement child : e.getNestedElements()) {
            collectTypes(child, out);
        }
    }

    private static String preamble() {
        try (InputStream in = DrlCompiler.class.getClassLoader().getResourceAsStream(PREAMBLE)) {
            if (in == null) {
                throw new IllegalStateException(PREAMBLE + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
