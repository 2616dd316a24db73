package io.meridianmq.e2e;

import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;

/**
 * The client side of an enhanced authentication method for the HiveMQ client, with nothing to do
 * on refusals and errors: the tests read those from the exceptions the client throws.
 */
abstract class QuietAuthMechanism implements Mqtt5EnhancedAuthMechanism {

    @Override
    public void onAuthRejected(Mqtt5ClientConfig c, Mqtt5ConnAck connAck) {
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig c, Mqtt5Disconnect disconnect) {
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig c, Throwable cause) {
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig c, Throwable cause) {
    }
}
