package digital.govuk.access.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * An EngineerAccess or AccessPolicy from a newer CRD is read, not refused: one such object must not stop the
 * operator's watch (decision 43). The fields it does not know are kept as paths, and survive the copies the caches
 * make; they can come only from the reader, never from a cluster.
 */
class UnknownFieldsTest {
    static final KubernetesSerialization TOLERANT = new KubernetesSerialization(UnknownFields.register(new ObjectMapper()), true);
    static final String HAL = """
            {"apiVersion": "access.govuk.digital/v1alpha1", "kind": "EngineerAccess", "metadata": {"name": "hal"},
             "spec": {"subject": {"kind": "User", "name": "hal@example.gov.uk"}, "team": {"name": "platform", "tags": [1, 2]},
                      "shifts": [{"role": "Shadow"}, {"role": "Shadow", "colour": "blue"}]},
             "extra": 3}""";

    @Test
    void aPlainReaderFailsOnAFieldItDoesNotKnow() {
        assertThatThrownBy(() -> new KubernetesSerialization().unmarshal(HAL, EngineerAccess.class)).isNotNull();
    }

    @Test
    void theFieldsAreSkippedAndKeptAsPaths() {
        EngineerAccess hal = TOLERANT.unmarshal(HAL, EngineerAccess.class);
        assertThat(UnknownFields.of(hal)).containsExactly("spec.team", "spec.shifts[1].colour", "extra");
        assertThat(hal.getSpec().subject.name).isEqualTo("hal@example.gov.uk");
        assertThat(hal.getSpec().shifts).hasSize(2);
    }

    @Test
    void aFieldWithNoNameIsNamedByItsQuotes() {
        EngineerAccess nameless = TOLERANT.unmarshal(HAL.replace("\"team\"", "\"\"").replace("\"extra\"", "\"\""), EngineerAccess.class);
        assertThat(UnknownFields.of(nameless)).containsExactly("spec.''", "spec.shifts[1].colour", "''");
    }

    @Test
    void aCopyKeepsThem() {
        EngineerAccess hal = TOLERANT.unmarshal(HAL, EngineerAccess.class);
        assertThat(UnknownFields.of(TOLERANT.clone(hal))).containsExactly("spec.team", "spec.shifts[1].colour", "extra");
    }

    @Test
    void anObjectInAWatchEventToo() {
        // How a watch reads a change: the event first, its object as a generic resource, then converted to the type.
        WatchEvent event = TOLERANT.unmarshal("{\"type\": \"MODIFIED\", \"object\": " + HAL + "}", WatchEvent.class);
        EngineerAccess hal = event.getObject() instanceof EngineerAccess typed ? typed
                : TOLERANT.convertValue(event.getObject(), EngineerAccess.class);
        assertThat(UnknownFields.of(hal)).containsExactly("spec.team", "spec.shifts[1].colour", "extra");
    }

    @Test
    void anObjectWithNoneHasNone() {
        EngineerAccess known = TOLERANT.unmarshal(HAL.replace("\"team\": {\"name\": \"platform\", \"tags\": [1, 2]},", "")
                .replace(", \"colour\": \"blue\"", "").replace(",\n \"extra\": 3", ""), EngineerAccess.class);
        assertThat(UnknownFields.of(known)).isEmpty();
        assertThat(known.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void theAnnotationKeyIsOneNoClusterCanStore() {
        // Annotation keys are qualified names: a space is never allowed, so the API server refuses this key.
        assertThat(UnknownFields.ANNOTATION).contains(" ");
    }

    @Test
    void anAccessPolicyToo() {
        AccessPolicy p = TOLERANT.unmarshal("""
                {"apiVersion": "access.govuk.digital/v1alpha1", "kind": "AccessPolicy", "metadata": {"name": "default"},
                 "spec": {"timeZone": "Europe/London", "approvalWindow": "P30D"}}""", AccessPolicy.class);
        assertThat(UnknownFields.of(p)).containsExactly("spec.approvalWindow");
        assertThat(p.getSpec().timeZone).isEqualTo("Europe/London");
    }

    @Test
    void otherKindsAreReadAsBefore() {
        Namespace ns = TOLERANT.unmarshal("""
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps", "labels": {"a": "b"}}, "later": 1}""",
                Namespace.class);
        assertThat(ns.getMetadata().getLabels()).isEqualTo(Map.of("a", "b"));
        assertThat(UnknownFields.of(ns)).isEmpty();
    }
}
