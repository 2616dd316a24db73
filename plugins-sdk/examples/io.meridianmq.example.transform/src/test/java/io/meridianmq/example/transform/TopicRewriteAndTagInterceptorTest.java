package io.meridianmq.example.transform;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.interceptor.ModifiablePublish;
import io.meridianmq.sdk.interceptor.PublishInboundOutput;
import io.meridianmq.sdk.message.UserProperty;

import org.junit.Test;

public class TopicRewriteAndTagInterceptorTest {

    /** A minimal stand-in for the broker's output object (the SDK types are interfaces). */
    static final class Output implements PublishInboundOutput, ModifiablePublish {
        String topic;
        byte[] payload;

        Output(String topic, String payload) {
            this.topic = topic;
            this.payload = payload.getBytes(StandardCharsets.UTF_8);
        }

        public ModifiablePublish publish() { return this; }
        public void drop(String reason) { }
        public Async async(Duration timeout, TimeoutFallback fallback) { return () -> { }; } // these fakes answer at once
        public String topic() { return topic; }
        public void setTopic(String t) { topic = t; }
        public byte[] payload() { return payload.clone(); }
        public void setPayload(byte[] p) { payload = p; }
        public int qos() { return 0; }
        public void setQos(int q) { }
        public boolean retain() { return false; }
        public void setRetain(boolean r) { }
        public Optional<Long> messageExpiry() { return Optional.empty(); }
        public void setMessageExpiry(Long s) { }
        public Optional<String> contentType() { return Optional.empty(); }
        public void setContentType(String c) { }
        public List<UserProperty> userProperties() { return new ArrayList<>(); }
    }

    @Test
    public void rewritesThePrefixAndTagsJsonObjects() {
        TopicRewriteAndTagInterceptor interceptor = new TopicRewriteAndTagInterceptor();
        interceptor.activate();
        Output out = new Output("legacy/room/1", "{\"t\":21}");
        interceptor.onInboundPublish(() -> null, out);
        assertEquals("modern/room/1", out.topic);
        assertEquals("{\"t\":21,\"_meridian\":\"v1\"}", new String(out.payload, StandardCharsets.UTF_8));
    }

    @Test
    public void leavesOtherTopicsAndNonJsonPayloadsAlone() {
        TopicRewriteAndTagInterceptor interceptor = new TopicRewriteAndTagInterceptor();
        interceptor.configure("legacy/", "modern/", "v1");
        Output out = new Output("other/x", "plain text");
        interceptor.onInboundPublish(() -> null, out);
        assertEquals("other/x", out.topic);
        assertEquals("plain text", new String(out.payload, StandardCharsets.UTF_8));
    }
}
