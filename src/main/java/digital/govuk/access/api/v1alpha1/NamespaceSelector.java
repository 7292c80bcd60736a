package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A label selector over namespaces, as in Kubernetes: all labels and all expressions must match. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NamespaceSelector {
    @JsonPropertyDescription("Labels a namespace must carry, with these values.")
    public Map<String, String> matchLabels = new LinkedHashMap<>();

    @JsonPropertyDescription("Expressions a namespace's labels must satisfy.")
    public List<SelectorRequirement> matchExpressions = new ArrayList<>();
}
