package io.meridianmq.bench;

import org.junit.Test;

/**
 * The full benchmark, run on purpose only (its name keeps it out of the test suite):
 * {@code mvn -B -ntp -pl itests/io.meridianmq.bench verify -Dtest=MqttBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; see docs/PERFORMANCE.md for the options.
 */
public class MqttBenchmark {

    @Test
    public void run() throws Exception {
        BenchmarkMain.main(new String[0]);
    }
}
