package org.openspheron.chain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gas report measures real transactions: every figure is there and positive, and more signatures cost more. */
class GasReportTest {
    /** A signature costs at least the ecrecover precompile's 3000 gas. */
    private static final long ECRECOVER_GAS = 3000;
    private static GasReport.Figures figures;

    @BeforeAll
    static void measure() {
        figures = GasReport.measure();
    }

    @Test
    void everyOperationIsMeasuredWithPositiveGas() {
        assertThat(figures.gasUsed()).containsOnlyKeys(GasReport.REGISTER, GasReport.CREATE_ORDER, GasReport.SUBMIT_BID,
                GasReport.MATCH_2_OF_3, GasReport.MATCH_3_OF_5, GasReport.CONFIRM, GasReport.WITHDRAW, GasReport.CLOSE);
        // 21000 is the base cost of any transaction; every one of these does real work on top.
        assertThat(figures.gasUsed().values()).allSatisfy(gas -> assertThat(gas).isGreaterThan(21_000));
    }

    @Test
    void matchGasGrowsWithTheNumberOfSignatures() {
        long extra = figures.of(GasReport.MATCH_3_OF_5) - figures.of(GasReport.MATCH_2_OF_3);
        assertThat(extra).isGreaterThanOrEqualTo(ECRECOVER_GAS);
    }

    @Test
    void theTableNamesEveryOperation() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GasReport.print(figures, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        figures.gasUsed().keySet().forEach(operation -> assertThat(table).contains(operation));
    }
}
