package org.openspheron.operator.inventory;

/** The cluster could not be read, so nothing may be promised from it. */
public final class InventoryUnavailableException extends RuntimeException {
    public InventoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
