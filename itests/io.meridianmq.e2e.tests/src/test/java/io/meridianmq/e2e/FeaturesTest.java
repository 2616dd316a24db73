package io.meridianmq.e2e;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * One Karaf feature per capability: the distribution boots meridian-core and
 * meridian-management only, and an operator adds a capability it carries from the console
 * (here meridian-auth-oidc) while clients stay connected.
 */
public class FeaturesTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    @Test
    public void theDefaultBootsTheCoreAndTheConsoleAndACapabilityInstallsLive() throws Exception {
        // the listener is up before Karaf records the boot features as installed (the end of its
        // deployment): a start that logs less reaches the shell first, so wait for the record
        long booted = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String features = BROKER.shell("feature:list -i");
        while (!(features.contains("meridian-core") && features.contains("meridian-management"))
                && System.nanoTime() < booted) {
            TimeUnit.MILLISECONDS.sleep(500); // a poll of the feature service, with a deadline
            features = BROKER.shell("feature:list -i");
        }
        assertTrue(features, features.contains("meridian-core") && features.contains("meridian-management"));
        assertFalse("OIDC is carried, not booted: " + features, features.contains("meridian-auth-oidc"));
        String bundles = BROKER.shell("bundle:list -s");
        assertFalse(bundles, bundles.contains("io.meridianmq.auth.oidc"));
        assertTrue(bundles, bundles.contains("io.meridianmq.authz.acl") && bundles.contains("io.meridianmq.auth.file"));

        try (V5Client client = new V5Client(BROKER.uri(), "stays")) {
            client.connect();
            String installed = BROKER.shell("feature:install meridian-auth-oidc");
            assertFalse(installed, installed.contains("Error"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!active(BROKER.shell("bundle:list -s"), "io.meridianmq.auth.oidc")) {
                assertTrue("io.meridianmq.auth.oidc did not become active", System.nanoTime() < deadline);
            }
            assertTrue("the connected client stays", client.paho.isConnected());
            try {
                client.publish("still/here", "yes", 1, false);
            } catch (MqttException e) {
                throw new AssertionError("the client could not publish after the feature came in", e);
            }
        }
    }

    /** Whether {@code bundleList} (bundle:list -s) shows {@code symbolicName} as Active. */
    private static boolean active(String bundleList, String symbolicName) {
        return bundleList.lines().anyMatch(l -> l.contains("Active") && l.trim().endsWith(symbolicName));
    }
}
