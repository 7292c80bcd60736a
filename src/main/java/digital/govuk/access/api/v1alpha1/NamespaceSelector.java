package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A label selector over namespaces, as in Kubernetes: all labels and all expressions must match. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// Map keys have no maxLength in OpenAPI; Kubernetes 1.25 and later check this rule (the operator always does).
@ValidationRule(value = "!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= " + Bounds.LABEL_KEY + ")",
        message = "label keys must be at most " + Bounds.LABEL_KEY + " characters")
public class NamespaceSelector {
    @Size(max = Bounds.SELECTOR_TERMS)
    @JsonPropertyDescription("Labels a namespace must carry, with these values.")
    public Map<String, @Size(max = Bounds.LABEL_VALUE) String> matchLabels = new LinkedHashMap<>();

    @Size(max = Bounds.SELECTOR_TERMS)
    @JsonPropertyDescription("Expressions a namespace's labels must satisfy.")
    public List<SelectorRequirement> matchExpressions = new ArrayList<>();
}
