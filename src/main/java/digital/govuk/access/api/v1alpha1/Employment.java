package digital.govuk.access.api.v1alpha1;

/** How the engineer is employed. Civil servants and contractors are treated alike. */
public enum Employment {
    CivilServant,
    Contractor
}
