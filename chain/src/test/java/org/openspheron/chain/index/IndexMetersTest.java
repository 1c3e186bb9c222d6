package org.openspheron.chain.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IndexMetersTest {
    @Test
    void metersReadTheIndexAtEachScrapeAndStartAtZeroBeforeAnyIndexExists() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<IndexStats> stats = new AtomicReference<>(IndexStats.NONE);
        IndexMeters.bind(registry, stats::get);
        assertThat(registry.get("spheron.chain.index.lag").gauge().value()).isZero();

        stats.set(new IndexStats(120, 3, 1, 4, 2, 57, 5, 9));

        assertThat(registry.get("spheron.chain.index.lag").gauge().value()).isEqualTo(3);
        assertThat(registry.get("spheron.chain.index.open.orders").gauge().value()).isEqualTo(9);
        assertThat(registry.get("spheron.chain.index.reorgs").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("spheron.chain.index.resyncs").functionCounter().count()).isEqualTo(4);
        assertThat(registry.get("spheron.chain.index.gaps").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("spheron.chain.index.log.ranges").functionCounter().count()).isEqualTo(57);
        assertThat(registry.get("spheron.chain.index.log.ranges.refused").functionCounter().count()).isEqualTo(5);
    }
}
