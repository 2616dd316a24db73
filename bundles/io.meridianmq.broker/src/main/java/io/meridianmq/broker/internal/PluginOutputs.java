package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.interceptor.ConnectOutput;
import io.meridianmq.sdk.interceptor.DisconnectOutput;
import io.meridianmq.sdk.interceptor.ModifiablePublish;
import io.meridianmq.sdk.interceptor.PublishInboundOutput;
import io.meridianmq.sdk.interceptor.PublishOutboundOutput;
import io.meridianmq.sdk.interceptor.SubscribeOutput;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.meridianmq.sdk.topic.Topics;

/** The broker's implementations of the SDK output objects. */
final class PluginOutputs {

    private PluginOutputs() {
    }

    enum Verdict { NEXT, ALLOW, DENY }

    /** An allow / deny / next decision, shared by authentication and authorization. */
    abstract static class VerdictOutput extends PluginOutput {
        volatile Verdict verdict = Verdict.NEXT;
        volatile String reason;
        private final String failure;

        VerdictOutput(String failure) {
            this.failure = failure;
        }

        public void allow() {
            write(() -> verdict = Verdict.ALLOW);
        }

        public void deny(String why) {
            write(() -> {
                reason = Objects.requireNonNull(why, "reason");
                verdict = Verdict.DENY;
            });
        }

        public void next() {
            write(() -> verdict = Verdict.NEXT);
        }

        /**
         * A security decision fails closed: whatever fallback the plugin asked for, a plugin
         * that threw or missed its time denies (passing on to the next link could end in
         * "allowed", the hole a hostile client would wait for).
         */
        @Override
        void applyFallback(TimeoutFallback fallback) {
            verdict = Verdict.DENY;
            reason = failure;
        }
    }

    static final class Authentication extends VerdictOutput implements AuthenticationOutput {
        volatile io.meridianmq.sdk.auth.Identity identity = io.meridianmq.sdk.auth.Identity.asPresented();

        Authentication() {
            super("authentication plugin failed or timed out");
        }

        @Override
        public void allowAs(String user) {
            write(() -> {
                identity = io.meridianmq.sdk.auth.Identity.of(Objects.requireNonNull(user, "username"));
                verdict = Verdict.ALLOW;
            });
        }

        @Override
        public void allow(io.meridianmq.sdk.auth.Identity who) {
            write(() -> {
                identity = Objects.requireNonNull(who, "identity");
                verdict = Verdict.ALLOW;
            });
        }
    }

    static final class Authorization extends VerdictOutput implements AuthorizationOutput {
        Authorization() {
            super("authorization plugin failed or timed out");
        }
    }

    /**
     * A PUBLISH being intercepted. Each plugin's output holds its own copy, whose setters go
     * through that output's guard: a plugin's late change after its call ended (or after its
     * fallback was applied) is refused, and never reaches a message the broker already routes.
     */
    static final class Publish implements ModifiablePublish {
        String topic;
        byte[] payload;
        int qos;
        boolean retain;
        Long messageExpiry;
        String contentType;
        final List<UserProperty> userProperties;
        final PublishProperties original;
        /** The output whose plugin may change this copy, or null for the message as the client sent it. */
        private final PluginOutput owner;

        Publish(String topic, byte[] payload, int qos, boolean retain, long messageExpiry, PublishProperties properties) {
            this(topic, payload, qos, retain, messageExpiry, properties, null);
        }

        private Publish(String topic, byte[] payload, int qos, boolean retain, long messageExpiry,
                PublishProperties properties, PluginOutput owner) {
            this.owner = owner;
            this.topic = topic;
            this.payload = payload;
            this.qos = qos;
            this.retain = retain;
            this.messageExpiry = messageExpiry < 0 ? null : messageExpiry;
            this.contentType = properties.contentType();
            this.userProperties = new ArrayList<>(properties.userProperties());
            this.original = properties;
        }

        Publish copy() {
            return copyFor(null);
        }

        /** A copy that {@code output}'s plugin changes, each change through the output's guard. */
        Publish copyFor(PluginOutput output) {
            return new Publish(topic, payload, qos, retain, messageExpiry == null ? -1 : messageExpiry,
                    properties(), output);
        }

        private void change(Runnable change) {
            if (owner == null) {
                change.run();
            } else {
                owner.write(change);
            }
        }

        void restore(Publish from) {
            topic = from.topic;
            payload = from.payload;
            qos = from.qos;
            retain = from.retain;
            messageExpiry = from.messageExpiry;
            contentType = from.contentType;
            userProperties.clear();
            userProperties.addAll(from.userProperties);
        }

        PublishProperties properties() {
            return new PublishProperties(original.utf8Payload(), contentType, original.responseTopic(),
                    original.correlationData(), userProperties);
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void setTopic(String t) {
            if (!Topics.isValidTopicName(Objects.requireNonNull(t, "topic"))) {
                throw new IllegalArgumentException("not a valid topic name: '" + t + "'");
            }
            change(() -> topic = t);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public void setPayload(byte[] p) {
            byte[] copy = Objects.requireNonNull(p, "payload").clone();
            change(() -> payload = copy);
        }

        @Override
        public int qos() {
            return qos;
        }

        @Override
        public void setQos(int q) {
            if (q < 0 || q > 2) {
                throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + q);
            }
            change(() -> qos = q);
        }

        @Override
        public boolean retain() {
            return retain;
        }

        @Override
        public void setRetain(boolean r) {
            change(() -> retain = r);
        }

        @Override
        public Optional<Long> messageExpiry() {
            return Optional.ofNullable(messageExpiry);
        }

        @Override
        public void setMessageExpiry(Long seconds) {
            change(() -> messageExpiry = seconds);
        }

        @Override
        public Optional<String> contentType() {
            return Optional.ofNullable(contentType);
        }

        @Override
        public void setContentType(String type) {
            change(() -> contentType = type);
        }

        @Override
        public List<UserProperty> userProperties() {
            // the live list: a plugin edits it during its call (the SDK says so); a late edit
            // after a fallback is undone by nothing, so the list is copied when routed
            return userProperties;
        }
    }

