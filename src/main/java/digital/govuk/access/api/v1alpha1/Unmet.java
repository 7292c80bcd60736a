package digital.govuk.access.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One reason a level is not held. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Unmet {
    @JsonPropertyDescription("The level this reason is about: Deploy or Admin.")
    public Level level;

    @JsonPropertyDescription("A stable code, for example ProbationNotPassed.")
    public UnmetCode code;

    @JsonPropertyDescription("The reason in plain words, with the dates that matter.")
    public String message;

    public Unmet() {
    }

    public Unmet(Level level, UnmetCode code, String message) {
        this.level = level;
        this.code = code;
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Unmet u && level == u.level && code == u.code && Objects.equals(message, u.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, code, message);
    }
}
