package io.meridianmq.broker;

/**
 * One plugin service as operators see it.
 *
 * @param kind the extension point ("authenticator", "authorizer", "inbound interceptor", ...)
 * @param name the bundle, its version and the class
 * @param bundleId the id of the bundle that registered it (-1 if unknown)
 * @param enabled false once the broker disabled it after repeated failures
 */
public record PluginState(String kind, String name, long bundleId, boolean enabled) {
}
