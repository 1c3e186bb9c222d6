package org.openspheron.manifest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quantities manifests are written in: byte sizes ({@code 512Mi}, {@code 100Gi}, {@code 2GB}), CPU units
 * ({@code 0.5}, {@code 2}, {@code 500m}) and ICL durations ({@code 30min}, {@code 1h}, {@code 2d}, {@code 1mon}).
 * Each parse returns the value or the reason it is not one; the caller knows the field.
 *
 * <p>Sizes and CPU units come out as Akash's SDL parser computes them (akash-network/chain-sdk, {@code go/sdl/units.go}),
 * so an order asks for what the same file asks for on Akash: the number is read as a binary64 float, multiplied by
 * the unit (1000 for CPUs, the suffix's bytes) in binary64 and truncated toward zero. Mostly that is the exact
 * value; where the float product falls just short of an integer it is one less ({@code 1.001} CPUs is 1000
 * millicpu on Akash, and here). {@code 500m} is an integer, as Akash reads it. Suffixes Akash does not know
 * ({@code GB}, lower case) are accepted here on top, with the same arithmetic.
 */
public final class ManifestQuantities {
    private static final Pattern NUMBER_WITH_SUFFIX = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([A-Za-z]*)");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})\\s*([a-z]+)");

    /** Suffixes as Akash and Kubernetes write them; binary (Ki, Mi, ...) and decimal (k, M, MB, ...), any case. */
    private static final Map<String, BigInteger> BYTE_SUFFIXES = Map.ofEntries(
            Map.entry("", BigInteger.ONE), Map.entry("b", BigInteger.ONE),
            Map.entry("k", pow(1000, 1)), Map.entry("kb", pow(1000, 1)), Map.entry("ki", pow(1024, 1)), Map.entry("kib", pow(1024, 1)),
            Map.entry("m", pow(1000, 2)), Map.entry("mb", pow(1000, 2)), Map.entry("mi", pow(1024, 2)), Map.entry("mib", pow(1024, 2)),
            Map.entry("g", pow(1000, 3)), Map.entry("gb", pow(1000, 3)), Map.entry("gi", pow(1024, 3)), Map.entry("gib", pow(1024, 3)),
            Map.entry("t", pow(1000, 4)), Map.entry("tb", pow(1000, 4)), Map.entry("ti", pow(1024, 4)), Map.entry("tib", pow(1024, 4)),
            Map.entry("p", pow(1000, 5)), Map.entry("pb", pow(1000, 5)), Map.entry("pi", pow(1024, 5)), Map.entry("pib", pow(1024, 5)));

    private static final Map<String, Duration> DURATION_UNITS = Map.of(
            "s", Duration.ofSeconds(1),
            "min", Duration.ofMinutes(1),
            "h", Duration.ofHours(1),
            "d", Duration.ofDays(1),
            "w", Duration.ofDays(7),
            "mon", Duration.ofDays(30),
            "y", Duration.ofDays(365));

    private ManifestQuantities() {
    }

    /** Bytes of a size such as {@code 512Mi}, {@code 1.5Gi}, {@code 2GB} or a bare byte count. */
    public static long parseBytes(String text) {
        String t = text.trim();
        Matcher m = NUMBER_WITH_SUFFIX.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (write e.g. 512Mi, 16Gi, 2GB)");
        }
        BigInteger unit = BYTE_SUFFIXES.get(m.group(2).toLowerCase(Locale.ROOT));
        if (unit == null) {
            throw new IllegalArgumentException("\"" + text + "\" has an unknown unit \"" + m.group(2)
                    + "\" (use Ki, Mi, Gi, Ti or k, M, G, T)");
        }
        double bytes = Double.parseDouble(m.group(1)) * unit.doubleValue();
        if (bytes >= 0x1p62) {
            throw new IllegalArgumentException("\"" + text + "\" is absurdly large");
        }
        return (long) bytes;
    }

    /** Thousandths of a CPU from {@code 0.5}, {@code 2}, {@code 16.0} or {@code 500m}. */
    public static long parseCpuMilli(String text) {
        String t = text.trim();
        boolean milli = t.endsWith("m");
        String number = milli ? t.substring(0, t.length() - 1) : t;
        if (!number.matches("[0-9]+(\\.[0-9]*)?|\\.[0-9]+")) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CPU amount (write e.g. 0.5, 2 or 500m)");
        }
        BigDecimal value = new BigDecimal(number);
        if (value.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
            throw new IllegalArgumentException("\"" + text + "\" is absurdly large");
        }
        BigDecimal thousandths = milli ? value : value.movePointRight(3);
        if (thousandths.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("\"" + text + "\" is finer than a thousandth of a CPU");
        }
        return milli ? thousandths.longValueExact() : (long) (Double.parseDouble(number) * 1000);
    }

    /** An ICL duration: a whole number and one of s, min, h, d, w, mon, y ({@code mon} is 30 days, {@code y} 365). */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (write e.g. 30min, 1h, 2d, 1mon)");
        }
        String unit = m.group(2);
        if (unit.equals("m")) {
            throw new IllegalArgumentException("\"" + text + "\" is ambiguous: write min for minutes or mon for months");
        }
        Duration one = DURATION_UNITS.get(unit);
        if (one == null) {
            throw new IllegalArgumentException("\"" + text + "\" has an unknown unit \"" + unit + "\" (use s, min, h, d, w, mon, y)");
        }
        return one.multipliedBy(Long.parseLong(m.group(1)));
    }

    /** The shortest exact ICL spelling of a duration: {@code 2h}, {@code 90min}, {@code 1mon}. */
    public static String formatDuration(Duration duration) {
        long s = duration.toSeconds();
        String[] units = {"y", "mon", "w", "d", "h", "min"};
        for (String unit : units) {
            long size = DURATION_UNITS.get(unit).toSeconds();
            if (s >= size && s % size == 0) {
                return (s / size) + unit;
            }
        }
        return s + "s";
    }

    private static BigInteger pow(int base, int exponent) {
        return BigInteger.valueOf(base).pow(exponent);
    }
}
