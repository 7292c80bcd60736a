package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The facts about one engineer that the access rules read. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EngineerAccessSpec {
    @Required
    @Size(min = 1, max = Bounds.FULL_NAME)
    @JsonPropertyDescription("The engineer's full name, for people reading the status.")
    public String fullName;

    @Required
    @JsonPropertyDescription("The engineer's job family: Developer, SRE or TechnicalArchitect. The rules treat all alike.")
    public EngineerRole role;

    @Required
    @JsonPropertyDescription("CivilServant or Contractor. The rules treat both alike.")
    public Employment employment;

    @Required
    @JsonPropertyDescription("The RBAC subject (user or group) that every managed RoleBinding names.")
    public Subject subject;

    @Size(min = 1, max = Bounds.NAME)
    @JsonPropertyDescription("The engineer's e-mail address. Required when subject.name is not an e-mail address (a user name, or a group)."
            + " The engineer is known by both: an approval or supervision in either name is their own.")
    public String email;

    @JsonPropertyDescription("Security clearance. Absent: no clearance.")
    public Clearance clearance;

    @JsonPropertyDescription("Probation. Absent, or without passedOn: still on probation.")
    public Probation probation;

    @JsonPropertyDescription("The tech lead's approval for Production Deploy access. Absent: not approved.")
    public DeployApproval deployApproval;

    @Size(max = Bounds.SHIFTS)
    @JsonPropertyDescription("Technical 2nd Line shifts, past and scheduled.")
    public List<Shift> shifts = new ArrayList<>();

    @Size(max = Bounds.EXCEPTIONS)
    @JsonPropertyDescription("Production Admin access granted by exception, each approved by a Lead Developer or the Head of Technology.")
    public List<AdminException> exceptions = new ArrayList<>();

    @Size(max = Bounds.ABSENCES)
    @JsonPropertyDescription("Absences. One lasting more than the policy's longAbsenceDays (default 42) revokes all access.")
    public List<Absence> absences = new ArrayList<>();
}
