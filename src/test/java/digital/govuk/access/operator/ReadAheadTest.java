package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** The read made just before a binding's expiry, and when a revocation may rely on it (decision 62). */
@EnableKubernetesMockClient(crud = true, https = false)
class ReadAheadTest {
    KubernetesClient client;

    final TestClock clock = new TestClock();
    ReadAhead readAhead;
    EngineerAccess cached;

    @BeforeEach
    void anEngineerInTheApiServer() {
        cached = client.resource(Fixtures.engineer("ann", "")).create();
        readAhead = new ReadAhead(client, clock);
    }

    @AfterEach
    void stop() {
        readAhead.stop();
    }

    /** Plans the read for an expiry 0.2 s beyond {@link ReadAhead#AHEAD} on the test clock, so it is made about 0.2 s from now, and waits for it. */
    Instant readAheadOfAnExpiry() {
        Instant expiry = clock.instant().plus(ReadAhead.AHEAD).plusMillis(200);
        readAhead.before("ann", expiry);
        assertThat(readAhead.holds("ann")).as("not before its time").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> readAhead.holds("ann"));
        return expiry;
    }

    @Test
    void theVersionReadConfirmsTheCachedCopyOnce() {
        Instant expiry = readAheadOfAnExpiry();
        assertThat(readAhead.confirms(cached, expiry)).isTrue();
        assertThat(readAhead.confirms(cached, expiry)).as("used once").isFalse();
    }

    @Test
    void aCopyOfAnotherVersionIsNotConfirmed() {
        Instant expiry = readAheadOfAnExpiry();
        EngineerAccess older = client.resources(EngineerAccess.class).withName("ann").get();
        older.getMetadata().setResourceVersion(older.getMetadata().getResourceVersion() + "0");
        assertThat(readAhead.confirms(older, expiry)).isFalse();
    }

    @Test
    void anEditAfterTheReadMakesTheCopyAnotherVersion() {
        Instant expiry = readAheadOfAnExpiry();
        EngineerAccess edited = client.resources(EngineerAccess.class).withName("ann").edit(ea -> {
            ea.getSpec().subject.name = "ann.other@example.gov.uk";
            return ea;
        });
        assertThat(readAhead.confirms(edited, expiry)).isFalse();
    }

    @Test
    void aReadOlderThanItsLimitIsNotUsed() {
        readAheadOfAnExpiry();
        assertThat(readAhead.confirms(cached, clock.instant().plus(ReadAhead.GOOD_FOR).plusMillis(1))).isFalse();
    }

    @Test
    void anotherObjectOfTheSameNameIsNotConfirmed() {
        Instant expiry = readAheadOfAnExpiry();
        EngineerAccess other = client.resources(EngineerAccess.class).withName("ann").get();
        other.getMetadata().setUid("another-uid");
        assertThat(readAhead.confirms(other, expiry)).isFalse();
    }

    @Test
    void aNewExpiryDropsTheReadMadeForTheOldOne() {
        Instant expiry = readAheadOfAnExpiry();
        readAhead.before("ann", expiry.plus(Duration.ofHours(1)));
        assertThat(readAhead.confirms(cached, expiry)).isFalse();
    }

    @Test
    void noReadForAnEngineerForgotten() throws InterruptedException {
        readAhead.before("ann", clock.instant().plus(ReadAhead.AHEAD).plusMillis(300));
        readAhead.forget("ann");
        Thread.sleep(800);
        assertThat(readAhead.holds("ann")).isFalse();
    }
}
