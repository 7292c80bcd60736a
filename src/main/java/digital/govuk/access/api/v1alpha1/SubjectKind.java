package digital.govuk.access.api.v1alpha1;

/** The kind of RBAC subject the managed RoleBindings name. */
public enum SubjectKind {
    User,
    Group
}
