package digital.govuk.access.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.Bounds;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.Confirmations;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Formats;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;

/**
 * Checks an EngineerAccess spec and parses it into {@link Facts}. Anything it cannot fully understand is a
 * {@link Problem}: the rules then grant nothing (fail closed).
 */
public final class SpecReader {

    private static final Pattern DATE_TIME = Pattern.compile(Formats.DATE_TIME);

    /** The facts (null when there are problems) and the problems found. */
    record Result(Facts facts, List<Problem> problems) {
    }

    private SpecReader() {
    }

    /** The problems in a spec, in field order; empty when the spec is valid. */
    public static List<Problem> problems(EngineerAccessSpec spec, EffectivePolicy policy) {
        return read(spec, policy).problems();
    }

    static Result read(EngineerAccessSpec spec, EffectivePolicy policy) {
        List<Problem> problems = new ArrayList<>();
        if (spec == null) {
            problems.add(new Problem("spec", "is required"));
            return new Result(null, problems);
        }
        // The lists' bounds first: a spec over them is refused before any of its entries is read.
        Bounded.tooMany(spec.shifts, Bounds.SHIFTS, "spec.shifts", problems);
        Bounded.tooMany(spec.exceptions, Bounds.EXCEPTIONS, "spec.exceptions", problems);
        Bounded.tooMany(spec.absences, Bounds.ABSENCES, "spec.absences", problems);
        if (!problems.isEmpty()) {
            return new Result(null, List.copyOf(problems));
        }
        ZoneId zone = policy.zone();
        if (requireText(spec.fullName, "spec.fullName", problems)) {
            Bounded.tooLong(spec.fullName, Bounds.FULL_NAME, "spec.fullName", problems);
        }
        if (spec.role == null) {
            problems.add(new Problem("spec.role", "is required: Developer, SRE or TechnicalArchitect"));
        }
        if (spec.employment == null) {
            problems.add(new Problem("spec.employment", "is required: CivilServant or Contractor"));
        }
        String subjectKey = subject(spec.subject, policy, problems);
        String emailKey = email(spec.email, spec.subject, subjectKey, problems);

        ClearanceLevel clearance = ClearanceLevel.None;
        LocalDate clearanceOn = null;
        if (spec.clearance != null) {
            if (spec.clearance.level == null) {
                problems.add(new Problem("spec.clearance.level", "is required: None, BPSS, SC or DV"));
            } else {
                clearance = spec.clearance.level;
            }
            if (spec.clearance.grantedOn != null) {
                clearanceOn = date(spec.clearance.grantedOn, "spec.clearance.grantedOn", problems);
            } else if (spec.clearance.level != null && spec.clearance.level != ClearanceLevel.None) {
                problems.add(new Problem("spec.clearance.grantedOn", "is required for clearance level " + spec.clearance.level));
            }
        }

        LocalDate probationOn = null;
        if (spec.probation != null && spec.probation.passedOn != null) {
            probationOn = date(spec.probation.passedOn, "spec.probation.passedOn", problems);
        }

        Facts.Approval approval = null;
        DeployApproval a = spec.deployApproval;
        if (a != null) {
            String by = requiredName(a.approvedBy, "spec.deployApproval.approvedBy", problems);
            LocalDate on = null;
            if (a.approvedOn == null) {
                problems.add(new Problem("spec.deployApproval.approvedOn", "is required (YYYY-MM-DD)"));
            } else {
                on = date(a.approvedOn, "spec.deployApproval.approvedOn", problems);
            }
            if (by != null && on != null) {
                approval = new Facts.Approval(by, start(on, zone), on, missing(a.confirmations));
            }
        }

        List<Facts.ShiftFact> shifts = new ArrayList<>();
        List<Shift> specShifts = spec.shifts == null ? List.of() : spec.shifts;
        for (int i = 0; i < specShifts.size(); i++) {
            Shift s = specShifts.get(i);
            ShiftPaths f = ShiftPaths.AT[i];
            if (s == null) {
                problems.add(new Problem(f.entry(), "must not be empty"));
                continue;
            }
            if (s.role == null) {
                problems.add(new Problem(f.role(), "is required: Shadow, AdminShadow, Secondary, Primary or OnCall"));
            }
            Instant start = instant(s.startTime, f.startTime(), problems);
            Instant end = instant(s.endTime, f.endTime(), problems);
            optionalName(s.supervisor, f.supervisor(), problems);
            if (start != null && end != null && !end.isAfter(start)) {
                problems.add(new Problem(f.endTime(), "must be after startTime (" + Values.cut(s.startTime) + "), not "
                        + Values.cut(s.endTime)));
            } else if (s.role != null && start != null && end != null) {
                shifts.add(new Facts.ShiftFact(s.role, start, end));
            }
        }

        List<Facts.ExceptionFact> exceptions = new ArrayList<>();
        List<AdminException> specExceptions = spec.exceptions == null ? List.of() : spec.exceptions;
        for (int i = 0; i < specExceptions.size(); i++) {
            AdminException e = specExceptions.get(i);
            ExceptionPaths f = ExceptionPaths.AT[i];
            if (e == null) {
                problems.add(new Problem(f.entry(), "must not be empty"));
                continue;
            }
            String by = requiredName(e.approvedBy, f.approvedBy(), problems);
            boolean reason = e.businessCase != null && !e.businessCase.isEmpty();
            if (!reason) {
                problems.add(new Problem(f.businessCase(), "is required: why the engineer needs Admin access"));
            } else if (Bounded.tooLong(e.businessCase, Bounds.BUSINESS_CASE, f.businessCase(), problems)) {
                reason = false;
            }
            String supervisor = optionalName(e.supervisor, f.supervisor(), problems);
            Instant start = instant(e.startTime, f.startTime(), problems);
            Instant expiry = instant(e.expiryTime, f.expiryTime(), problems);
            if (start != null && expiry != null && !expiry.isAfter(start)) {
                problems.add(new Problem(f.expiryTime(), "must be after startTime (" + Values.cut(e.startTime) + "), not "
                        + Values.cut(e.expiryTime)));
            } else if (by != null && reason && start != null && expiry != null) {
                exceptions.add(new Facts.ExceptionFact(i, by, e.businessCase, supervisor, start, expiry));
            }
        }

        List<Facts.AbsenceFact> absences = new ArrayList<>();
        List<Absence> specAbsences = spec.absences == null ? List.of() : spec.absences;
        for (int i = 0; i < specAbsences.size(); i++) {
            Absence ab = specAbsences.get(i);
            AbsencePaths f = AbsencePaths.AT[i];
            if (ab == null) {
                problems.add(new Problem(f.entry(), "must not be empty"));
                continue;
            }
            LocalDate from = ab.from == null ? missingDate(f.from(), problems) : date(ab.from, f.from(), problems);
            LocalDate until = ab.until == null ? null : date(ab.until, f.until(), problems);
            if (from != null && until != null && until.isBefore(from)) {
                problems.add(new Problem(f.until(), "must not be before from (" + Values.cut(ab.from) + "), not "
                        + Values.cut(ab.until)));
            } else if (from != null && (ab.until == null || until != null)) {
                LocalDate threshold = from.plusDays(policy.longAbsenceDays());
                // "More than N days": the first whole second after the start of day from + N.
                Instant revokedFrom = start(threshold, zone).plusSeconds(1);
                boolean isLong = until == null || until.isAfter(threshold);
                absences.add(new Facts.AbsenceFact(from, until, revokedFrom, until == null ? null : start(until, zone), isLong));
            }
        }

        if (!problems.isEmpty()) {
            return new Result(null, List.copyOf(problems));
        }
        Instant clearanceFrom = clearanceOn == null ? null : start(clearanceOn, zone);
        return new Result(new Facts(identities(subjectKey, emailKey), clearance, clearanceFrom, clearanceOn,
                probationOn == null ? null : start(probationOn, zone), probationOn, approval,
                List.copyOf(shifts), List.copyOf(exceptions), List.copyOf(absences)), List.of());
    }

