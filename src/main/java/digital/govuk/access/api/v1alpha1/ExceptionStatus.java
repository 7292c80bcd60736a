package digital.govuk.access.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where one exception stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExceptionStatus {
    @JsonPropertyDescription("Index of the exception in spec.exceptions.")
    public Integer index;

    @JsonPropertyDescription("Pending (starts later), Active, Expired or Rejected.")
    public ExceptionState state;

    @JsonPropertyDescription("When Rejected: the rejection code, for example ApproverNotAuthorised.")
    public RejectionCode reason;

    @JsonPropertyDescription("The state in plain words.")
    public String message;

    public ExceptionStatus() {
    }

    public ExceptionStatus(int index, ExceptionState state, RejectionCode reason, String message) {
        this.index = index;
        this.state = state;
        this.reason = reason;
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExceptionStatus e && Objects.equals(index, e.index) && state == e.state
                && reason == e.reason && Objects.equals(message, e.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, state, reason, message);
    }
}
