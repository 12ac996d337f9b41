package io.eunomia.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The schema in policies/schema describes what the writer writes, in both spellings. */
class ProfileSchemaTest {
    static final Path SCHEMA = Path.of("..", "policies", "schema", "profile-v1.schema.json");

    static JsonSchema schema() throws Exception {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(new ObjectMapper().readTree(Files.readString(SCHEMA)));
    }

    @Test
    void writtenProfilesValidate() throws Exception {
        Profile p = ProfileFilesTest.sample();
        JsonSchema schema = schema();
        JsonNode json = new ObjectMapper().readTree(ProfileFiles.toJson(p));
        assertThat(schema.validate(json)).isEmpty();
        JsonNode yaml = new YAMLMapper().readTree(ProfileFiles.toYaml(p));
        assertThat(schema.validate(yaml)).isEmpty();
    }

    @Test
    void schemaRejectsWhatTheReaderRejects() throws Exception {
        JsonSchema schema = schema();
        String json = ProfileFiles.toJson(ProfileFilesTest.sample());
        for (String broken : new String[] {
                json.replace("\"eunomia.io/v1\"", "\"eunomia.io/v2\""),
                json.replace("\"workload\"", "\"workloads\""),
                json.replace("\"x86\"", "\"i386\""),
                json.replace("\"CAP_CHOWN\"", "\"chown\""),
                json.replace("\"/bin/sh\"", "\"bin/sh\"")}) {
            assertThat(schema.validate(new ObjectMapper().readTree(broken))).as(broken).isNotEmpty();
        }
    }
}
