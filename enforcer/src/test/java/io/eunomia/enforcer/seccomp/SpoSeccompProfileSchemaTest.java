package io.eunomia.enforcer.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.eunomia.abi.Errno;
import io.eunomia.enforcer.HandMadeProfiles;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SeccompProfile objects {@code seccomp generate --format k8s} writes, validated against the
 * Security Profiles Operator's own CRD (src/test/resources/io/eunomia/enforcer/spo, see
 * ORIGIN.md there): the {@code openAPIV3Schema} of the version written, with unknown fields
 * refused at every depth (the API server would prune them silently), {@code set} lists unique and
 * the integer formats' ranges enforced.
 */
class SpoSeccompProfileSchemaTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode crd() throws Exception {
        try (InputStream in = SpoSeccompProfileSchemaTest.class.getResourceAsStream("/io/eunomia/enforcer/spo/seccompprofile.crd.yaml")) {
            return YAML.readTree(in);
        }
    }

    /** The schema of one served version, made strict. */
    private static JsonSchema schema(String version) throws Exception {
        for (JsonNode v : crd().path("spec").path("versions")) {
            if (v.path("name").asText().equals(version)) {
                assertThat(v.path("served").asBoolean()).as(version + " is served").isTrue();
                JsonNode s = v.path("schema").path("openAPIV3Schema").deepCopy();
                strict(s);
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(s);
            }
        }
        throw new AssertionError("the CRD has no version " + version);
    }

    /** OpenAPI v3 (Kubernetes structural schema) to a JSON Schema that refuses what the API would drop or refuse. */
    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")) {
                o.put("additionalProperties", false);
            }
            if ("set".equals(o.path("x-kubernetes-list-type").asText())) {
                o.put("uniqueItems", true);
            }
            switch (o.path("format").asText()) {
                case "int32" -> o.put("maximum", Integer.MAX_VALUE);
                case "int64" -> o.put("maximum", Long.MAX_VALUE);
                default -> { }
            }
            List<String> extensions = new ArrayList<>();
            o.fieldNames().forEachRemaining(f -> {
                if (f.startsWith("x-kubernetes-")) {
                    extensions.add(f);
                }
            });
            o.remove(extensions);
            if (o.has("properties")) {
                o.path("properties").forEach(SpoSeccompProfileSchemaTest::strict);
            }
            strict(o.get("items"));
        }
    }

    private static String generated(ProfileForm form) throws Exception {
        SeccompGenerator.Result r = SeccompGenerator.generate(List.of(HandMadeProfiles.web()), new SeccompGenerator.Options(
                List.of(), Optional.empty(), Optional.empty(), Errno.EPERM, false, form));
        return KubernetesProfileWriter.write(r.profile(), "Web_1");
    }

    private static Set<ValidationMessage> validate(JsonSchema schema, JsonNode object) {
        return schema.validate(object);
    }

    @Test
    void generatedObjectsMatchTheOperatorsSchemaWithArgumentRules() throws Exception {
        JsonNode object = YAML.readTree(generated(ProfileForm.KUBERNETES));
        String apiVersion = object.path("apiVersion").asText();
        assertThat(apiVersion).startsWith(crd().path("spec").path("group").asText() + "/");
        assertThat(object.path("kind").asText()).isEqualTo(crd().path("spec").path("names").path("kind").asText());
        JsonSchema schema = schema(apiVersion.substring(apiVersion.indexOf('/') + 1));
        assertThat(validate(schema, object)).isEmpty();
        assertThat(object.path("spec").path("syscalls").findValues("args")).as("argument rules are covered").isNotEmpty();
        // Cluster-scoped: a namespace in the object would be refused by kubectl for a cluster resource.
        assertThat(crd().path("spec").path("scope").asText()).isEqualTo("Cluster");
        Iterator<String> meta = object.path("metadata").fieldNames();
        List<String> metaFields = new ArrayList<>();
        meta.forEachRemaining(metaFields::add);
        assertThat(metaFields).containsExactly("name");
        assertThat(object.path("metadata").path("name").asText()).isEqualTo("web-1");
    }

    @Test
    void theStrictSchemaRefusesWhatTheApiServerWouldDropOrRefuse() throws Exception {
        JsonSchema schema = schema("v1");
        String good = generated(ProfileForm.KUBERNETES);
        Map<String, String> broken = Map.of(
                "unknown field (a typo)", good.replace("  syscalls:\n", "  sycalls:\n"),
                "unknown field in a rule", good.replaceFirst("    - action: SCMP_ACT_ALLOW\n", "    - action: SCMP_ACT_ALLOW\n      comment: x\n"),
                "an action the operator does not know", good.replaceFirst("SCMP_ACT_ALLOW", "SCMP_ACT_PERMIT"),
                "an argument value beyond int64", good.replaceFirst("value: \\d+", "value: 18446744073709551615"),
                "a name twice in a set", good.replaceFirst("        - accept4\n", "        - accept4\n        - accept4\n"));
        broken.forEach((why, text) -> {
            try {
                assertThat(text).as(why).isNotEqualTo(good);
                assertThat(validate(schema, YAML.readTree(text))).as(why).isNotEmpty();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void argumentValuesTheCrdCannotHoldAreRefusedWhenWriting() {
        SeccompProfile p = new SeccompProfile(SeccompAction.ERRNO, java.util.OptionalInt.empty(), List.of("SCMP_ARCH_X86_64"),
                List.of(), List.of(new SyscallRule(List.of("ioctl"), SeccompAction.ALLOW, java.util.OptionalInt.empty(),
                List.of(new ArgCondition(1, -100L, 0, ArgOp.EQ)), null, RuleCondition.NONE, RuleCondition.NONE)),
                List.of(), null, null);
        assertThatThrownBy(() -> KubernetesProfileWriter.write(p, "web"))
                .hasMessageContaining("a SeccompProfile takes argument values from 0 to 2^63-1");
    }
}
