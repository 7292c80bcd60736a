package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A period away from work. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.until) || self.until >= self.from", message = "until must not be before from")
public class Absence {
    @Required
    @Pattern(Formats.DATE)
    @Size(max = Bounds.DATE)
    @JsonPropertyDescription("First day away (YYYY-MM-DD, policy time zone).")
    public String from;

    @Pattern(Formats.DATE)
    @Size(max = Bounds.DATE)
    @JsonPropertyDescription("Return date: the first day back (YYYY-MM-DD). Absent: the absence is ongoing.")
    public String until;
}
