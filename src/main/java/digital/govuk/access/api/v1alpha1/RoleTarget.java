package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;

/** A ClusterRole and the namespaces in which it is bound. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoleTarget {
    @Size(min = 1, max = Bounds.CLUSTER_ROLE)
    @JsonPropertyDescription("The ClusterRole the managed RoleBindings refer to. Default production-deploy (deploy) or production-admin (admin).")
    public String clusterRole;

    @JsonPropertyDescription("Namespaces in which to bind it. Default: namespaces labelled access.govuk.digital/deploy=true (deploy) or access.govuk.digital/admin=true (admin).")
    public NamespaceSelector namespaceSelector;
}
