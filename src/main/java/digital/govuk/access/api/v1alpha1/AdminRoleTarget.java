package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The Admin ClusterRole, its namespaces, and whether Admin also gets the Deploy bindings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdminRoleTarget extends RoleTarget {
    @JsonPropertyDescription("When true, an engineer with Admin also gets the Deploy bindings. Default true.")
    public Boolean includeDeploy;
}
