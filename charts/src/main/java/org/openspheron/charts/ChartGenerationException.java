package org.openspheron.charts;

/** The manifests cannot be turned into a chart as declared; the message names the file, line and what to change. */
public class ChartGenerationException extends RuntimeException {
    public ChartGenerationException(String message) {
        super(message);
    }
}
