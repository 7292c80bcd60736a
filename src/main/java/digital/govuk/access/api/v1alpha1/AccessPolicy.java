package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** The organisation's access settings. Only the one named `default` is used. */
@Group(EngineerAccess.GROUP)
@Version(EngineerAccess.VERSION)
@Kind("AccessPolicy")
@Singular("accesspolicy")
@Plural("accesspolicies")
@Categories(EngineerAccess.CATEGORY)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessPolicy extends CustomResource<AccessPolicySpec, AccessPolicyStatus> {
    /** The only policy name the operator reads. */
    public static final String DEFAULT_NAME = "default";

    @Override
    @JsonPropertyDescription("The organisation's settings: roles, namespaces, numbers and approvers. Absent fields take their defaults.")
    public AccessPolicySpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Whether the operator uses this policy, and whether it is valid. Written by the operator only.")
    public AccessPolicyStatus getStatus() {
        return super.getStatus();
    }
}
