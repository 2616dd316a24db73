package io.meridianmq.broker;

/**
 * What one plugin's calls have cost so far (kept by plugin name while the broker runs, so a
 * plugin bundle updated in place continues its figures).
 *
 * @param name the bundle, its version and the class, as in {@link PluginState#name()}
 * @param latency the time from a call's start on its thread to its final answer
 * @param failures calls that threw
 * @param timeouts calls that did not return, or resume, in time
 * @since 0.3
 */
public record PluginCalls(String name, HistogramSnapshot latency, long failures, long timeouts) {
}
