package digital.govuk.access.api.v1alpha1;

/** Roles allowed to approve Admin access by exception. */
public enum ApproverRole {
    LeadDeveloper,
    HeadOfTechnology
}
