package digital.govuk.access.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One change of an engineer's access, kept in status.history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessTransition {
    @JsonPropertyDescription("When the operator applied the change (RFC 3339).")
    public String time;

    @JsonPropertyDescription("The access before: None, Deploy, AdminSupervised or Admin.")
    public AccessStage fromLevel;

    @JsonPropertyDescription("The access after: None, Deploy, AdminSupervised or Admin.")
    public AccessStage toLevel;

    @JsonPropertyDescription("The rule that moved it, for example ExceptionStarted or LongAbsence (docs/access-flow.md).")
    public String reason;

    @JsonPropertyDescription("The fact in the spec that caused it, for example spec.exceptions[0]. Absent when none can be named.")
    public String fact;

    @JsonPropertyDescription("The change in plain words, naming who approved the fact.")
    public String message;

    public AccessTransition() {
    }

    public AccessTransition(String time, AccessStage fromLevel, AccessStage toLevel, String reason, String fact, String message) {
        this.time = time;
        this.fromLevel = fromLevel;
        this.toLevel = toLevel;
        this.reason = reason;
        this.fact = fact;
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessTransition t && Objects.equals(time, t.time) && fromLevel == t.fromLevel && toLevel == t.toLevel
                && Objects.equals(reason, t.reason) && Objects.equals(fact, t.fact) && Objects.equals(message, t.message);
    }

    /** {@code time from->to reason fact}, for tests and logs. */
    @Override
    public String toString() {
        return time + " " + fromLevel + "->" + toLevel + " " + reason + " " + fact;
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, fromLevel, toLevel, reason, fact, message);
    }
}
