package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in real Chromium (Debian's), against a running broker and Paho clients: log
 * in, see the overview, find a connected client and kick it (the client sees DISCONNECT 0x98),
 * ban one (its CONNECT gets 0x8A) and unban it, browse retained messages and plugins. Each page's
 * screenshot goes to {@code target/console-screenshots/} for review.
 */
public class ConsoleTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static Chromium chromium;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeClass
    public static void startBrowser() throws Exception {
        chromium = new Chromium();
        browser = chromium.browser;
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    @AfterClass
    public static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    private static void screenshot(String name) throws Exception {
        Path dir = Path.of("target", "console-screenshots");
        Files.createDirectories(dir);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebElement visible(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private static void logIn(String user, String password) {
        browser.get(BROKER.managementUri() + "/console/");
        visible("login-user").clear();
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).clear();
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
    }

    @Test
    public void aWrongPasswordIsRefusedOnThePage() throws Exception {
        browser.get(BROKER.managementUri() + "/console/#logout");
        browser.manage().deleteAllCookies();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        logIn(BrokerProcess.ADMIN_USER, "not-the-password");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Login failed"));
        assertTrue(browser.findElement(By.id("login")).isDisplayed());
        screenshot("login-refused");
    }

    @Test
    public void anOperatorKicksBansAndBrowses() throws Exception {
        logIn(BrokerProcess.ADMIN_USER, BrokerProcess.passwordOf(BrokerProcess.ADMIN_USER));
        visible("overview");
        try (V5Client victim = new V5Client(BROKER.uri(), "console-victim")) {
            victim.connect();
            victim.subscribe(V5Client.sub("console/#", 1));
            victim.publish("console/state", "shown in the browser", 1, true);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tile-connections"), "1"));
            screenshot("overview");

            browser.findElement(By.id("nav-clients")).click();
            visible("client-search").sendKeys("console-victim");
            browser.findElement(By.id("client-search-submit")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("tr[data-client='console-victim']"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("client-subscriptions"), "console/#"));
            screenshot("client");
            visible("kick").click();
            assertEquals("the client sees the broker's DISCONNECT", 0x98, victim.awaitDisconnect().getReturnCode());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "disconnected"));
        }

        browser.findElement(By.id("nav-retained")).click();
        visible("retained-filter").clear();
        browser.findElement(By.id("retained-filter")).sendKeys("console/#");
        browser.findElement(By.id("retained-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("retained-table"), "shown in the browser"));
        screenshot("retained");

        browser.findElement(By.id("nav-plugins")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("plugins-table"), "AnonymousAuthenticator"));
        screenshot("plugins");

        browser.findElement(By.id("nav-bans")).click();
        visible("ban-value").sendKeys("console-banned");
        browser.findElement(By.id("ban-reason")).sendKeys("test ban");
        browser.findElement(By.id("ban-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-ban='clientid:console-banned']")));
        screenshot("bans");
        try (V5Client banned = new V5Client(BROKER.uri(), "console-banned")) {
            banned.connect();
            throw new AssertionError("connected while banned");
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            assertEquals(0x8A, e.getReasonCode());
        }
        browser.findElement(By.id("unban-clientid-console-banned")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-ban='clientid:console-banned']")));
        try (V5Client back = new V5Client(BROKER.uri(), "console-banned")) {
            back.connect();
        }
    }
}
