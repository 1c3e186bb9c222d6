package org.openspheron.operator.bidding;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TeeNodesTest {
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void aRuntimeClassIsReadOncePerTypeWhileItsAnswerIsFreshNotOncePerOrderAndPass() {
        TeeNodes nodes = TeeNodes.cached(type -> {
            reads.incrementAndGet();
            return Optional.of(Map.of("katacontainers.io/kata-runtime", "true"));
        }, Duration.ofSeconds(30), clock::get);

        for (int order = 0; order < 50; order++) {
            assertThat(nodes.nodeSelector("tdx")).contains(Map.of("katacontainers.io/kata-runtime", "true"));
        }
        assertThat(reads).hasValue(1);
        nodes.nodeSelector("sev-snp");
        assertThat(reads).hasValue(2);

        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        nodes.nodeSelector("tdx");
        assertThat(reads).hasValue(3);
    }

    @Test
    void aFailingReadDeclinesThisPassAndIsTriedAgainTheNext() {
        TeeNodes nodes = TeeNodes.cached(type -> {
            if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("the API server went away");
            }
            return Optional.of(Map.of());
        }, Duration.ofSeconds(30), clock::get);

        assertThat(nodes.nodeSelector("tdx")).isEmpty();
        assertThat(nodes.nodeSelector("tdx")).as("the other orders of this pass").isEmpty();
        assertThat(reads).hasValue(1);
        clock.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(nodes.nodeSelector("tdx")).contains(Map.of());
        assertThat(reads).hasValue(2);
    }
}
