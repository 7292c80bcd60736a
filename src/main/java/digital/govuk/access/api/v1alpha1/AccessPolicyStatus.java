package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Whether the operator uses this policy and whether it is valid. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessPolicyStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Conditions: Active (the operator uses this policy), Valid, InForce (which generation decisions are made with), and"
            + " UnexplainedCounted (whether unexplainedBindings is what the latest look found).")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Each problem found in the spec, naming the field.")
    public List<String> problems = new ArrayList<>();

    @JsonPropertyDescription("The last valid policy the operator saw, which stays in force while the spec is invalid.")
    public PolicyInForce inForce;

    @JsonPropertyDescription("How many RoleBindings and ClusterRoleBindings bind the policy's Deploy or Admin ClusterRole without"
            + " having been made by the operator: production access no EngineerAccess explains. Looked at every few minutes.")
    public Integer unexplainedBindings;

    @JsonPropertyDescription("The first 20 of them, each as where it is, the role and to whom (engineer-access report --unexplained lists all).")
    public List<String> unexplained = new ArrayList<>();
}
