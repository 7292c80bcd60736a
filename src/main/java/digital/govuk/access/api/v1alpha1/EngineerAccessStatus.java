package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the operator decided for one engineer, and the RoleBindings that exist. The same object `plan` prints. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EngineerAccessStatus {
    /** status.history keeps this many transitions, dropping the oldest. */
    public static final int HISTORY = 20;

    @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Production access held now: None, Deploy or Admin.")
    public Level level;

    @JsonPropertyDescription("True when Admin access must be used under supervision (last shadow shift, or an exception).")
    public Boolean supervised;

    @JsonPropertyDescription("When the current level's time-limited grant ends (Admin by exception only). Absent: no time limit.")
    public String accessExpiryTime;

    @JsonPropertyDescription("The next instant at which the access decision changes. Absent: no change is scheduled.")
    public String nextTransitionTime;

    @JsonPropertyDescription("Why the levels not held are not held, and what to do next.")
    public List<Unmet> unmet = new ArrayList<>();

    @JsonPropertyDescription("How many requirements are unmet (the length of unmet), for kubectl get -o wide.")
    public Integer unmetCount;

    @JsonPropertyDescription("The state of each entry of spec.exceptions, by index.")
    public List<ExceptionStatus> exceptions = new ArrayList<>();

    @JsonPropertyDescription("2nd line rota progression.")
    public RotaStatus rota;

    @JsonPropertyDescription("The managed RoleBindings that exist now.")
    public List<BindingStatus> bindings = new ArrayList<>();

    @JsonPropertyDescription("Conditions: Ready, DeployAccess, AdminAccess, Revoked, SpecValid, PolicyValid, RotaOrder.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The last " + HISTORY + " changes of access, oldest first: Kubernetes Events expire after about an hour,"
            + " this record stays with the EngineerAccess.")
    @io.fabric8.generator.annotation.Size(max = HISTORY)
    public List<AccessTransition> history = new ArrayList<>();

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EngineerAccessStatus s)) {
            return false;
        }
        return Objects.equals(observedGeneration, s.observedGeneration) && level == s.level
                && Objects.equals(supervised, s.supervised) && Objects.equals(accessExpiryTime, s.accessExpiryTime)
                && Objects.equals(nextTransitionTime, s.nextTransitionTime) && Objects.equals(unmet, s.unmet)
                && Objects.equals(unmetCount, s.unmetCount) && Objects.equals(exceptions, s.exceptions) && Objects.equals(rota, s.rota)
                && Objects.equals(bindings, s.bindings) && Objects.equals(conditions, s.conditions) && Objects.equals(history, s.history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, level, supervised, accessExpiryTime, nextTransitionTime, unmet, unmetCount,
                exceptions, rota, bindings, conditions, history);
    }
}
