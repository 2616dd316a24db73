package io.meridianmq.broker.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.Identity;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.interceptor.ConnectInput;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a CONNECT from request to answer: the client id, authentication by the authenticator
 * chain (or the transport's, for certificates and enhanced authentication), the expiry of the
 * credentials, the CONNECT interceptors, login damping after failures, and the attach to the
 * session registry.
 *
 * <p>Thread-safe; {@link #connect} completes on a plugin thread, a timer or the caller's thread.
 */
final class ConnectFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectFlow.class);

    private final CoreParts core;
    private final FailedLogins failedLogins = new FailedLogins();
    /** Failed logins by method: password (CONNECT's credentials), anonymous, or an enhanced method. */
    private final LabelledCounts failuresByMethod = new LabelledCounts("password", "anonymous");

    ConnectFlow(CoreParts core) {
        this.core = core;
    }

    long failedLogins() {
        return failedLogins.total();
    }

    java.util.Map<String, Long> failuresByMethod() {
        return failuresByMethod.snapshot();
    }

    CompletionStage<ConnectResult> connect(ConnectRequest request, ClientConnection connection) {
        String clientId = request.clientId();
        if (clientId.isEmpty()) {
            if (!request.cleanStart() && request.protocolLevel() < 5) {
                return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.IDENTIFIER_REJECTED,
                        clientId, "empty client id needs clean session"));
            }
            clientId = "meridian-" + UUID.randomUUID();
        }
        Optional<Ban> banned = core.bans.match(clientId, request.username(), request.remoteAddress());
        if (banned.isPresent()) {
            Ban b = banned.get();
            return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.BANNED, clientId,
                    "banned (" + b.kind().word() + " '" + b.value() + "'" + (b.until() == null ? "" : " until " + b.until())
                            + "): " + b.reason(), "banned"));
        }
        ClientIdentity identity = identity(request, clientId);
        String finalClientId = clientId;
        CompletionStage<PluginOutputs.Authentication> authentication;
        if (request.authenticatedBy() != null) {
            PluginOutputs.Authentication allowed = new PluginOutputs.Authentication();
            allowed.allow(request.identity() != null ? request.identity() : Identity.asPresented());
            authentication = CompletableFuture.completedFuture(allowed);
        } else {
            authentication = core.plugins.authenticate(input(identity, request));
        }
        return authentication.thenCompose(result -> {
            if (result.verdict != PluginOutputs.Verdict.ALLOW) {
                ConnectReturnCode code = request.username() == null ? ConnectReturnCode.NOT_AUTHORIZED
                        : ConnectReturnCode.BAD_USERNAME_OR_PASSWORD;
                String reason = result.reason != null ? result.reason : "no authenticator accepted the client";
                // the client learns only the code: "unknown user" and "wrong password" look alike
                String told = request.username() == null ? "not authorized" : "bad user name or password";
                failuresByMethod.increment(request.username() == null && request.password() == null ? "anonymous"
                        : "password");
                return refused(identity, request.username(), reason)
                        .thenApply(v -> ConnectResult.refused(code, finalClientId, reason, told));
            }
            if (request.password() != null && request.username() != null) {
                failedLogins.succeeded(request.username());
            }
            ClientIdentity known = identity.as(result.identity);
            Optional<Instant> expires = result.identity.expiresAt();
            if (expires.isPresent() && !expires.get().isAfter(Instant.now())) {
                String why = "credentials expired at " + expires.get();
                core.events.authenticationFailed(known, why);
                return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD,
                        finalClientId, why));
            }
            // counted once authenticated, so that nobody can get another's client id banned
            String address = request.remoteAddress() == null || request.remoteAddress().getAddress() == null ? null
                    : request.remoteAddress().getAddress().getHostAddress();
            if (core.flapping.connected(finalClientId, address)) {
                return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.BANNED, finalClientId,
                        "banned for flapping (connected too often)", "banned"));
            }
            if (!core.plugins.hasConnectInterceptors()) {
                return attachInCluster(known, request, connection);
            }
            return core.plugins.interceptConnect(connectInput(known, request), request.sessionExpirySeconds())
                    .thenCompose(out -> {
                        if (out.refusal != null) {
                            core.events.authenticationFailed(known, out.refusal);
                            return CompletableFuture.completedFuture(
                                    ConnectResult.refused(ConnectReturnCode.NOT_AUTHORIZED, finalClientId, out.refusal));
                        }
                        return attachInCluster(known, request.withSessionExpiry(out.sessionExpiry), connection);
                    });
        });
    }

    private static ClientIdentity identity(ConnectRequest request, String clientId) {
        return new ClientIdentity(clientId, request.remoteAddress(), request.listenerName(), request.protocolLevel(),
                Optional.ofNullable(request.username()), Set.of(), null, request.clientCertificate());
    }

    /**
     * Attaches as {@link #attach}, once the cluster (if any) made this node the client id's owner
     * and brought its session here from the node that had it.
     */
    private CompletionStage<ConnectResult> attachInCluster(ClientIdentity identity, ConnectRequest request,
            ClientConnection connection) {
        if (core.cluster.fabric() == null) {
            return CompletableFuture.completedFuture(attach(identity, request, connection));
        }
        if (!core.cluster.accepting()) {
            String why = "this node is cut off from the majority of its cluster (split-brain protection)";
            LOG.info("Client {} refused: {}", identity, why);
            return CompletableFuture.completedFuture(ConnectResult.refused(ConnectReturnCode.SERVER_UNAVAILABLE,
                    identity.clientId(), why, "server unavailable"));
        }
        return core.cluster.claim(identity.clientId()).handle((claimed, failure) -> {
            if (failure != null) {
                String why = "the cluster could not make this node the owner of the session: " + rootMessage(failure);
                LOG.warn("Client {} refused: {}", identity, why);
                return ConnectResult.refused(ConnectReturnCode.SERVER_UNAVAILABLE, identity.clientId(), why,
                        "server unavailable");
            }
            return attach(identity, request, connection);
        });
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private ConnectResult attach(ClientIdentity identity, ConnectRequest request, ClientConnection connection) {
        SessionRegistry.Attachment a = core.registry.attach(identity, request, connection);
        if (a.refusal() != null) {
            if (a.quotaExceeded()) {
                core.limits.refused("sessions", identity.clientId(), a.refusal());
                return ConnectResult.refused(ConnectReturnCode.QUOTA_EXCEEDED, identity.clientId(), a.refusal(),
                        "quota exceeded");
            }
            core.events.authenticationFailed(identity, a.refusal());
            return ConnectResult.refused(ConnectReturnCode.IDENTIFIER_REJECTED, identity.clientId(), a.refusal(),
                    "client identifier not valid");
        }
        ClientSessionHandle handle = new ClientSessionHandle(core, a.session(), identity, connection, request.will(),
                request.receiveMaximum(), request.sessionExpirySeconds());
        core.cluster.willSet(identity, request.will(), request.sessionExpirySeconds());
        return ConnectResult.accepted(a.present(), identity.clientId(), handle);
    }

    /**
     * Counts a failed authentication (per address and per user name), tells the audit plugins,
     * and completes when the refusal may be sent: repeated failures are answered ever more
     * slowly, by a timer, never by blocking a thread.
     */
    CompletionStage<Void> refused(ClientIdentity client, String username, String reason) {
        core.events.authenticationFailed(client, reason);
        return core.threads.after(failedLogins.failed(client.remoteAddress().getAddress(), username,
                client.clientId()));
    }

    /** An enhanced authentication exchange failed: counted and damped as any failed login. */
    CompletionStage<Void> enhancedAuthenticationFailed(ConnectRequest request, String method, String reason) {
        failuresByMethod.increment(method);
        return refused(identity(request, request.clientId()), request.username(), reason);
    }

    private static AuthenticationInput input(ClientIdentity identity, ConnectRequest request) {
        return new AuthenticationInput() {
            @Override
            public ClientInfo client() {
                return identity;
            }

            @Override
            public Optional<String> username() {
                return Optional.ofNullable(request.username());
            }

            @Override
            public Optional<byte[]> password() {
                return Optional.ofNullable(request.password()).map(byte[]::clone);
            }
        };
    }

    private static ConnectInput connectInput(ClientIdentity client, ConnectRequest request) {
        return new ConnectInput() {
            @Override
            public ClientInfo client() {
                return client;
            }

            @Override
            public boolean cleanStart() {
                return request.cleanStart();
            }

            @Override
            public int keepAlive() {
                return request.keepAliveSeconds();
            }

            @Override
            public Optional<String> willTopic() {
                return Optional.ofNullable(request.will()).map(WillMessage::topic);
            }
        };
    }
}
