package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.lang.reflect.Proxy;
import java.util.Hashtable;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Version;

/** Issue 16, point 5: a stopped authorizer or authenticator bundle denies until it is removed. */
public class StoppedSecurityPluginsTest {

    private static Bundle bundle(int[] state, String provides) {
        Hashtable<String, String> headers = new Hashtable<>();
        headers.put("Provide-Capability", provides);
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> 42L;
                    case "getSymbolicName" -> "com.example.acl";
                    case "getVersion" -> new Version(1, 0, 0);
                    case "getState" -> state[0];
                    case "getHeaders" -> headers;
                    default -> null;
                });
    }

    @Test
    public void aStoppedAuthorizerBundleIsRememberedUntilItIsUninstalled() {
        StoppedSecurityPlugins stopped = new StoppedSecurityPlugins();
        int[] state = {Bundle.ACTIVE};
        Bundle acl = bundle(state, "osgi.service;objectClass:List<String>=\"io.meridianmq.sdk.auth.Authorizer\"");
        stopped.bundleChanged(new BundleEvent(BundleEvent.STARTED, acl));
        assertNull(stopped.authorizer());
        state[0] = Bundle.RESOLVED; // meridian:plugin-disable
        stopped.bundleChanged(new BundleEvent(BundleEvent.STOPPED, acl));
        assertEquals("com.example.acl 1.0.0 (bundle 42)", stopped.authorizer());
        assertNull("it provides no authenticator", stopped.authenticator());
        state[0] = Bundle.UNINSTALLED; // its file removed from deploy/
        stopped.bundleChanged(new BundleEvent(BundleEvent.UNINSTALLED, acl));
        assertNull(stopped.authorizer());
    }

    @Test
    public void anEnhancedAuthenticatorIsNoSimpleAuthenticator() {
        StoppedSecurityPlugins stopped = new StoppedSecurityPlugins();
        Bundle b = bundle(new int[] {Bundle.RESOLVED},
                "osgi.service;objectClass:List<String>=\"io.meridianmq.sdk.auth.EnhancedAuthenticator\"");
        stopped.bundleChanged(new BundleEvent(BundleEvent.STOPPED, b));
        assertNull(stopped.authenticator());
    }
}
