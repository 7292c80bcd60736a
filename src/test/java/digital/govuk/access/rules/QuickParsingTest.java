package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

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

    private static boolean parses(String date) {
        try {
            LocalDate.parse(date);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
