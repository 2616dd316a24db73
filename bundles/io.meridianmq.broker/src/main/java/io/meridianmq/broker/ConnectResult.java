package io.meridianmq.broker;

import java.util.Objects;

/**
 * The answer to {@link Broker#connect}.
 *
 * @param code accepted or why not
 * @param sessionPresent whether an existing session was resumed
 * @param clientId the client identifier in force (assigned when the client sent an empty one)
 * @param session the session handle when accepted, else {@code null}
 * @param reason a human-readable reason for a refusal, for the broker's log (it may name what a
 *        client must not learn, such as whether a user exists), or {@code null}
 * @param toldReason what the client is told (the CONNACK reason string), or {@code null} to
 *        tell it {@code reason}
 */
public record ConnectResult(ConnectReturnCode code, boolean sessionPresent, String clientId, ClientSession session,
        String reason, String toldReason) {

    public ConnectResult {
        Objects.requireNonNull(code, "code");
    }

    public static ConnectResult refused(ConnectReturnCode code, String clientId, String reason) {
        return new ConnectResult(code, false, clientId, null, reason, null);
    }

    /** A refusal that tells the client less than the log: {@code told} instead of {@code reason}. */
    public static ConnectResult refused(ConnectReturnCode code, String clientId, String reason, String told) {
        return new ConnectResult(code, false, clientId, null, reason, told);
    }

    public static ConnectResult accepted(boolean sessionPresent, String clientId, ClientSession session) {
        return new ConnectResult(ConnectReturnCode.ACCEPTED, sessionPresent, clientId, session, null, null);
    }

    public boolean accepted() {
        return code == ConnectReturnCode.ACCEPTED;
    }

    /** The reason string for the client's CONNACK. */
    public String clientReason() {
        return toldReason != null ? toldReason : reason != null ? reason : code.name();
    }
}
