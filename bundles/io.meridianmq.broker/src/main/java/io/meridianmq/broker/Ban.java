package io.meridianmq.broker;

import java.time.Instant;

/**
 * One ban: clients with this client id, user name or address are refused at CONNECT (MQTT 5:
 * CONNACK 0x8A Banned; 3.1.1: return code 5, not authorized) until it expires or is removed.
 *
 * @param kind what {@code value} is
 * @param value the client id, the user name, or the address (an IP address, as it is printed)
 * @param until when it ends, or null for never
 * @param reason why, for the log and for operators
 * @param by who banned (an operator's name, {@code console}, {@code api})
 * @param at when the ban was made
 * @since 0.3
 */
public record Ban(Kind kind, String value, Instant until, String reason, String by, Instant at) {

    /** What a ban matches. */
    public enum Kind {
        CLIENT_ID, USERNAME, ADDRESS;

        /** The word operators type: {@code clientid}, {@code username}, {@code address}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace("_", "");
        }

        /** The kind an operator's word names; IllegalArgumentException naming the words otherwise. */
        public static Kind of(String word) {
            for (Kind k : values()) {
                if (k.word().equalsIgnoreCase(word)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("'" + word + "' is not clientid, username or address");
        }
    }

    /** Whether it is in force at {@code now}. */
    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }
}
