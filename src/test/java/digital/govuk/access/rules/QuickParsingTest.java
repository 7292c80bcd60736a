package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast parsers in SpecReader agree with java.time on everything they accept, and accept the common forms. */
class QuickParsingTest {
    static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    @Provide
    Arbitrary<Long> seconds() {
        return Arbitraries.longs().between(Instant.parse("1900-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2199-12-31T23:59:59Z").getEpochSecond());
    }

    @Property(tries = 2000)
    void everyCanonicalUtcInstantTakesTheFastPathWithTheSameValue(@ForAll("seconds") long epochSecond) {
        String text = UTC.format(Instant.ofEpochSecond(epochSecond));
        assertThat(SpecReader.quickUtcInstant(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
        String day = text.substring(0, 10);
        assertThat(SpecReader.quickDate(day)).isEqualTo(LocalDate.parse(day));
    }

    @Provide
    Arbitrary<String> nearlyDates() {
        return Arbitraries.strings().withChars("0123456789-T:Z+x").ofMinLength(8).ofMaxLength(21)
                .injectDuplicates(0.1)
                .edgeCases(c -> c.add("2026-02-29").add("2024-02-29").add("2026-13-01").add("2026-00-10").add("2026-04-31")
                        .add("2026-02-30T10:00:00Z").add("2026-03-29T24:00:00Z").add("2026-03-29T23:59:60Z")
                        .add("2026-03-29T01:00Z"));
    }

    @Property(tries = 3000)
    void whatTheFastPathAcceptsJavaTimeAcceptsAlike(@ForAll("nearlyDates") String text) {
        Instant quick = SpecReader.quickUtcInstant(text);
        if (quick != null) {
            assertThat(quick).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
        LocalDate day = SpecReader.quickDate(text);
        if (day != null) {
            assertThat(day).isEqualTo(LocalDate.parse(text));
        } else if (text.length() == 10) {
            assertThat(parses(text)).as(text).isFalse();
        }
    }

    @Test
    void startOfDayIsJavaTimesForEveryZoneAndEveryDayAroundNow() {
        for (String id : ZoneId.getAvailableZoneIds()) {
            ZoneId zone = ZoneId.of(id);
            for (LocalDate day = LocalDate.of(2023, 1, 1); day.getYear() < 2030; day = day.plusDays(1)) {
                assertThat(SpecReader.start(day, zone)).as("%s %s", id, day).isEqualTo(day.atStartOfDay(zone).toInstant());
            }
        }
    }

    @Property(tries = 3000)
    void startOfDayIsJavaTimesForAnyDay(@ForAll("zones") String id, @ForAll("days") long epochDay) {
        ZoneId zone = ZoneId.of(id);
        LocalDate day = LocalDate.ofEpochDay(epochDay);
        assertThat(SpecReader.start(day, zone)).isEqualTo(day.atStartOfDay(zone).toInstant());
    }

    @Provide
    Arbitrary<String> zones() {
        return Arbitraries.of(ZoneId.getAvailableZoneIds()).edgeCases(c -> c.add("Europe/London").add("America/Santiago")
                .add("UTC").add("+05:30").add("-18:00"));
    }

    @Provide
    Arbitrary<Long> days() {
        return Arbitraries.longs().between(LocalDate.of(1850, 1, 1).toEpochDay(), LocalDate.of(2200, 1, 1).toEpochDay());
    }

    @Property(tries = 3000)
    void theAsciiPathOfNamesIsTheGeneralOne(@ForAll("asciiNames") String name) {
        String general = Normalizer.normalize(Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT),
                Normalizer.Form.NFKC).strip();
        assertThat(Names.key(name)).isEqualTo(general);
        List<Problem> problems = new ArrayList<>();
        String checked = Names.check(name, "f", problems);
        boolean visible = name.codePoints().noneMatch(Values::invisible);
        assertThat(checked).isEqualTo(visible ? general : null);
        assertThat(problems.isEmpty()).isEqualTo(visible);
    }

    @Provide
    Arbitrary<String> asciiNames() {
        return Arbitraries.strings().ascii().ofMaxLength(40).edgeCases(c -> c.add(" Jane.Doe@Example.GOV.uk ").add("\t").add("\u007f"));
    }

    private static boolean parses(String date) {
        try {
            LocalDate.parse(date);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
