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

    @JsonPropertyDescription("True while a later edit of the policy may have been valid and was never recorded (the operator was"
            + " stopped or could not write this status): until the policy is valid again, this one only takes access away.")
    public Boolean grantsWithheld;

    public PolicyInForce() {
    }

    public PolicyInForce(Long generation, AccessPolicySpec spec) {
        this.generation = generation;
        this.spec = spec;
    }
}
