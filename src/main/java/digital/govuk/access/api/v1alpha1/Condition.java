package digital.govuk.access.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A condition, following the Kubernetes API conventions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    @JsonPropertyDescription("Condition type, for example Ready or AdminAccess.")
    public String type;

    @JsonPropertyDescription("True, False or Unknown.")
    public String status;

    @JsonPropertyDescription("A CamelCase reason for the condition's last change.")
    public String reason;

    @JsonPropertyDescription("The condition in plain words.")
    public String message;

    @JsonPropertyDescription("When status last changed (RFC 3339).")
    public String lastTransitionTime;

    @JsonPropertyDescription("The metadata.generation this condition was computed from.")
    public Long observedGeneration;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && Objects.equals(type, c.type) && Objects.equals(status, c.status)
                && Objects.equals(reason, c.reason) && Objects.equals(message, c.message)
                && Objects.equals(lastTransitionTime, c.lastTransitionTime)
                && Objects.equals(observedGeneration, c.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }
}
