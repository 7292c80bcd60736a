package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Min;

/** The organisation's access settings. Every field is optional; the defaults follow the GOV.UK rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessPolicySpec {
    @JsonPropertyDescription("Time zone in which dates (grantedOn, approvedOn, absences...) start, as an IANA name. Default Europe/London.")
    public String timeZone;

    @JsonPropertyDescription("Lowest clearance for any production access: None, BPSS, SC or DV. Default BPSS.")
    public ClearanceLevel requiredClearance;

    @JsonPropertyDescription("Where and how Production Deploy access is granted.")
    public RoleTarget deploy;

    @JsonPropertyDescription("Where and how Production Admin access is granted.")
    public AdminRoleTarget admin;

    @Min(0)
    @JsonPropertyDescription("Shadow shifts an engineer must have completed before an AdminShadow shift counts. Default 1.")
    public Integer minShadowShifts;

    @Min(0)
    @JsonPropertyDescription("Secondary shifts before the engineer may take Primary and OnCall. Default 2.")
    public Integer secondaryShiftsBeforePrimary;

    @Min(1)
    @JsonPropertyDescription("An absence lasting more than this many days revokes all access. Default 42 (six weeks).")
    public Integer longAbsenceDays;

    @Min(1)
    @JsonPropertyDescription("Longest exception, in days from its startTime to its expiryTime. Default 30.")
    public Integer maxExceptionDays;

    @JsonPropertyDescription("When true, an exception grants Admin without the required clearance. Default false.")
    public Boolean exceptionsWaiveClearance;

    @JsonPropertyDescription("Who may approve Production Deploy access. Empty: anyone but the engineer.")
    public List<String> techLeads = new ArrayList<>();

    @JsonPropertyDescription("Who may approve Admin access by exception, with their role. Empty: no exception is granted.")
    public List<ExceptionApprover> exceptionApprovers = new ArrayList<>();
}
