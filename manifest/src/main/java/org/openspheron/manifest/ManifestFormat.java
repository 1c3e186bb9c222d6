package org.openspheron.manifest;

/** The two manifest dialects accepted, told apart by their {@code version}. */
public enum ManifestFormat {
    /** Spheron's Infrastructure Composition Language, {@code version: "1.0"}. */
    ICL,
    /** Akash's Stack Definition Language, {@code version: "2.0"} or {@code "2.1"}. */
    SDL
}
