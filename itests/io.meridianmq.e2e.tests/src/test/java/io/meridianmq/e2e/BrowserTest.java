package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * A real browser: a test page using MQTT.js, served locally, loaded in headless Chromium (Debian's
 * chromium and chromium-driver), connects over WebSocket, subscribes, and shows a message that a
 * Paho client published.
 */
public class BrowserTest {

    private static final int WS_PORT = freePort();

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-ws.cfg", "host = 127.0.0.1\nport = " + WS_PORT + "\nkind = ws\n");

    private static HttpServer pages;
    private static Chromium chromium;
    private static WebDriver browser;

    private static int freePort() {
        try {
            return BrokerProcess.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Meridian test page</title>
            <script src="/mqtt.min.js"></script></head>
            <body>
            <p>status: <span id="status">connecting</span></p>
            <p>received: <span id="received"></span></p>
            <script>
              const port = new URLSearchParams(location.search).get('port') || 'WS_PORT';
              const client = mqtt.connect('ws://127.0.0.1:' + port + '/mqtt', { protocolVersion: 5, reconnectPeriod: 0 });
              client.on('error', (e) => { document.getElementById('status').textContent = 'error ' + e.message; });
              client.on('close', () => {
                if (document.getElementById('status').textContent === 'connecting') {
                  document.getElementById('status').textContent = 'closed';
                }
              });
              client.on('connect', () => client.subscribe('browser/in', { qos: 1 }, (err) => {
                document.getElementById('status').textContent = err ? 'error ' + err.message : 'subscribed';
              }));
              client.on('message', (topic, payload) => {
                document.getElementById('received').textContent = payload.toString();
              });
            </script>
            </body></html>
            """;

    @BeforeClass
    public static void startPageServerAndBrowser() throws Exception {
        File mqttJs = new File(MqttJsTest.installedNodePackages(), "node_modules/mqtt/dist/mqtt.min.js");
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().equals("/mqtt.min.js") ? Files.readAllBytes(mqttJs.toPath())
                    : PAGE.replace("WS_PORT", String.valueOf(WS_PORT)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type",
                    exchange.getRequestURI().getPath().endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        pages.start();

        chromium = new Chromium();
        browser = chromium.browser;
    }

    @AfterClass
    public static void stopBrowserAndPageServer() {
        if (chromium != null) {
            chromium.close();
        }
        if (pages != null) {
            pages.stop(0);
        }
    }

    private static void await(Supplier<String> actual, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        String last = null;
        while (System.currentTimeMillis() < deadline) {
            last = actual.get();
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals("the page did not show it in time", expected, last);
    }

    /**
     * Issue 16, point 10: a WebSocket listener with {@code allowed_origins} refuses pages from
     * other web sites (403 at the upgrade), and serves those it lists.
     */
    @Test
    public void allowedOriginsKeepOtherSitesPagesOut() throws Exception {
        String pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        int guarded = freePort();
        int listed = freePort();
        java.nio.file.Files.writeString(BROKER.home().resolve("etc/io.meridianmq.listener-guarded.cfg"),
                "host = 127.0.0.1\nport = " + guarded + "\nkind = ws\nallowed_origins = https://dashboard.example.com\n");
        java.nio.file.Files.writeString(BROKER.home().resolve("etc/io.meridianmq.listener-listed.cfg"),
                "host = 127.0.0.1\nport = " + listed + "\nkind = ws\nallowed_origins = https://dashboard.example.com, "
                        + pageOrigin + "\n");
        BROKER.awaitLog("127.0.0.1:" + guarded + " (listener 'guarded', kind ws", Duration.ofSeconds(30));
        BROKER.awaitLog("127.0.0.1:" + listed + " (listener 'listed', kind ws", Duration.ofSeconds(30));

        browser.get(pageOrigin + "/?port=" + guarded);
        await(() -> {
            String status = browser.findElement(By.id("status")).getText();
            return status.startsWith("error") || status.equals("closed") ? "kept out" : status;
        }, "kept out");
        BROKER.awaitLogLine(l -> l.contains("refused on listener 'guarded'") && l.contains("Origin '" + pageOrigin + "'"),
                "the refusal naming the page's origin");

        browser.get(pageOrigin + "/?port=" + listed);
        await(() -> browser.findElement(By.id("status")).getText(), "subscribed");
    }

    @Test
    public void aPageInChromiumReceivesWhatPahoPublishes() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + WS_PORT + " (listener 'ws', kind ws", Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + pages.getAddress().getPort() + "/");
        await(() -> browser.findElement(By.id("status")).getText(), "subscribed");
        try (V5Client paho = new V5Client(BROKER.uri(), "paho-to-browser")) {
            paho.connect();
            paho.publish("browser/in", "hello, browser", 1, false);
        }
        await(() -> browser.findElement(By.id("received")).getText(), "hello, browser");
    }
}
