package org.openspheron.matchmaker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.openspheron.chain.ProtocolAddresses;
import org.openspheron.chain.index.IndexMeters;
import org.openspheron.chain.rpc.RpcMeters;
import org.openspheron.chain.rpc.RpcUrls;
import org.openspheron.matchmaker.chain.ChainSession;
import org.openspheron.matchmaker.config.ChainSettings;
import org.openspheron.matchmaker.config.MatchmakerConfig;
import org.openspheron.matchmaker.config.MatchmakerSettings;
import org.openspheron.matchmaker.config.ProtocolSettings;
import org.openspheron.matchmaker.quorum.HttpPeers;
import org.openspheron.matchmaker.quorum.Quorum;
import org.openspheron.matchmaker.reconcile.MatchReconciler;
import org.openspheron.matchmaker.reconcile.ReconcileLoop;
import org.openspheron.matchmaker.policy.EffectivePolicy;
import org.openspheron.matchmaker.policy.MatchingPolicyWatch;
import org.web3j.crypto.Credentials;

/**
 * Wires one operator at start-up. Configuration errors stop the start with a message naming the key; an
 * unreachable chain does not: the loop keeps retrying and readiness stays DOWN until it answers.
 */
@ApplicationScoped
public class MatchmakerService {
    private static final Logger LOG = Logger.getLogger(MatchmakerService.class);

    private final ChainSession chain;
    private final Quorum quorum;
    private final MatchReconciler reconciler;
    private final ReconcileLoop loop;
    /** The RPC URLs as logs, health and status show them: API keys masked. */
    private final String shownRpcUrl;
    private final EffectivePolicy policy;
    private final Optional<MatchingPolicyWatch> policyWatch;
    private final ExecutorService publisher = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "matchmaker-peer-push");
        t.setDaemon(true);
        return t;
    });

    MatchmakerService(MatchmakerConfig config, ChainSettings chainSettings, ProtocolSettings protocol,
                      MeterRegistry metrics, ObjectMapper json, Instance<KubernetesClient> kubernetes) {
        MatchmakerSettings.rejectUnknownKeys(ConfigProvider.getConfig().getPropertyNames());
        this.policy = new EffectivePolicy(MatchmakerSettings.policy(config.scoring()));
        this.policyWatch = policyWatch(config.policy().kubernetes(), kubernetes, policy);
        Credentials key = MatchmakerSettings.operatorKey(config);
        ProtocolAddresses addresses = MatchmakerSettings.addresses(protocol);
        List<String> peerUrls = MatchmakerSettings.peers(config);
        MatchmakerSettings.requireKeyLocation("spheron.matchmaker.jwt.peer-keys", config.jwt().peerKeys(),
                "the JWKS of public keys whose tokens this operator accepts");
        if (!peerUrls.isEmpty()) {
            MatchmakerSettings.requireKeyLocation("spheron.matchmaker.jwt.signing-key", config.jwt().signingKey(),
                    "this operator's private key for tokens to its peers");
        }
        this.chain = new ChainSession(chainSettings.rpcUrl(), addresses, key,
                MatchmakerSettings.rpc(chainSettings, new RpcMeters(metrics)), MatchmakerSettings.index(chainSettings));
        IndexMeters.bind(metrics, chain::indexStats);
        this.quorum = new Quorum(chain);
        String self = chain.operatorAddress();
        HttpPeers peers = new HttpPeers(peerUrls, json, new HttpPeers.TokenSource(config.jwt().issuer(), self,
                config.jwt().keyId().orElse(self), config.jwt().tokenLifetime()), config.jwt().peerTimeout());
        this.reconciler = new MatchReconciler(chain, policy, quorum, peers, chainSettings.confirmations(),
                new MatchMetrics(metrics), publisher, Clock.systemUTC(), config.parallelism());
        this.shownRpcUrl = RpcUrls.shownList(chainSettings.rpcUrl());
        this.loop = new ReconcileLoop(reconciler, shownRpcUrl, chainSettings.pollInterval(),
                config.maxBackoff(), Clock.systemUTC());
        MatchmakerSettings.heads(chainSettings).ifPresent(heads -> {
            chain.useHeads(heads);
            heads.onHead(loop::wake);
            LOG.infof("new blocks from the newHeads subscription at %s", RpcUrls.shown(heads.url()));
        });
        LOG.infof("matchmaker operator %s on %s, %d peer(s), confirmations %d", self, shownRpcUrl,
                peerUrls.size(), chainSettings.confirmations());
    }

    /**
     * The MatchingPolicy watch when enabled. The Kubernetes client is only created here, so a matchmaker outside a
     * cluster (the default) never builds one nor reaches for an API server.
     */
    private static Optional<MatchingPolicyWatch> policyWatch(MatchmakerConfig.Kubernetes settings,
                                                             Instance<KubernetesClient> kubernetes,
                                                             EffectivePolicy policy) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        KubernetesClient client = kubernetes.get();
        String namespace = settings.namespace().filter(n -> !n.isBlank())
                .orElse(client.getNamespace() == null ? "default" : client.getNamespace());
        return Optional.of(new MatchingPolicyWatch(client, namespace, settings.name(), policy));
    }

    void onStart(@Observes StartupEvent event) {
        policyWatch.ifPresent(MatchingPolicyWatch::start);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        policyWatch.ifPresent(MatchingPolicyWatch::close);
        loop.close();
        reconciler.close();
        publisher.shutdownNow();
        chain.close();
    }

    public MatchReconciler reconciler() {
        return reconciler;
    }

    public Quorum quorum() {
        return quorum;
    }

    /** The scoring policy new decisions are made with, and where it came from. */
    public EffectivePolicy policy() {
        return policy;
    }

    public ReconcileLoop loop() {
        return loop;
    }

    public String operator() {
        return chain.operatorAddress();
    }

    /** The RPC URLs as logs and status pages show them: API keys masked. */
    public String rpcUrl() {
        return shownRpcUrl;
    }
}
