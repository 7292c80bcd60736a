package digital.govuk.access.bindings;

import java.util.Map;

/** What the binding rules need to know about a namespace. */
public record NamespaceInfo(String name, Map<String, String> labels, boolean terminating) {
}
