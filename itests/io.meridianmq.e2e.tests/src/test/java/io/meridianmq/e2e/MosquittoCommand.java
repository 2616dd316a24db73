package io.meridianmq.e2e;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of Debian's {@code mosquitto_pub} or {@code mosquitto_sub} against a broker on
 * 127.0.0.1, waited for (at most 20 s) with what it printed: the attacker's tool in the security
 * tests, where a client we did not write shows what any user could do.
 */
record MosquittoCommand(int exitCode, String output) {

    /** Runs {@code tool args...} with {@code -h 127.0.0.1 -p port} added. */
    static MosquittoCommand run(int port, String tool, String... args) throws IOException, InterruptedException {
        installed(tool);
        List<String> command = new ArrayList<>(List.of(tool, "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(String.join(" ", command) + " did not finish", p.waitFor(20, TimeUnit.SECONDS));
            return new MosquittoCommand(p.exitValue(),
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static void installed(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (new File(dir, tool).canExecute()) {
                return;
            }
        }
        throw new AssertionError(tool + " is missing: install Debian's mosquitto-clients "
                + "(apt-get install mosquitto-clients)");
    }

    /**
     * The granted QoS or reason code {@code mosquitto_sub -d} printed for its first SUBSCRIBE
     * ("Subscribed (mid: 1): 135"), or -1 when it printed none.
     */
    int subscribeResult() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Subscribed \\(mid: \\d+\\): (\\d+)").matcher(output);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
