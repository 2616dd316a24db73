package io.meridianmq.broker;

import java.util.Objects;

/**
 * The answer to {@link Broker#connect}.
 *
 * @param code accepted or why not
 * @param sessionPresent whether an existing session was resumed
 * @param clientId the client identifier in force (assigned when the client sent an empty one)
 * @param session the session handle when accepted, else {@code null}
 * @param reason a human-readable reason for a refusal (for logs), or {@code null}
 */
public record ConnectResult(ConnectReturnCode code, boolean sessionPresent, String clientId, ClientSession session,
        String reason) {

    public ConnectResult {
        Objects.requireNonNull(code, "code");
    }

    public static ConnectResult refused(ConnectReturnCode code, String clientId, String reason) {
        return new ConnectResult(code, false, clientId, null, reason);
    }

    public boolean accepted() {
        return code == ConnectReturnCode.ACCEPTED;
    }
}
