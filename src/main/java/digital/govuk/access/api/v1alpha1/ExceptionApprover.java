package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A person allowed to approve Admin access by exception. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExceptionApprover {
    @Required
    @Size(min = 1, max = Bounds.NAME)
    @JsonPropertyDescription("The approver's name as exceptions write it in approvedBy.")
    public String name;

    @Required
    @JsonPropertyDescription("LeadDeveloper or HeadOfTechnology.")
    public ApproverRole role;

    public ExceptionApprover() {
    }

    public ExceptionApprover(String name, ApproverRole role) {
        this.name = name;
        this.role = role;
    }
}
