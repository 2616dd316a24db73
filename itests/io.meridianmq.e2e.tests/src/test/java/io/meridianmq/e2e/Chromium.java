package io.meridianmq.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its chromedriver (never a downloaded one), with a
 * fresh profile that is deleted when the browser is closed.
 */
final class Chromium implements AutoCloseable {

    private final ChromeDriverService chromedriver;
    private final Path profile;
    final WebDriver browser;

    Chromium() throws IOException {
        profile = Files.createTempDirectory("meridian-chromium-");
        chromedriver = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        browser = new ChromeDriver(chromedriver, options);
    }

    @Override
    public void close() {
        try {
            browser.quit();
        } finally {
            chromedriver.stop();
            BrokerProcess.deleteTree(profile);
        }
    }
}
