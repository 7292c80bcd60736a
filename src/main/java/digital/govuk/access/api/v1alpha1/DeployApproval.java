package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A tech lead's approval for Production Deploy access. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DeployApproval {
    @Required
    @Size(min = 1, max = Bounds.NAME)
    @JsonPropertyDescription("Who approved: a tech lead, never the engineer. When the policy lists techLeads, one of them.")
    public String approvedBy;

    @Required
    @Pattern(Formats.DATE)
    @Size(max = Bounds.DATE)
    @JsonPropertyDescription("Date of the approval (YYYY-MM-DD, policy time zone). It counts from the start of that day.")
    public String approvedOn;

    @JsonPropertyDescription("The four things the tech lead checked. All four must be true.")
    public Confirmations confirmations;
}
