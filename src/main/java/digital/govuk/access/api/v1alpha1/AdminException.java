package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Production Admin access by exception: supervised, for a limited time, with a business case. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "timestamp(self.expiryTime) > timestamp(self.startTime)", message = "expiryTime must be after startTime")
public class AdminException {
    @Required
    @Size(min = 1, max = Bounds.NAME)
    @JsonPropertyDescription("Who approved: must be listed in the policy's exceptionApprovers (LeadDeveloper or HeadOfTechnology), never the engineer.")
    public String approvedBy;

    @Required
    @Size(min = 1, max = Bounds.BUSINESS_CASE)
    @JsonPropertyDescription("Why the engineer needs Admin access before meeting the usual conditions.")
    public String businessCase;

    @Size(max = Bounds.NAME)
    @JsonPropertyDescription("Who supervises the engineer while the exception is active. Required for the exception to be granted; never the engineer.")
    public String supervisor;

    @Required
    @Pattern(Formats.DATE_TIME)
    @Size(max = Bounds.INSTANT)
    @JsonPropertyDescription("When the exception starts (RFC 3339 instant).")
    public String startTime;

    @Required
    @Pattern(Formats.DATE_TIME)
    @Size(max = Bounds.INSTANT)
    @JsonPropertyDescription("When the exception ends (RFC 3339 instant): access is removed at this instant. At most maxExceptionDays after startTime.")
    public String expiryTime;
}
