package io.meridianmq.e2e;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;

/**
 * {@code bin/meridian} shows the operator Meridian's own lines (its version, where it listens,
 * what the store recovered) and warnings, not Karaf's feature resolution, which goes to
 * {@code data/log/karaf.log} only; and it finds Java on the PATH without a warning.
 */
public class QuietStartTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess().withoutJavaHome();

    @Test
    public void theTerminalShowsMeridiansLinesAndTheLogFileTheRest() throws Exception {
        String terminal = broker.log();
        assertTrue(terminal, terminal.contains(broker.listeningLine()));
        assertTrue("the version: " + terminal,
                terminal.matches("(?s).*Meridian \\d+\\.\\d+\\.\\d+\\S* broker core started.*"));
        assertTrue(terminal, terminal.contains("persistent session(s) restored"));
        assertFalse(terminal, terminal.contains("JAVA_HOME not set"));
        assertFalse("Karaf's launcher stays off the terminal:\n" + terminal,
                terminal.contains("Installing and starting initial bundles"));
        assertFalse("feature resolution stays off the terminal:\n" + terminal,
                terminal.contains("Changes to perform"));

        Path file = broker.home().resolve("data/log/karaf.log");
        String logFile = Files.readString(file);
        assertTrue("the log file has the feature resolution", logFile.contains("Changes to perform"));
        assertTrue("and Meridian's lines", logFile.contains("Meridian listening for MQTT"));
    }
}
