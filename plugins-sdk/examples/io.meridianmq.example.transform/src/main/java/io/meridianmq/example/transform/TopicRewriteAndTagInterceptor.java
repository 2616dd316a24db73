package io.meridianmq.example.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import io.meridianmq.sdk.interceptor.ModifiablePublish;
import io.meridianmq.sdk.interceptor.PublishInboundInput;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishInboundOutput;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * An inbound PUBLISH interceptor: replaces a topic prefix ({@code legacy/} becomes
 * {@code modern/}) and adds {@code "_meridian":"TAG"} to JSON object payloads. The settings live
 * in {@code transform.properties} inside this jar.
 */
@Component
public class TopicRewriteAndTagInterceptor implements PublishInboundInterceptor {

    private String from;
    private String to;
    private String tag;

    @Activate
    void activate() {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/transform.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read transform.properties", e);
        }
        configure(p.getProperty("rewrite.from", ""), p.getProperty("rewrite.to", ""), p.getProperty("enrich.tag", ""));
    }

    void configure(String rewriteFrom, String rewriteTo, String enrichTag) {
        this.from = rewriteFrom.trim();
        this.to = rewriteTo.trim();
        this.tag = enrichTag.trim();
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        ModifiablePublish publish = output.publish();
        if (!from.isEmpty() && publish.topic().startsWith(from)) {
            publish.setTopic(to + publish.topic().substring(from.length()));
        }
        if (!tag.isEmpty()) {
            String text = new String(publish.payload(), StandardCharsets.UTF_8).trim();
            if (text.startsWith("{") && text.endsWith("}")) {
                String body = text.substring(1, text.length() - 1).trim();
                String member = "\"_meridian\":\"" + tag + "\"";
                publish.setPayload(("{" + (body.isEmpty() ? member : body + "," + member) + "}")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
