package org.openspheron.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the services may run and at what price ({@code profiles.placement.<name>}).
 *
 * @param attributes provider attributes asked for, values as written ({@code region}, {@code host}, ...)
 * @param regions the {@code region} attribute split on {@code ;} (ICL allows a list), empty when any
 * @param signedBy Akash auditors that must have signed the provider's attributes (kept, not enforced here)
 * @param pricing the maximum price per compute profile (or service) name
 */
public record Placement(
        String name,
        Map<String, String> attributes,
        List<String> regions,
        List<String> signedBy,
        Map<String, Price> pricing) {

    public Placement {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        regions = List.copyOf(regions);
        signedBy = List.copyOf(signedBy);
        pricing = Collections.unmodifiableMap(new LinkedHashMap<>(pricing));
    }
}
