package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * A plugin is installed, updated and removed while 50 Paho clients keep QoS 1 traffic flowing:
 * no client is disconnected, no acknowledged message is lost or duplicated, and every client's
 * messages show the plugin's effect (tag v1, then v2) and then its absence.
 */
public class PluginHotDeployTest {

    private static final int CLIENTS = 50;

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    /** One client publishing to its own topic and subscribed to it. */
    static final class Load implements MqttCallback {
        final int index;
        final MqttClient client;
        final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        final ConcurrentHashMap<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
        final AtomicReferenceArray<String> lastTag = new AtomicReferenceArray<>(1);
        final AtomicInteger lost = new AtomicInteger();

        Load(int index) throws MqttException {
            this.index = index;
            client = new MqttClient(BROKER.uri(), "hotdeploy-" + index, new MemoryPersistence());
            client.setCallback(this);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(100);
            o.setAutomaticReconnect(false);
            client.connect(o);
            client.subscribe("load/" + index, 1);
        }

        void publish(int seq) throws MqttException {
            MqttMessage m = new MqttMessage(("{\"c\":" + index + ",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            client.publish("load/" + index, m); // returns after PUBACK
            acknowledged.add(seq);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.incrementAndGet();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String text = new String(message.getPayload(), StandardCharsets.UTF_8);
            int seqAt = text.indexOf("\"seq\":") + 6;
            int end = seqAt;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                end++;
            }
            received.computeIfAbsent(Integer.parseInt(text.substring(seqAt, end)), k -> new AtomicInteger())
                    .incrementAndGet();
            int tagAt = text.indexOf("\"_meridian\":\"");
            lastTag.set(0, tagAt < 0 ? "none" : text.substring(tagAt + 13, text.indexOf('"', tagAt + 13)));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    private static void awaitAll(List<Load> loads, Predicate<Load> condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (loads.stream().allMatch(condition)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not every client saw " + what + " within 60 s:\n" + BROKER.tail());
    }

    /** The example jar with its transform.properties changed to tag {@code tag}. */
    private static byte[] withTag(Path jar, String tag) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar)); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                byte[] content = readAll(in);
                if (e.getName().equals("transform.properties")) {
                    content = new String(content, StandardCharsets.UTF_8).replace("enrich.tag = v1", "enrich.tag = " + tag)
                            .getBytes(StandardCharsets.UTF_8);
                }
                zip.write(content);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] readAll(InputStream in) throws Exception {
        return in.readAllBytes();
    }

