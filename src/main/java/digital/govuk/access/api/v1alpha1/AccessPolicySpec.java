package digital.govuk.access.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

/** The organisation's access settings. Every field is optional; the defaults follow the GOV.UK rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessPolicySpec {
    @Size(min = 1, max = Bounds.TIME_ZONE)
    @JsonPropertyDescription("Time zone in which dates (grantedOn, approvedOn, absences...) start, as an IANA name. Default Europe/London.")
    public String timeZone;

    @JsonPropertyDescription("Lowest clearance for any production access: None, BPSS, SC or DV. Default BPSS.")
    public ClearanceLevel requiredClearance;

    @JsonPropertyDescription("Where and how Production Deploy access is granted.")
    public RoleTarget deploy;

    @JsonPropertyDescription("Where and how Production Admin access is granted.")
    public AdminRoleTarget admin;

    @Min(0)
    @Max(Bounds.SHIFT_COUNT)
    @JsonPropertyDescription("Shadow shifts an engineer must have completed before an AdminShadow shift counts. Default 1.")
    public Integer minShadowShifts;

    @Min(0)
    @Max(Bounds.SHIFT_COUNT)
    @JsonPropertyDescription("Secondary shifts before the engineer may take Primary and OnCall. Default 2.")
    public Integer secondaryShiftsBeforePrimary;

    @Min(1)
    @Max(Bounds.LONG_ABSENCE_DAYS)
    @JsonPropertyDescription("An absence lasting more than this many days revokes all access. Default 42 (six weeks).")
    public Integer longAbsenceDays;

    @Min(1)
    @Max(Bounds.EXCEPTION_DAYS)
    @JsonPropertyDescription("Longest exception, in days from its startTime to its expiryTime. Default 30.")
    public Integer maxExceptionDays;

    @JsonPropertyDescription("When true, an exception grants Admin without the required clearance. Default false.")
    public Boolean exceptionsWaiveClearance;

    @JsonPropertyDescription("When true, an EngineerAccess may name a Group as its subject, which gives the engineer's"
            + " access to every member of the group. Default false: the subject must be one person (kind User).")
    public Boolean allowGroupSubjects;

    @Size(max = Bounds.TECH_LEADS)
    @JsonPropertyDescription("Who may approve Production Deploy access. Empty: anyone but the engineer.")
    public List<@Size(min = 1, max = Bounds.NAME) String> techLeads = new ArrayList<>();

    @Size(max = Bounds.EXCEPTION_APPROVERS)
    @JsonPropertyDescription("Who may approve Admin access by exception, with their role. Empty: no exception is granted.")
    public List<ExceptionApprover> exceptionApprovers = new ArrayList<>();
}
