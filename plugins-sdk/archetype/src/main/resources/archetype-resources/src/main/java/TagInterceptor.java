package ${package};

import io.meridianmq.sdk.interceptor.PublishInboundInput;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishInboundOutput;
import io.meridianmq.sdk.message.UserProperty;

import org.osgi.service.component.annotations.Component;

/**
 * Adds the user property {@code processed-by: ${artifactId}} to every message. Replace the body
 * with what your plugin does.
 */
@Component
public class TagInterceptor implements PublishInboundInterceptor {

    static final UserProperty TAG = new UserProperty("processed-by", "${artifactId}");

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        output.publish().userProperties().add(TAG);
    }
}
