package org.openspheron.cli;

import java.time.Duration;
import org.openspheron.manifest.ManifestQuantities;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as manifests write them ({@code 30s}, {@code 10min}, {@code 2h}, {@code 1mon}), plus {@code 500ms}. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim();
        if (v.matches("[0-9]{1,9}ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        try {
            return ManifestQuantities.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
