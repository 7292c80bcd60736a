package digital.govuk.access.api.v1alpha1;

/** Why a level is not held. The codes of docs/access-rules.md. */
public enum UnmetCode {
    ClearanceMissing,
    DeployApprovalMissing,
    ApprovalIncomplete,
    SelfApproval,
    ApproverNotTechLead,
    ProbationNotPassed,
    ShadowShiftMissing,
    AdminShadowShiftMissing,
    LongAbsence,
    ReapprovalRequired
}