    // The paths of the fields of each entry of the spec's lists (spec.shifts[2].endTime), made once for every index the
    // bounds allow rather than each time a spec is read: the lists' bounds are checked before any entry is read.

    private record ShiftPaths(String entry, String role, String startTime, String endTime, String supervisor) {
        static final ShiftPaths[] AT = new ShiftPaths[Bounds.SHIFTS];
        static {
            for (int i = 0; i < AT.length; i++) {
                String e = "spec.shifts[" + i + "]";
                AT[i] = new ShiftPaths(e, e + ".role", e + ".startTime", e + ".endTime", e + ".supervisor");
            }
        }
    }

    private record ExceptionPaths(String entry, String approvedBy, String businessCase, String supervisor, String startTime,
            String expiryTime) {
        static final ExceptionPaths[] AT = new ExceptionPaths[Bounds.EXCEPTIONS];
        static {
            for (int i = 0; i < AT.length; i++) {
                String e = "spec.exceptions[" + i + "]";
                AT[i] = new ExceptionPaths(e, e + ".approvedBy", e + ".businessCase", e + ".supervisor", e + ".startTime",
                        e + ".expiryTime");
            }
        }
    }

    private record AbsencePaths(String entry, String from, String until) {
        static final AbsencePaths[] AT = new AbsencePaths[Bounds.ABSENCES];
        static {
            for (int i = 0; i < AT.length; i++) {
                String e = "spec.absences[" + i + "]";
                AT[i] = new AbsencePaths(e, e + ".from", e + ".until");
            }
        }
    }

