package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** 2nd line rota progression. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RotaStatus {
    @JsonPropertyDescription("Secondary shifts completed since earning Admin (they count towards Primary and OnCall).")
    public Integer secondaryShiftsCompleted;

    @JsonPropertyDescription("Rota roles the engineer may be drafted onto now: any of Secondary, Primary, OnCall.")
    public List<RotaRole> eligible = new ArrayList<>();

    public RotaStatus() {
    }

    public RotaStatus(int secondaryShiftsCompleted, List<RotaRole> eligible) {
        this.secondaryShiftsCompleted = secondaryShiftsCompleted;
        this.eligible = new ArrayList<>(eligible);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RotaStatus r && Objects.equals(secondaryShiftsCompleted, r.secondaryShiftsCompleted)
                && Objects.equals(eligible, r.eligible);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secondaryShiftsCompleted, eligible);
    }
}
