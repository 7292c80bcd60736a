package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last valid AccessPolicy the operator saw: it stays in force while the policy as written is invalid. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyInForce {
    @JsonPropertyDescription("The metadata.generation of that valid policy.")
    public Long generation;

    @JsonPropertyDescription("A copy of that valid policy's spec, read back after a restart.")
    public AccessPolicySpec spec;

    public PolicyInForce() {
    }

    public PolicyInForce(Long generation, AccessPolicySpec spec) {
        this.generation = generation;
        this.spec = spec;
    }
}
