package digital.govuk.access.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.SubjectKind;

/**
 * One person, one EngineerAccess. Two EngineerAccess objects that name the same person (the same subject, or an
 * e-mail address that is the other's subject or e-mail address, compared as {@link Names} compares names) are a
 * conflict: whichever came first keeps the person, and every later one is refused and grants nothing.
 *
 * <p>Which comes first: the earlier {@code created} time (an object without one counts as the latest), then
 * the name. An EngineerAccess is refused when <em>any</em> other EngineerAccess that shares one of its
 * {@link #identities} comes before it, whether or not that one is itself refused. So the answer for one object
 * needs only the objects that share an identity with it, never a chain of them.
 *
 * <p>Two ways to use it, both pure and giving the same answers:
 * <ul>
 * <li>{@link #refused(Collection)}: every EngineerAccess at once (plan reads them all); time linear in their
 * number.</li>
 * <li>{@link #refusal(Claim, Collection)}: one EngineerAccess, given those that share an identity with it. The
 * operator keeps an index from each of {@link #identities(EngineerAccessSpec)} to the EngineerAccess objects that
 * have it (an informer index), looks up the identities of the one it reconciles and passes what it finds. The
 * collection may hold the object itself, and objects that share nothing; both are ignored. When an
 * EngineerAccess is created, deleted, or changes its subject or e-mail address, every EngineerAccess that shares
 * one of its old or new identities must be decided again: the one that was refused because of it may now keep the
 * person, or the reverse.</li>
 * </ul>
 */
public final class OnePerson {
    /** The SpecValid reason of an EngineerAccess refused because an earlier one names the same person. */
    public static final String REASON = "DuplicateSubject";
    /** A group's name is not a person: its identity is kept apart from a user's or an e-mail address of the same text. */
    static final String GROUP = "group:";

    /**
     * One EngineerAccess claiming a person.
     *
     * @param name    the EngineerAccess's name
     * @param spec    its spec (may be null: it then claims no one)
     * @param created when it was created ({@code metadata.creationTimestamp}); null when unknown, which counts
     *                as later than any time
     */
    public record Claim(String name, EngineerAccessSpec spec, Instant created) {
    }

    /** Earlier first: created (unknown last), then name. */
    private static final Comparator<Claim> FIRST = Comparator
            .comparing(Claim::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(Claim::name, Comparator.nullsLast(Comparator.<String>naturalOrder()));

    private OnePerson() {
    }

    /**
     * The keys that identify the person an EngineerAccess names: the subject's name as {@link Names#key} gives it
     * ({@code group:} and the key for a Group subject, since a group is not a person), and the key of
     * {@code spec.email} when present. A part that is missing, empty, or not a valid name (an invisible character,
     * too long), or a subject without a kind, is left out.
     */
    public static Set<String> identities(EngineerAccessSpec spec) {
        Set<String> keys = new LinkedHashSet<>(2);
        if (spec == null) {
            return keys;
        }
        if (spec.subject != null && spec.subject.kind != null) {
            String key = key(spec.subject.name);
            if (key != null) {
                keys.add(spec.subject.kind == SubjectKind.Group ? GROUP + key : key);
            }
        }
        String email = key(spec.email);
        if (email != null) {
            keys.add(email);
        }
        return keys;
    }

    /** A name's key, or null when it is absent, blank or invalid. */
    private static String key(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        List<Problem> ignored = new ArrayList<>(1);
        String key = Names.check(name, "", ignored);
        return key == null || key.isEmpty() ? null : key;
    }

    /**
     * The EngineerAccess objects refused, by name, each with its problem: for every identity shared by several,
     * all but the first (see the class comment). Those not in the map keep their person. Time linear in the number
     * of claims (each has at most two identities). Two claims with the same name are taken as written: the first
     * in the collection counts as earlier.
     */
    public static Map<String, Problem> refused(Collection<Claim> claims) {
        List<Claim> all = List.copyOf(claims);
        List<Set<String>> ids = new ArrayList<>(all.size());
        // For each identity, the first claim that has it.
        Map<String, Integer> first = new HashMap<>(all.size() * 2);
        for (int i = 0; i < all.size(); i++) {
            Set<String> mine = identities(all.get(i).spec());
            ids.add(mine);
            for (String id : mine) {
                first.merge(id, i, (a, b) -> FIRST.compare(all.get(b), all.get(a)) < 0 ? b : a);
            }
        }
        Map<String, Problem> refused = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            Integer keeper = null;
            String shared = null;
            for (String id : ids.get(i)) {
                int f = first.get(id);
                if (f != i && (keeper == null || FIRST.compare(all.get(f), all.get(keeper)) < 0)) {
                    keeper = f;
                    shared = id;
                }
            }
            if (keeper != null) {
                refused.put(all.get(i).name(), problem(all.get(i), all.get(keeper), shared));
            }
        }
        return refused;
    }

    /**
     * Whether one EngineerAccess is refused, given the EngineerAccess objects that share an identity with it
     * (from an index by {@link #identities}; it may hold {@code one} itself, by name, and objects that share
     * nothing). Empty when {@code one} keeps its person. The same answer as {@link #refused} over all of them.
     */
    public static Optional<Problem> refusal(Claim one, Collection<Claim> sameIdentity) {
        Set<String> mine = identities(one.spec());
        Claim keeper = null;
        String shared = null;
        for (Claim other : sameIdentity) {
            if (other == one || other.name() != null && other.name().equals(one.name())) {
                continue;
            }
            if (FIRST.compare(other, one) >= 0 || keeper != null && FIRST.compare(other, keeper) >= 0) {
                continue;
            }
            Set<String> theirs = identities(other.spec());
            for (String id : mine) {
                if (theirs.contains(id)) {
                    keeper = other;
                    shared = id;
                    break;
                }
            }
        }
        return keeper == null ? Optional.empty() : Optional.of(problem(one, keeper, shared));
    }

    private static Problem problem(Claim refused, Claim keeper, String shared) {
        String who = shared.startsWith(GROUP) ? "group (" + Values.cut(shared.substring(GROUP.length())) + ")"
                : "person (" + Values.cut(shared) + ")";
        String first = keeper.created() != null && (refused.created() == null || keeper.created().isBefore(refused.created()))
                ? "which was created earlier" : "which comes first by name (neither was created earlier)";
        return new Problem("spec.subject.name", "names the same " + who + " as EngineerAccess "
                + Values.quote(keeper.name()) + ", " + first + " and keeps the person; this one grants nothing: delete"
                + " one of the two, or correct spec.subject.name or spec.email if they are different people", REASON);
    }
}
