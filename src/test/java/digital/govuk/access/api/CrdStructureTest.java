package digital.govuk.access.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Checks the committed CRDs have what users and kubectl rely on. */
class CrdStructureTest {

    static CustomResourceDefinition load(String file) throws IOException {
        return Serialization.unmarshal(Files.readString(Path.of("crds", file)), CustomResourceDefinition.class);
    }

    @Test
    void engineerAccessIsClusterScopedWithStatusShortNameAndColumns() throws IOException {
        CustomResourceDefinition crd = load("engineeraccesses.access.govuk.digital-v1.yml");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getGroup()).isEqualTo("access.govuk.digital");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("ea");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("engineeraccesses");
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getSubresources().getStatus()).isNotNull();
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getName())
                .containsExactly("Engineer", "Level", "Supervised", "Expires", "Next", "Rota", "Unmet", "First Unmet", "Age");
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getJsonPath())
                .containsExactly(".spec.fullName", ".status.level", ".status.supervised", ".status.accessExpiryTime",
                        ".status.nextTransitionTime", ".status.rota.eligible", ".status.unmetCount", ".status.unmet[0].code",
                        ".metadata.creationTimestamp");
        // Issue 10: -o wide adds rota eligibility, the number of unmet requirements and the first unmet code.
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getName() + ":" + c.getPriority())
                .containsExactly("Engineer:0", "Level:0", "Supervised:0", "Expires:0", "Next:0", "Rota:1", "Unmet:1", "First Unmet:1",
                        "Age:0");
        assertThat(crd.getSpec().getNames().getCategories()).containsExactly("access");
        assertThat(v.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties().get("history").getMaxItems())
                .isEqualTo(20L);
    }

    @Test
    void accessPolicyIsClusterScopedWithStatus() throws IOException {
        CustomResourceDefinition crd = load("accesspolicies.access.govuk.digital-v1.yml");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
        assertThat(crd.getSpec().getNames().getCategories()).as("kubectl get access lists policies too").containsExactly("access");
    }

    @Test
    void everyPropertyHasADescription() throws IOException {
        for (String file : List.of("engineeraccesses.access.govuk.digital-v1.yml", "accesspolicies.access.govuk.digital-v1.yml")) {
            JSONSchemaProps root = load(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
            List<String> missing = new ArrayList<>();
            walk("", root, missing, true);
            assertThat(missing).as("schema properties without a description in %s", file).isEmpty();
        }
    }

    @Test
    void enumsDatesRequiredFieldsAndCelRulesAreInTheSchema() throws IOException {
        JSONSchemaProps spec = load("engineeraccesses.access.govuk.digital-v1.yml").getSpec().getVersions().get(0)
                .getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).contains("fullName", "role", "employment", "subject");
        assertThat(spec.getProperties().get("role").getEnum()).extracting(Object::toString)
                .containsExactly("\"Developer\"", "\"SRE\"", "\"TechnicalArchitect\"");
        JSONSchemaProps shift = spec.getProperties().get("shifts").getItems().getSchema();
        assertThat(shift.getRequired()).contains("role", "startTime", "endTime");
        assertThat(shift.getProperties().get("startTime").getPattern()).isNotBlank();
        assertThat(shift.getXKubernetesValidations()).extracting(r -> r.getRule())
                .containsExactly("timestamp(self.endTime) > timestamp(self.startTime)");
        JSONSchemaProps exception = spec.getProperties().get("exceptions").getItems().getSchema();
        assertThat(exception.getRequired()).contains("approvedBy", "businessCase", "startTime", "expiryTime");
        assertThat(exception.getProperties().get("businessCase").getMinLength()).isEqualTo(1L);
        assertThat(exception.getXKubernetesValidations()).extracting(r -> r.getRule())
                .containsExactly("timestamp(self.expiryTime) > timestamp(self.startTime)");
        assertThat(spec.getProperties().get("clearance").getProperties().get("grantedOn").getPattern())
                .isEqualTo("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    }

    private static void walk(String path, JSONSchemaProps props, List<String> missing, boolean root) {
        if (!root && (props.getDescription() == null || props.getDescription().isBlank())) {
            missing.add(path);
        }
        if (props.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> e : props.getProperties().entrySet()) {
                if (root && (e.getKey().equals("apiVersion") || e.getKey().equals("kind") || e.getKey().equals("metadata"))) {
                    continue;
                }
                walk(path + "." + e.getKey(), e.getValue(), missing, false);
            }
        }
        if (props.getItems() != null && props.getItems().getSchema() != null) {
            JSONSchemaProps items = props.getItems().getSchema();
            if (items.getProperties() != null) {
                for (Map.Entry<String, JSONSchemaProps> e : items.getProperties().entrySet()) {
                    walk(path + "[]." + e.getKey(), e.getValue(), missing, false);
                }
            }
        }
    }
}
