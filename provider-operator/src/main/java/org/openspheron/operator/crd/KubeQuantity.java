package org.openspheron.operator.crd;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Resource quantities written the way the API server stores them. The server keeps a quantity in canonical form
 * ({@code 2000m} comes back as {@code 2}, {@code 16384Mi} as {@code 16Gi}), so an object written in any other
 * form never equals what is read back: a comparison of desired with actual would see a change on every pass and
 * write again. Writing the canonical form makes a steady state write nothing.
 *
 * <p>The rules are those of {@code k8s.io/apimachinery/pkg/api/resource}: a decimal quantity takes the largest
 * exponent, a multiple of 3, that keeps the mantissa whole ({@code m}, none, {@code k}, {@code M}, ...); a binary
 * one the largest power of 1024 ({@code Ki}, {@code Mi}, {@code Gi}, ...), except below 1024, which the server
 * writes as a plain decimal number.
 */
public final class KubeQuantity {
    private static final String[] DECIMAL_SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private KubeQuantity() {
    }

    /** CPU from millicores: {@code 500m}, {@code 2}, {@code 1500m}, {@code 2k}. */
    public static Quantity cpu(long milli) {
        return new Quantity(millis(milli));
    }

    /** Memory or storage from MiB: {@code 512Mi}, {@code 16Gi}, {@code 1536Mi}. */
    public static Quantity mebibytes(long mib) {
        return new Quantity(bytes(Math.multiplyExact(mib, 1024L * 1024)));
    }

    /** A count (GPUs): {@code 1}, {@code 8}, {@code 1k}. */
    public static Quantity count(long count) {
        return new Quantity(decimal(count));
    }

    static String millis(long milli) {
        requireNotNegative(milli);
        return milli % 1000 == 0 ? decimal(milli / 1000) : milli + "m";
    }

    static String decimal(long value) {
        requireNotNegative(value);
        int exponent = 0;
        while (value != 0 && value % 1000 == 0 && exponent < DECIMAL_SUFFIXES.length - 1) {
            value /= 1000;
            exponent++;
        }
        return value + DECIMAL_SUFFIXES[exponent];
    }

    static String bytes(long value) {
        requireNotNegative(value);
        if (value < 1024) {
            return Long.toString(value);
        }
        int exponent = 0;
        while (value % 1024 == 0 && exponent < BINARY_SUFFIXES.length - 1) {
            value /= 1024;
            exponent++;
        }
        return value + BINARY_SUFFIXES[exponent];
    }

    private static void requireNotNegative(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a resource quantity cannot be negative: " + value);
        }
    }
}
