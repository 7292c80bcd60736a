package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The engineer's security clearance. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Clearance {
    @Required
    @JsonPropertyDescription("Clearance level: None, BPSS, SC or DV (lowest first).")
    public ClearanceLevel level;

    @Pattern(Formats.DATE)
    @Size(max = Bounds.DATE)
    @JsonPropertyDescription("Date the clearance was granted (YYYY-MM-DD, policy time zone). It counts from the start of that day. Required unless level is None.")
    public String grantedOn;
}
