package ${package};

import static org.junit.Assert.assertEquals;

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

public class TagInterceptorTest {

    /** Stands in for the broker's output object in a plain unit test. */
    static final class Output implements PublishInboundOutput, ModifiablePublish {
        final List<UserProperty> userProperties = new ArrayList<>();

        public ModifiablePublish publish() { return this; }
        public void drop(String reason) { }
        public Async async(Duration timeout, TimeoutFallback fallback) { return () -> { }; } // these fakes answer at once
        public String topic() { return "a/b"; }
        public void setTopic(String topic) { }
        public byte[] payload() { return new byte[0]; }
        public void setPayload(byte[] payload) { }
        public int qos() { return 1; }
        public void setQos(int qos) { }
        public boolean retain() { return false; }
        public void setRetain(boolean retain) { }
        public Optional<Long> messageExpiry() { return Optional.empty(); }
        public void setMessageExpiry(Long seconds) { }
        public Optional<String> contentType() { return Optional.empty(); }
        public void setContentType(String contentType) { }
        public List<UserProperty> userProperties() { return userProperties; }
    }

    @Test
    public void tagsEveryMessage() {
        Output output = new Output();
        new TagInterceptor().onInboundPublish(() -> null, output);
        assertEquals(List.of(TagInterceptor.TAG), output.userProperties);
    }
}
