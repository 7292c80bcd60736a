package digital.govuk.access.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The RBAC subject of the engineer's RoleBindings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Subject {
    @Required
    @JsonPropertyDescription("User or Group.")
    public SubjectKind kind;

    @Required
    @Size(min = 1, max = Bounds.NAME)
    @JsonPropertyDescription("The user or group name as the cluster's authentication knows it, for example jane.doe@example.gov.uk. Approvals by this name count as self-approval.")
    public String name;

    public Subject() {
    }

    public Subject(SubjectKind kind, String name) {
        this.kind = kind;
        this.name = name;
    }
}