    private static void deploy(Path target, byte[] jar) throws Exception {
        Path temp = BROKER.home().resolve("plugin.tmp");
        Files.write(temp, jar);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    public void operatorsListDisableAndEnablePluginsFromTheConsole() throws Exception {
        Path jar = Paths.get(System.getProperty("meridian.example.transform.jar"));
        Path deployed = BROKER.home().resolve("deploy").resolve("console-" + jar.getFileName());
        try (V5Client watcher = new V5Client(BROKER.uri(), "console-watcher"); V5Client pub = new V5Client(BROKER.uri(), "console-pub")) {
            watcher.connect();
            pub.connect();
            watcher.subscribe(V5Client.sub("modern/#", 1));
            deploy(deployed, Files.readAllBytes(jar));
            String listing = awaitShell("meridian:plugins", out -> out.contains("io.meridianmq.example.transform"));
            String line = listing.lines().filter(l -> l.contains("io.meridianmq.example.transform")).findFirst().get();
            assertTrue(line, line.startsWith("inbound interceptor") && line.contains("active"));
            String bundleId = line.trim().split("\\s+")[2];

            pub.publish("legacy/a", "{}", 1, false);
            assertEquals("modern/a", watcher.next().topic()); // the plugin rewrites legacy/ to modern/

            String disabled = BROKER.shell("meridian:plugin-disable " + bundleId);
            assertTrue(disabled, disabled.contains("disabled"));
            awaitShell("meridian:plugins", out -> out.lines().anyMatch(l -> l.contains("io.meridianmq.example.transform")
                    && l.contains("disabled")));
            assertTrue("the file stays", Files.exists(deployed));
            watcher.subscribe(V5Client.sub("legacy/#", 1));
            pub.publish("legacy/b", "{}", 1, false);
            assertEquals("no rewriting while disabled", "legacy/b", watcher.next().topic());

            String metrics = BROKER.shell("meridian:metrics");
            assertTrue(metrics, metrics.lines().anyMatch(l -> l.startsWith("broker.clients.connected")));

            BROKER.shell("meridian:plugin-enable " + bundleId);
            awaitShell("meridian:plugins", out -> out.lines().anyMatch(l -> l.contains("io.meridianmq.example.transform")
                    && l.contains("active")));
        } finally {
            Files.deleteIfExists(deployed);
        }
    }

    private static String awaitShell(String command, Predicate<String> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String out = "";
        while (System.currentTimeMillis() < deadline) {
            out = BROKER.shell(command);
            if (condition.test(out)) {
                return out;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(command + " never printed what was expected; last output:\n" + out);
    }

    @Test
    public void aPluginCannotImportTheBrokersInternalPackages() throws Exception {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes a = manifest.getMainAttributes();
        a.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "sneaky.plugin");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Import-Package", "io.meridianmq.broker");
        Path jar = BROKER.home().resolve("sneaky.tmp");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new ZipEntry("readme.txt"));
            out.write("imports an internal package".getBytes(StandardCharsets.UTF_8));
        }
        Files.move(jar, BROKER.home().resolve("deploy/sneaky-plugin.jar"), StandardCopyOption.ATOMIC_MOVE);
        // FileInstall reports that it cannot resolve the bundle: the package is not visible to it
        BROKER.awaitLog("sneaky.plugin", java.time.Duration.ofSeconds(30));
        long deadline = System.currentTimeMillis() + 30_000;
        while (!(BROKER.log().contains("missing requirement") && BROKER.log().contains("io.meridianmq.broker"))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("expected a resolution failure for sneaky.plugin:\n" + BROKER.tail());
            }
            Thread.sleep(100);
        }
        Files.delete(BROKER.home().resolve("deploy/sneaky-plugin.jar"));
    }

    @Test
    public void installUpdateAndRemoveUnderLoad() throws Exception {
        Path jar = Paths.get(System.getProperty("meridian.example.transform.jar"));
        assertTrue("build the example plugin first: " + jar, Files.isRegularFile(jar));
        Path deployed = BROKER.home().resolve("deploy").resolve(jar.getFileName());

        List<Load> loads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            loads.add(new Load(i));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> publishers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Load load : loads) {
            Thread t = new Thread(() -> {
                int seq = 0;
                try {
                    while (running.get()) {
                        load.publish(++seq);
                        Thread.sleep(5); // about 200 msg/s per client, 10k/s in all at most
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "publisher-" + load.index);
            t.start();
            publishers.add(t);
        }
        try {
            awaitAll(loads, l -> "none".equals(l.lastTag.get(0)), "untouched messages");

            deploy(deployed, Files.readAllBytes(jar));
            awaitAll(loads, l -> "v1".equals(l.lastTag.get(0)), "the plugin's tag v1 (installed)");

            deploy(deployed, withTag(jar, "v2"));
            awaitAll(loads, l -> "v2".equals(l.lastTag.get(0)), "the tag v2 (updated jar)");

            Files.delete(deployed);
            awaitAll(loads, l -> "none".equals(l.lastTag.get(0)), "untagged messages again (plugin removed)");
        } finally {
            running.set(false);
            for (Thread t : publishers) {
                t.join(30_000);
            }
        }
        assertTrue("publishers failed: " + failures, failures.isEmpty());
        awaitAll(loads, l -> l.received.keySet().containsAll(l.acknowledged), "every acknowledged message");
        int total = 0;
        for (Load l : loads) {
            assertEquals("client " + l.index + " was disconnected", 0, l.lost.get());
            for (var e : l.received.entrySet()) {
                assertEquals("client " + l.index + " seq " + e.getKey() + " duplicated", 1, e.getValue().get());
            }
            total += l.acknowledged.size();
            l.client.disconnect();
            l.client.close();
        }
        assertTrue("traffic flowed: " + total, total > CLIENTS * 10);
    }
}
