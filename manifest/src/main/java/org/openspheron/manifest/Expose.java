package org.openspheron.manifest;

import java.util.List;

/**
 * A port a service listens on and who may reach it.
 *
 * @param port the container port
 * @param as the port it is published as (defaults to {@code port})
 * @param proto {@code TCP} or {@code UDP}
 * @param global whether it is reachable from the internet
 * @param accept host names routed to it (HTTP ingress)
 * @param toServices services of the same deployment allowed to reach it
 * @param httpOptions ingress tuning, or null when not given
 * @param usePublicPort ICL's request to publish on the same port number on the node
 * @param ip the leased IP endpoint ({@code endpoints: {NAME: {kind: ip}}}) it is also published on, or null; the
 *     parser makes sure it is declared and that {@code global} is true
 */
public record Expose(
        int port,
        int as,
        String proto,
        boolean global,
        List<String> accept,
        List<String> toServices,
        HttpOptions httpOptions,
        boolean usePublicPort,
        String ip) {

    public Expose {
        accept = List.copyOf(accept);
        toServices = List.copyOf(toServices);
    }

    /** An expose on no leased IP endpoint. */
    public Expose(int port, int as, String proto, boolean global, List<String> accept, List<String> toServices,
                  HttpOptions httpOptions, boolean usePublicPort) {
        this(port, as, proto, global, accept, toServices, httpOptions, usePublicPort, null);
    }

    /** HTTP when published on 80 (Akash's rule: port 80 goes through the ingress); otherwise a raw port. */
    public boolean isHttp() {
        return as == 80 && "TCP".equals(proto);
    }
}
