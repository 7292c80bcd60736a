package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What a tech lead checks before approving Production Deploy access. Absent means false. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Confirmations {
    @JsonPropertyDescription("The engineer knows our processes and standards around code review.")
    public Boolean codeReview;

    @JsonPropertyDescription("The engineer understands the responsibilities that releasing code brings.")
    public Boolean releaseResponsibilities;

    @JsonPropertyDescription("The engineer knows how to roll back to an older release.")
    public Boolean rollback;

    @JsonPropertyDescription("The engineer knows how to get help from someone with more access.")
    public Boolean gettingHelp;
}
