package io.eunomia.rules.internal;

import io.eunomia.rules.RuleSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.drools.compiler.compiler.io.memory.MemoryFileSystem;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.drools.compiler.kie.builder.impl.InternalKieModuleProvider;
import org.drools.compiler.kie.builder.impl.KieBuilderImpl;
import org.kie.api.builder.model.KieModuleModel;
import org.kie.util.maven.support.ReleaseIdImpl;
import org.drools.model.codegen.ExecutableModelProject;
import org.kie.api.KieBase;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.conf.EventProcessingOption;
import org.kie.internal.conf.ConstraintJittingThresholdOption;

/**
 * The Drools build plumbing. Rules are built as Drools' executable model: every constraint
 * becomes compiled Java (a lambda) instead of an MVEL expression interpreted per event, about five
 * times the throughput here. The model's classes travel as a kjar, so a built rule base can be
 * cached and loaded without compiling again. The interpreted build remains for what the
 * executable model cannot take, and for its error messages, which point into the DRL.
 */
public final class KieModules {
    private static final String EXTERNALISE_LAMBDAS = "drools.externaliseCanonicalModelLambda";

    static {
        // Lambdas stay inline in the generated rule classes: Drools 10.2's pass that moves them
        // out fails (IndexOutOfBoundsException in convertIndexedByCall) on some of our constraints.
        // A builder option read from system properties (a kmodule.xml would need Drools' XML module).
        if (System.getProperty(EXTERNALISE_LAMBDAS) == null) {
            System.setProperty(EXTERNALISE_LAMBDAS, "false");
        }
    }

    private KieModules() {}

    /** A build's outcome: the kjar and its rule base, or Drools' error messages. */
    public record Built(KieBase kieBase, byte[] kjar, List<Message> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Builds the sources as an executable model. */
    public static Built executable(List<RuleSource> sources) {
        return build(sources, true);
    }

    /** Builds the sources the classic way: constraints interpreted by MVEL. */
    public static Built interpreted(List<RuleSource> sources) {
        return build(sources, false);
    }

    /**
     * Loads a kjar made by {@link #executable}. Not through {@code KieRepository.addKieModule(bytes)}:
     * that reads a kmodule.xml, which needs Drools' XML module; the kjar gets the same defaults a
     * build without kmodule.xml gets.
     */
    public static synchronized KieBase load(byte[] kjar) {
        // synchronized: the kjar's release id is fixed inside it (its model classes are found by
        // it), and it is added to and removed from the JVM-wide repository around each load.
        KieServices ks = KieServices.get();
        MemoryFileSystem files = MemoryFileSystem.readFromJar(kjar);
        String pom = files.findPomProperties();
        if (pom == null) {
            throw new IllegalArgumentException("not a kjar: no pom.properties");
        }
        ReleaseId id = ReleaseIdImpl.fromPropertiesString(pom);
        KieModuleModel model = ks.newKieModuleModel();
        KieBuilderImpl.setDefaultsforEmptyKieModule(model);
        ks.getRepository().addKieModule(InternalKieModuleProvider.get(id, model, files));
        try {
            return ks.newKieContainer(id).newKieBase(streamMode(ks, false));
        } finally {
            ks.getRepository().removeKieModule(id);
        }
    }

    private static Built build(List<RuleSource> sources, boolean executable) {
        KieServices ks = KieServices.get();
        ReleaseId id = ks.newReleaseId("io.eunomia.rules", "rules-" + UUID.randomUUID(), "1.0");
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(id);
        for (RuleSource s : sources) {
            kfs.write(ks.getResources().newByteArrayResource(s.text().getBytes(StandardCharsets.UTF_8))
                    .setSourcePath(kiePath(s.name().endsWith(".drl") ? s.name() : s.name() + ".drl")));
        }
        KieBuilder builder = ks.newKieBuilder(kfs);
        if (executable) {
            builder.buildAll(ExecutableModelProject.class);
        } else {
            builder.buildAll();
        }
        List<Message> errors = builder.getResults().getMessages(Message.Level.ERROR);
        if (!errors.isEmpty()) {
            return new Built(null, null, errors);
        }
        try {
            KieBase base = ks.newKieContainer(id).newKieBase(streamMode(ks, !executable));
            byte[] kjar = executable ? ((InternalKieModule) builder.getKieModule()).getBytes() : null;
            return new Built(base, kjar, List.of());
        } finally {
            ks.getRepository().removeKieModule(id);
        }
    }

    private static KieBaseConfiguration streamMode(KieServices ks, boolean interpreted) {
        KieBaseConfiguration conf = ks.newKieBaseConfiguration();
        conf.setOption(EventProcessingOption.STREAM);
        if (interpreted) {
            // No constraint JIT: Drools 10.2's jitted code for constraints with operators (after,
            // str[startsWith], ...) calls EvaluatorHelper.initOperators with an old signature and
            // fails with NoSuchMethodError once a constraint has run 20 times.
            conf.setOption(ConstraintJittingThresholdOption.get(-1));
        }
        return conf;
    }

    /** Kie drops resources whose path has a ".." segment (../shared/rules.yaml): it gets a stand-in. */
    private static final String UP = "__up__";

    static String kiePath(String name) {
        return name.replace("../", UP + "/");
    }

    /** The source's own name, from the path a Kie message names. */
    public static String sourceName(String kiePath) {
        return kiePath.replace(UP + "/", "../");
    }
}
