package io.meridianmq.broker.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.auth.AuthenticationRequest;
import io.meridianmq.sdk.auth.AuthenticationResult;
import io.meridianmq.sdk.auth.Authenticator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.LoggerFactory;

/**
 * The last link of the authentication chain: when no other authenticator decided, a client is
 * let in according to {@code allow_anonymous} ({@code true}, {@code false}, or the default
 * {@code loopback}: only clients on this machine). Built on the SDK like any plugin.
 */
@Component(service = Authenticator.class, configurationPid = "io.meridianmq.broker",
        property = "service.ranking:Integer=-2147483648")
public class AnonymousAuthenticator implements Authenticator {

    private static final CompletableFuture<AuthenticationResult> ALLOW =
            CompletableFuture.completedFuture(AuthenticationResult.allow());

    private volatile BrokerSettings settings = BrokerSettings.DEFAULTS;

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        BrokerSettings previous = settings;
        settings = BrokerSettings.from(config, previous);
        if (settings.allowAnonymous() != previous.allowAnonymous()) {
            LoggerFactory.getLogger(AnonymousAuthenticator.class).info("Anonymous access: allow_anonymous={}",
                    settings.allowAnonymous().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Override
    public CompletionStage<AuthenticationResult> authenticate(AuthenticationRequest request) {
        switch (settings.allowAnonymous()) {
            case TRUE:
                return ALLOW;
            case LOOPBACK:
                if (request.client().isLoopback()) {
                    return ALLOW;
                }
                return CompletableFuture.completedFuture(AuthenticationResult.deny(
                        "no authenticator accepted the client and allow_anonymous = loopback admits local clients only"));
            default:
                return CompletableFuture.completedFuture(AuthenticationResult.deny(
                        "no authenticator accepted the client and allow_anonymous = false"));
        }
    }
}
