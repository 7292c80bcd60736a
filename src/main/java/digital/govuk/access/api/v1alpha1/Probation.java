package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The engineer's probation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Probation {
    @Pattern(Formats.DATE)
    @Size(max = Bounds.DATE)
    @JsonPropertyDescription("Date probation was (or will be) passed (YYYY-MM-DD, policy time zone). Absent: still on probation.")
    public String passedOn;
}
