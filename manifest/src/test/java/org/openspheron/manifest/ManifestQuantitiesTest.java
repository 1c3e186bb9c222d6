package org.openspheron.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestQuantitiesTest {

    @ParameterizedTest
    @CsvSource({"1Gi,1073741824", "512Mi,536870912", "100Gi,107374182400", "0.5Gi,536870912", "2GB,2000000000",
            "32gb,32000000000", "1k,1000", "1Ki,1024", "1024,1024", "1Ti,1099511627776", "768Mi,805306368"})
    void sizesInBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ManifestQuantities.parseBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"0.5,500", "500m,500", "2,2000", "16.0,16000", "0.1,100", ".25,250"})
    void cpuUnitsAsCoresOrMillicores(String text, long milli) {
        assertThat(ManifestQuantities.parseCpuMilli(text)).isEqualTo(milli);
    }

    /** Akash reads the number as a float and truncates the float product, so a few inputs lose one unit. */
    @ParameterizedTest
    @CsvSource({"1.001,1000", "0.29,290", "2.3Gi,2469606195", "1.1G,1100000000", "1.5,1500"})
    void cpuAndSizesAreAkashsFloatProductsTruncated(String text, long expected) {
        long parsed = text.matches("[0-9.]+") ? ManifestQuantities.parseCpuMilli(text) : ManifestQuantities.parseBytes(text);
        assertThat(parsed).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"30s,PT30S", "30min,PT30M", "1h,PT1H", "2d,PT48H", "1w,PT168H", "1mon,PT720H", "1y,PT8760H"})
    void iclDurations(String text, Duration expected) {
        assertThat(ManifestQuantities.parseDuration(text)).isEqualTo(expected);
        assertThat(ManifestQuantities.formatDuration(expected)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"1Qi", "Gi", "1.2.3Gi", "-1Gi", "99999999999999999999Ei"})
    void nonsenseSizesAreRefused(String text) {
        assertThatThrownBy(() -> ManifestQuantities.parseBytes(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }
}