    /** A message a plugin may change or drop; the SUCCESS fallback restores it as it was. */
    abstract static class PublishOutput extends PluginOutput {
        final Publish publish;
        private final Publish before;
        private final String failure;
        volatile String dropReason;

        PublishOutput(Publish input, String failure) {
            this.publish = input.copyFor(this);
            this.before = input;
            this.failure = failure;
        }

        /** The message as this output's plugin sees it: its own copy, whose changes stop when its call ends. */
        public ModifiablePublish publish() {
            return publish;
        }

        public void drop(String reason) {
            write(() -> dropReason = Objects.requireNonNull(reason, "reason"));
        }

        @Override
        void applyFallback(TimeoutFallback fallback) {
            if (fallback == TimeoutFallback.FAILURE) {
                dropReason = failure;
            } else {
                publish.restore(before); // as if this plugin had not been there
                dropReason = null;
            }
        }
    }

    static final class PublishInbound extends PublishOutput implements PublishInboundOutput {
        /** Set with {@link #fail}: the publisher must not be told the message is safe. */
        volatile boolean notTaken;
        /** What the publisher's acknowledgement waits for ({@link #acknowledgeAfter}), or null. */
        volatile java.util.concurrent.CompletableFuture<?> gate;

        PublishInbound(Publish publish) {
            super(publish, "interceptor failed or timed out");
        }

        @Override
        public void acknowledgeAfter(java.util.concurrent.CompletionStage<?> handedOn) {
            java.util.concurrent.CompletableFuture<?> next = handedOn.toCompletableFuture();
            write(() -> {
                java.util.concurrent.CompletableFuture<?> before = gate;
                gate = before == null ? next : java.util.concurrent.CompletableFuture.allOf(before, next);
            });
        }

        @Override
        public void fail(String reason) {
            Objects.requireNonNull(reason, "reason");
            write(() -> {
                dropReason = reason;
                notTaken = true;
            });
        }
    }

    static final class PublishOutbound extends PublishOutput implements PublishOutboundOutput {
        PublishOutbound(Publish publish) {
            super(publish, "outbound interceptor failed or timed out");
        }
    }

    static final class Subscribe extends PluginOutput implements SubscribeOutput {
        volatile String topicFilter;
        volatile int qos;
        volatile String refusal;
        private final String originalFilter;
        private final int originalQos;

        Subscribe(String topicFilter, int qos) {
            this.topicFilter = topicFilter;
            this.qos = qos;
            this.originalFilter = topicFilter;
            this.originalQos = qos;
        }

        @Override
        public String topicFilter() {
            return topicFilter;
        }

        @Override
        public void setTopicFilter(String filter) {
            write(() -> topicFilter = Objects.requireNonNull(filter, "topicFilter"));
        }

        @Override
        public int qos() {
            return qos;
        }

        @Override
        public void setQos(int q) {
            if (q < 0 || q > 2) {
                throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + q);
            }
            write(() -> qos = q);
        }

        @Override
        public void refuse(String reason) {
            write(() -> refusal = Objects.requireNonNull(reason, "reason"));
        }

        @Override
        void applyFallback(TimeoutFallback fallback) {
            if (fallback == TimeoutFallback.FAILURE) {
                refusal = "subscribe interceptor failed or timed out";
            } else {
                topicFilter = originalFilter;
                qos = originalQos;
                refusal = null;
            }
        }
    }

    static final class Connect extends PluginOutput implements ConnectOutput {
        volatile long sessionExpiry;
        volatile String refusal;

        Connect(long sessionExpiry) {
            this.sessionExpiry = sessionExpiry;
        }

        @Override
        public long sessionExpiry() {
            return sessionExpiry;
        }

        @Override
        public void setSessionExpiry(long seconds) {
            if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("session expiry must be 0 .. 4294967295 seconds: " + seconds);
            }
            write(() -> sessionExpiry = seconds);
        }

        @Override
        public void refuse(String reason) {
            write(() -> refusal = Objects.requireNonNull(reason, "reason"));
        }

        @Override
        void applyFallback(TimeoutFallback fallback) {
            if (fallback == TimeoutFallback.FAILURE) {
                refusal = "connect interceptor failed or timed out";
            }
        }
    }

    static final class Disconnect extends PluginOutput implements DisconnectOutput {
        volatile boolean suppressWill;

        /** @param suppressed whether an earlier plugin already suppressed the will */
        Disconnect(boolean suppressed) {
            this.suppressWill = suppressed;
        }

        @Override
        public void suppressWill() {
            write(() -> suppressWill = true);
        }

        @Override
        void applyFallback(TimeoutFallback fallback) {
            // the will stays as it was
        }
    }

    /** One step of an enhanced authentication exchange; a fallback means failure. */
    static final class EnhancedStep extends PluginOutput {
        /** Set by the plugin's stage; read only after {@link #done}, and only when no fallback decided. */
        volatile io.meridianmq.sdk.auth.AuthenticationStep step;

        @Override
        void applyFallback(TimeoutFallback fallback) {
            // fail closed whatever the fallback: result() answers failure
        }

        io.meridianmq.sdk.auth.AuthenticationStep result() {
            io.meridianmq.sdk.auth.AuthenticationStep s = step;
            return fellBack() || s == null ? io.meridianmq.sdk.auth.AuthenticationStep.failure(
                    "authenticator failed or timed out") : s;
        }
    }
}
