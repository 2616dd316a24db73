package io.meridianmq.osgi.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.service.BrokerServices;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Boots the Meridian bundles in a real Apache Felix with Declarative Services and Configuration
 * Admin: every bundle resolves and starts, every component activates, and a listener made from a
 * factory configuration accepts an MQTT connection.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesInFelixTest {

    private static final String[] MERIDIAN_BUNDLES = {"io.meridianmq.sdk", "io.meridianmq.storage.api",
        "io.meridianmq.storage.memory", "io.meridianmq.storage.mvstore", "io.meridianmq.broker", "io.meridianmq.protocol", "io.meridianmq.transport"};

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime scr;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    /** The SDK's view of the broker: the only broker API a plugin (like this probe) can see. */
    @Inject
    private BrokerServices services;

    @Configuration
    public Option[] config() {
        String meridian = System.getProperty("meridian.version");
        String netty = System.getProperty("netty.version");
        String slf4j = System.getProperty("slf4j.version");
        List<Option> options = new ArrayList<>(List.of(
                systemProperty("org.ops4j.pax.url.mvn.localRepository")
                        .value(System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
                systemProperty("org.ops4j.pax.url.mvn.repositories").value("+"),
                // the durable store (the default) writes under karaf.data
                systemProperty("karaf.data").value(new java.io.File("target/felix-data").getAbsolutePath()),
                junitBundles(),
                mavenBundle("org.slf4j", "slf4j-api", slf4j),
                mavenBundle("org.slf4j", "slf4j-simple", slf4j).noStart(),
                mavenBundle("org.osgi", "org.osgi.util.function", "1.2.0"),
                mavenBundle("org.osgi", "org.osgi.util.promise", "1.3.0"),
                mavenBundle("org.osgi", "org.osgi.service.component", "1.5.1"),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin", "1.9.26"),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", "2.2.18")));
        for (String n : new String[] {"netty-common", "netty-buffer", "netty-resolver", "netty-transport",
            "netty-transport-native-unix-common", "netty-transport-classes-epoll", "netty-codec-base",
            "netty-handler", "netty-codec-mqtt", "netty-codec-compression", "netty-codec-http", "netty-codec-haproxy"}) {
            options.add(mavenBundle("io.netty", n, netty));
        }
        options.add(mavenBundle("io.netty", "netty-transport-native-epoll", netty).classifier("linux-x86_64").noStart());
        for (String b : MERIDIAN_BUNDLES) {
            options.add(mavenBundle("io.meridianmq", b,
                    b.equals("io.meridianmq.sdk") ? System.getProperty("meridian.sdk.version") : meridian));
        }
        return options(options.toArray(new Option[0]));
    }

    @Test
    public void everyMeridianBundleIsActive() {
        for (String name : MERIDIAN_BUNDLES) {
            Bundle bundle = Arrays.stream(context.getBundles()).filter(b -> name.equals(b.getSymbolicName()))
                    .findFirst().orElseThrow(() -> new AssertionError(name + " is not installed"));
            assertEquals(name + " must be ACTIVE", Bundle.ACTIVE, bundle.getState());
        }
    }

    @Test
    public void everyComponentWithoutRequiredConfigurationIsActive() {
        List<String> notActive = new ArrayList<>();
        int checked = 0;
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getSymbolicName() == null || !bundle.getSymbolicName().startsWith("io.meridianmq.")) {
                continue;
            }
            Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(bundle);
            for (ComponentDescriptionDTO d : descriptions) {
                if ("require".equals(d.configurationPolicy)) {
                    continue; // listeners exist only when configured; tested below
                }
                checked++;
                Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
                boolean ok = !configs.isEmpty() && configs.stream().allMatch(c -> c.state == ComponentConfigurationDTO.ACTIVE
                        || (!d.immediate && c.state == ComponentConfigurationDTO.SATISFIED));
                if (!ok) {
                    notActive.add(d.name + " " + configs.stream().map(c -> c.state + " unsatisfied: "
                            + Arrays.toString(c.unsatisfiedReferences)).toList());
                }
            }
        }
        assertTrue("components found", checked >= 5);
        assertTrue("components not active: " + notActive, notActive.isEmpty());
        assertNotNull(services);
        // internal services exist, though plugins cannot import their (mandatory-attribute) packages
        assertNotNull(context.getServiceReference("io.meridianmq.broker.Broker"));
        assertNotNull(context.getServiceReference("io.meridianmq.protocol.MqttPipeline"));
        assertNotNull(context.getServiceReference("io.meridianmq.storage.RetainedMessageStore"));
        // H2 MVStore, embedded privately, works inside Felix and is the default
        assertEquals("mvstore", context.getServiceReference("io.meridianmq.storage.SessionStore")
                .getProperty("meridian.store"));
    }

    @Test
    public void theDefaultAuthenticatorIsAnSdkService() throws Exception {
        assertEquals(1, context.getServiceReferences(Authenticator.class, null).size());
    }

    @Test
    public void aListenerConfigurationOpensAPortThatSpeaksMqtt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        org.osgi.service.cm.Configuration config = configurationAdmin.getFactoryConfiguration("io.meridianmq.listener", "itest", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", String.valueOf(port));
        props.put("name", "itest");
        config.update(props);
        try {
            byte[] connack = null;
            long deadline = System.currentTimeMillis() + 20_000;
            while (connack == null && System.currentTimeMillis() < deadline) {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(5000);
                    OutputStream out = socket.getOutputStream();
                    // CONNECT, MQTT 3.1.1, clean session, keep alive 10, client id "osgi"
                    out.write(new byte[] {0x10, 16, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 10, 0, 4, 'o', 's', 'g', 'i'});
                    out.flush();
                    InputStream in = socket.getInputStream();
                    connack = in.readNBytes(4);
                    // the SDK's broker services see the client while it is connected
                    long until = System.currentTimeMillis() + 10_000;
                    while (services.connectedClients().stream().noneMatch(c -> c.clientId().equals("osgi"))) {
                        assertTrue("BrokerServices does not list the connected client",
                                System.currentTimeMillis() < until);
                        Thread.sleep(20);
                    }
                } catch (java.net.ConnectException notYet) {
                    Thread.sleep(50); // the listener component is activating
                }
            }
            assertNotNull("the listener never accepted a connection", connack);
            assertEquals("CONNACK accepted", Arrays.toString(new byte[] {0x20, 2, 0, 0}), Arrays.toString(connack));
        } finally {
            config.delete();
        }
    }
}
