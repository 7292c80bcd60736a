package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One Technical 2nd Line shift, past or scheduled. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "timestamp(self.endTime) > timestamp(self.startTime)", message = "endTime must be after startTime")
public class Shift {
    @Required
    @JsonPropertyDescription("Shadow, AdminShadow, Secondary, Primary or OnCall.")
    public ShiftRole role;

    @Required
    @Pattern(Formats.DATE_TIME)
    @Size(max = Bounds.INSTANT)
    @JsonPropertyDescription("When the shift starts (RFC 3339 instant, for example 2026-08-03T09:00:00Z).")
    public String startTime;

    @Required
    @Pattern(Formats.DATE_TIME)
    @Size(max = Bounds.INSTANT)
    @JsonPropertyDescription("When the shift ends (RFC 3339 instant). Must be after startTime.")
    public String endTime;

    @Size(max = Bounds.NAME)
    @JsonPropertyDescription("Who supervised the engineer on this shift. Optional, for the record.")
    public String supervisor;
}
