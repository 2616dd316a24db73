package io.meridianmq.broker.internal;

import java.util.Map;

import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.Authenticator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.LoggerFactory;

/**
 * The last link of the authentication chain: when no other authenticator decided, a client
 * without a user name is let in according to {@code allow_anonymous} ({@code true},
 * {@code false}, or the default {@code loopback}: only clients on this machine); a client that
 * presents a user name no authenticator accepted is refused whatever {@code allow_anonymous}
 * says, so that nobody holds a user's name (and its ACL rules) without proving it. Built on the
 * SDK like any plugin.
 */
@Component(service = Authenticator.class, configurationPid = "io.meridianmq.broker",
        property = "service.ranking:Integer=-2147483648")
public class AnonymousAuthenticator implements Authenticator {

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
    public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
        if (input.username().isPresent()) {
            // anonymous access is for clients that claim no identity: a presented user name
            // reaching this link was accepted by no authenticator, so it is not the client's
            output.deny("no authenticator accepted user name '" + input.username().get() + "'");
            return;
        }
        switch (settings.allowAnonymous()) {
            case TRUE -> output.allow();
            case LOOPBACK -> {
                if (input.client().isLoopback()) {
                    output.allow();
                } else {
                    output.deny("no authenticator accepted the client and allow_anonymous = loopback admits "
                            + "local clients only");
                }
            }
            default -> output.deny("no authenticator accepted the client and allow_anonymous = false");
        }
    }
}