    /** The confirmations of a deploy approval that are not true, by field name. */
    public static List<String> missing(Confirmations c) {
        if (c != null && Boolean.TRUE.equals(c.codeReview) && Boolean.TRUE.equals(c.releaseResponsibilities)
                && Boolean.TRUE.equals(c.rollback) && Boolean.TRUE.equals(c.gettingHelp)) {
            return List.of(); // the usual case, without building a list to copy
        }
        List<String> missing = new ArrayList<>(4);
        if (c == null || !Boolean.TRUE.equals(c.codeReview)) {
            missing.add("codeReview");
        }
        if (c == null || !Boolean.TRUE.equals(c.releaseResponsibilities)) {
            missing.add("releaseResponsibilities");
        }
        if (c == null || !Boolean.TRUE.equals(c.rollback)) {
            missing.add("rollback");
        }
        if (c == null || !Boolean.TRUE.equals(c.gettingHelp)) {
            missing.add("gettingHelp");
        }
        return List.copyOf(missing);
    }

    /**
     * The first instant of a day in the zone, as {@code day.atStartOfDay(zone).toInstant()} gives it. When the zone's
     * offset does not change within a day either side of the day's midnight as if in UTC (almost every day), local
     * midnight has that one offset; otherwise java.time works out gaps and overlaps.
     */
    static Instant start(LocalDate day, ZoneId zone) {
        long midnight = day.toEpochDay() * 86_400L;
        ZoneRules rules = zone.getRules();
        Instant dayBefore = Instant.ofEpochSecond(midnight - 86_400L);
        ZoneOffsetTransition next = rules.nextTransition(dayBefore);
        if (next == null) {
            return Instant.ofEpochSecond(midnight - rules.getOffset(dayBefore).getTotalSeconds());
        }
        if (next.toEpochSecond() > midnight + 86_400L) {
            return Instant.ofEpochSecond(midnight - next.getOffsetBefore().getTotalSeconds());
        }
        return day.atStartOfDay(zone).toInstant();
    }

    /**
     * The subject: one person by default. A Group only where the policy allows it, and never a name Kubernetes
     * keeps for itself ({@code system:...}), which would hand access to its users, groups or service accounts.
     * Returns the subject's name as compared, or null.
     */
    private static String subject(Subject subject, EffectivePolicy policy, List<Problem> problems) {
        if (subject == null) {
            problems.add(new Problem("spec.subject", "is required: the engineer's user name, as the bindings name it"));
            return null;
        }
        if (subject.kind == null) {
            problems.add(new Problem("spec.subject.kind", "is required: User (or Group, where the AccessPolicy allows groups)"));
        } else if (subject.kind == SubjectKind.Group && !policy.allowGroupSubjects()) {
            problems.add(new Problem("spec.subject.kind", "is Group, but the AccessPolicy does not allow group subjects:"
                    + " name the engineer's own user (kind User), or set allowGroupSubjects: true in the AccessPolicy"));
        }
        String name = requiredName(subject.name, "spec.subject.name", problems);
        if (name != null && name.startsWith(Names.SYSTEM_PREFIX)) {
            problems.add(new Problem("spec.subject.name", Values.quote(subject.name) + " is a Kubernetes system name"
                    + " (system:...) that would grant access to its users, groups or service accounts; name the engineer's own user"));
            return null;
        }
        return name;
    }

