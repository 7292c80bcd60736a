package digital.govuk.access.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One managed RoleBinding that exists. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BindingStatus {
    @JsonPropertyDescription("Namespace of the RoleBinding.")
    public String namespace;

    @JsonPropertyDescription("Name of the RoleBinding.")
    public String name;

    @JsonPropertyDescription("The ClusterRole it binds.")
    public String clusterRole;

    @JsonPropertyDescription("When the operator removes it, if it is time-limited.")
    public String expiryTime;

    public BindingStatus() {
    }

    public BindingStatus(String namespace, String name, String clusterRole, String expiryTime) {
        this.namespace = namespace;
        this.name = name;
        this.clusterRole = clusterRole;
        this.expiryTime = expiryTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BindingStatus b && Objects.equals(namespace, b.namespace) && Objects.equals(name, b.name)
                && Objects.equals(clusterRole, b.clusterRole) && Objects.equals(expiryTime, b.expiryTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, clusterRole, expiryTime);
    }
}
