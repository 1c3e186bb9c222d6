package org.openspheron.devservices.deployment;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The dev-mode test's app: shows which chain it was given, and which version of its code answers. */
@Path("/rpc-url")
public class RpcUrlResource {
    @ConfigProperty(name = "spheron.chain.rpc-url")
    String rpcUrl;

    @GET
    public String rpcUrl() {
        return "v1 " + rpcUrl;
    }
}