    /**
     * The engineer's e-mail address: required when the subject's name is not one (a user name such as {@code jane},
     * or a group), so that the engineer is known by every name an approver might write. Returns its key, or null.
     * A subject already refused (missing, {@code system:...}, an invisible character) asks for nothing more.
     */
    private static String email(String email, Subject subject, String subjectKey, List<Problem> problems) {
        if (email == null) {
            if (subjectKey != null && !Names.isAddress(subjectKey)) {
                problems.add(new Problem("spec.email", "is required because spec.subject.name " + Values.quote(subject.name)
                        + " is not an e-mail address: add the engineer's e-mail address (for example jane.doe@example.gov.uk),"
                        + " so that an approval in either name is known as their own"));
            }
            return null;
        }
        String key = Names.check(email, "spec.email", problems);
        if (key != null && !Names.isAddress(key)) {
            problems.add(new Problem("spec.email", Values.quote(email) + " is not an e-mail address: write the engineer's"
                    + " address, for example jane.doe@example.gov.uk"));
            return null;
        }
        return key;
    }

    /** Every name the engineer is known by, as compared: the subject's name and the e-mail address. */
    static Set<String> identities(String subjectKey, String emailKey) {
        return emailKey == null || emailKey.equals(subjectKey) ? Set.of(subjectKey) : Set.of(subjectKey, emailKey);
    }

    /** A name that must be present: its key as {@link Names} compares it, or null after adding a problem. */
    private static String requiredName(String value, String field, List<Problem> problems) {
        return requireText(value, field, problems) ? Names.check(value, field, problems) : null;
    }

    /** A name that may be absent (null): its key, or null. */
    private static String optionalName(String value, String field, List<Problem> problems) {
        return value == null ? null : Names.check(value, field, problems);
    }

    private static boolean requireText(String value, String field, List<Problem> problems) {
        if (value == null || value.isBlank()) {
            problems.add(new Problem(field, "is required and must not be empty"));
            return false;
        }
        return true;
    }

    private static LocalDate missingDate(String field, List<Problem> problems) {
        problems.add(new Problem(field, "is required (YYYY-MM-DD)"));
        return null;
    }

    private static LocalDate date(String value, String field, List<Problem> problems) {
        LocalDate quick = quickDate(value);
        if (quick != null) {
            return quick;
        }
        try {
            if (value.length() != 10) {
                throw new DateTimeParseException("length", value, 0);
            }
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(new Problem(field, Values.quote(value) + " is not a date (YYYY-MM-DD)"));
            return null;
        }
    }

    /** An instant read as the spec's are, or null when it is absent or cannot be read. */
    static Instant instantOrNull(String value) {
        return value == null ? null : instant(value, "", new ArrayList<>());
    }

    private static Instant instant(String value, String field, List<Problem> problems) {
        if (value == null) {
            problems.add(new Problem(field, "is required (an RFC 3339 instant such as 2026-08-03T09:00:00Z)"));
            return null;
        }
        if (Bounded.tooLong(value, Bounds.INSTANT, field, problems)) {
            return null;
        }
        Instant quick = quickUtcInstant(value);
        if (quick != null) {
            return quick;
        }
        try {
            // The schema's pattern first: OffsetDateTime.parse also accepts forms the API server rejects
            // (no seconds, lower case, an offset with seconds).
            if (!DATE_TIME.matcher(value).matches()) {
                throw new DateTimeParseException("pattern", value, 0);
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(new Problem(field, Values.quote(value) + " is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"));
            return null;
        }
    }

    // Fast paths for the common forms (most of a decision's time went into general-purpose parsing).
    // They accept only what the general path accepts; anything else, valid or not, takes the general path.

    /** YYYY-MM-DD, or null. */
    static LocalDate quickDate(String s) {
        return s.length() == 10 ? quickDate(s, 0) : null;
    }

    /** YYYY-MM-DD at s[from, from + 10), or null. */
    private static LocalDate quickDate(String s, int from) {
        if (s.charAt(from + 4) != '-' || s.charAt(from + 7) != '-') {
            return null;
        }
        int y = digits(s, from, from + 4);
        int m = digits(s, from + 5, from + 7);
        int d = digits(s, from + 8, from + 10);
        if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) {
            return null;
        }
        try {
            return LocalDate.of(y, m, d);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** YYYY-MM-DDTHH:MM:SSZ, or null. */
    static Instant quickUtcInstant(String s) {
        if (s.length() != 20 || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
            return null;
        }
        LocalDate day = quickDate(s, 0);
        int h = digits(s, 11, 13);
        int min = digits(s, 14, 16);
        int sec = digits(s, 17, 19);
        if (day == null || h < 0 || h > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) {
            return null;
        }
        return Instant.ofEpochSecond(day.toEpochDay() * 86_400L + h * 3_600L + min * 60L + sec);
    }

    /** The number written in s[from, to) with ASCII digits only, or -1. */
    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
