package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * values.schema.json: Helm checks every install, upgrade and template against it, so a misspelt value or one of the
 * wrong type is refused with Helm's own message before anything is made, instead of being ignored. It must know
 * every value in values.yaml, and nothing values.yaml does not have.
 */
class ChartSchemaTest {
    static final Path SCHEMA = Chart.DIR.resolve("values.schema.json");
    /** What a parent chart passes to every subchart; Helm adds it, values.yaml does not have it. */
    static final Set<String> NOT_IN_VALUES = Set.of("global");

    @Test
    void anUnknownTopLevelKeyIsRefusedWithHelmsOwnMessage() {
        // The real key is replicas; cert-manager's chart calls it replicaCount, so this one is easy to get wrong.
        assertThatThrownBy(() -> Chart.render("replicaCount: 3", null))
                .hasMessageContaining("values don't meet the specifications of the schema(s)")
                .hasMessageContaining("at '': additional properties 'replicaCount' not allowed");
        assertThatThrownBy(() -> Chart.render("leaderElection: {leaseNmae: x}", null))
                .hasMessageContaining("at '/leaderElection': additional properties 'leaseNmae' not allowed");
    }

    @Test
    void aStringWhereAListBelongsIsRefused() {
        assertThatThrownBy(() -> Chart.render("policy: {techLeads: tess.lead@example.gov.uk}", null))
                .hasMessageContaining("at '/policy/techLeads': got string, want array");
        assertThatThrownBy(() -> Chart.render("imagePullSecrets: registry-credentials", null))
                .hasMessageContaining("at '/imagePullSecrets': got string, want array");
    }

    @Test
    void aValueOutsideItsChoicesOrBoundsIsRefused() {
        assertThatThrownBy(() -> Chart.render("logFormat: xml", null)).hasMessageContaining("at '/logFormat': value must be one of 'json', 'text'");
        assertThatThrownBy(() -> Chart.render("podAntiAffinity: sometimes", null)).hasMessageContaining("at '/podAntiAffinity'");
        assertThatThrownBy(() -> Chart.render("managementPort: 80", null)).hasMessageContaining("at '/managementPort'");
        assertThatThrownBy(() -> Chart.render("policy: {longAbsenceDays: 0}", null)).hasMessageContaining("at '/policy/longAbsenceDays'");
        assertThatThrownBy(() -> Chart.render("image: {digest: latest}", null)).hasMessageContaining("at '/image/digest'");
    }

    @Test
    void theDefaultsAndAFullVariantPass() {
        assertThat(Chart.render().has("Deployment")).isTrue();
        assertThat(Chart.render(ChartRenderTest.VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY).has("Deployment")).isTrue();
    }

    @Test
    void everyValueIsInTheSchemaAndTheSchemaHasNoOther() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        Map<String, Object> values = new YAMLMapper().readerForMapOf(Object.class).readValue(Chart.DIR.resolve("values.yaml").toFile());
        Set<String> missing = new TreeSet<>();
        for (String key : ChartReadmeTest.keys("", values)) {
            if (!described(schema, key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("values.yaml keys without a place in %s", SCHEMA).isEmpty();
        Set<String> extra = new TreeSet<>();
        properties("", schema, extra);
        // The parts of a value given whole (a probe, a selector left empty) are Kubernetes' fields, not values.yaml's.
        extra.removeIf(path -> NOT_IN_VALUES.contains(path) || has(values, path) || givenWhole(values, path));
        assertThat(extra).as("schema properties that values.yaml does not have").isEmpty();
    }

    @Test
    void thePolicyValuesHaveTheBoundsOfTheAccessPolicyCrd() throws IOException {
        JsonNode crdSpec = new YAMLMapper().readTree(Path.of("crds/accesspolicies.access.govuk.digital-v1.yml").toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        JsonNode policy = new ObjectMapper().readTree(SCHEMA.toFile()).at("/properties/policy/properties");
        for (Iterator<String> fields = crdSpec.fieldNames(); fields.hasNext();) {
            String field = fields.next();
            JsonNode ours = policy.get(field);
            assertThat(ours).as("policy.%s in the schema", field).isNotNull();
            for (String bound : new String[] {"type", "minimum", "maximum", "minLength", "maxLength", "maxItems"}) {
                if (crdSpec.get(field).has(bound)) {
                    assertThat(ours.path(bound).asText()).as("policy.%s %s", field, bound)
                            .isEqualTo(bound.equals("type") ? crdSpec.get(field).get(bound).asText() : String.valueOf(crdSpec.get(field).get(bound).asInt()));
                }
            }
            if (crdSpec.get(field).has("enum")) {
                assertThat(ours.get("enum")).as("policy.%s enum", field).containsExactlyInAnyOrderElementsOf(crdSpec.get(field).get("enum"));
            }
        }
    }

    /** Whether the schema describes the value at {@code path}: by its own property, or as part of a free-form object. */
    static boolean described(JsonNode schema, String path) {
        JsonNode node = schema;
        for (String part : path.split("\\.")) {
            if (!node.has("properties")) {
                return node.path("type").asText().equals("object");
            }
            node = node.path("properties").path(part);
            if (node.isMissingNode()) {
                return false;
            }
        }
        return true;
    }

    static void properties(String prefix, JsonNode node, Set<String> out) {
        node.path("properties").fields().forEachRemaining(e -> {
            String path = prefix + e.getKey();
            out.add(path);
            properties(path + ".", e.getValue(), out);
        });
    }

    /** Whether a value above {@code path} is documented as a whole, or is an empty map in values.yaml. */
    static boolean givenWhole(Map<String, Object> values, String path) {
        String above = path;
        while (above.contains(".")) {
            above = above.substring(0, above.lastIndexOf('.'));
            if (ChartReadmeTest.DOCUMENTED_AS_A_WHOLE.contains(above) || (value(values, above) instanceof Map<?, ?> m && m.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    static boolean has(Map<String, Object> values, String path) {
        return value(values, path) != null;
    }

    @SuppressWarnings("unchecked")
    static Object value(Map<String, Object> values, String path) {
        Object node = values;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
                return null;
            }
            node = ((Map<String, Object>) map).get(part);
        }
        return node;
    }
}
