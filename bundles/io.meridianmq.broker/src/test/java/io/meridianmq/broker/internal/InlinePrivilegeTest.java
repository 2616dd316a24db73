package io.meridianmq.broker.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;

import org.junit.Test;
import org.osgi.framework.Bundle;

/**
 * Issue 16, point 5: running inline on the event loop is Meridian's grant, never a plugin's claim.
 * A third-party bundle that names itself {@code io.meridianmq.*} (the old rule) gets no privilege.
 */
public class InlinePrivilegeTest {

    private static final String ACL_CLASS = "io.meridianmq.authz.acl.internal.AclFileAuthorizer";

    private static Bundle bundle(long id, String symbolicName, String location) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> symbolicName;
                    case "getLocation" -> location;
                    default -> null;
                });
    }

    @Test
    public void meridiansOwnAclFromItsFeatureRunsInline() {
        Bundle acl = bundle(7, "io.meridianmq.authz.acl", "mvn:io.meridianmq/io.meridianmq.authz.acl/1.0.0");
        assertTrue(InlinePrivilege.granted(acl, ACL_CLASS, acl));
    }

    @Test
    public void meridiansOwnPasswordFileRunsInlineAndItsOtherClassesDoNot() {
        Bundle file = bundle(11, "io.meridianmq.auth.file", "mvn:io.meridianmq/io.meridianmq.auth.file/1.0.0");
        assertTrue(InlinePrivilege.granted(file, "io.meridianmq.auth.file.internal.PasswordFileAuthenticator", file));
        assertFalse(InlinePrivilege.granted(file, "io.meridianmq.auth.file.internal.PasswordTool", file));
        Bundle copy = bundle(12, "io.meridianmq.auth.file", "file:/opt/meridian/deploy/auth-file.jar");
        assertFalse(InlinePrivilege.granted(copy, "io.meridianmq.auth.file.internal.PasswordFileAuthenticator", copy));
    }

    @Test
    public void aDeployedBundleWithAMeridianNameDoesNot() {
        Bundle evil = bundle(8, "io.meridianmq.authz.acl", "file:/opt/meridian/deploy/evil.jar");
        assertFalse(InlinePrivilege.granted(evil, ACL_CLASS, evil));
        Bundle other = bundle(9, "io.meridianmq.evil", "mvn:io.meridianmq/io.meridianmq.evil/1.0.0");
        assertFalse(InlinePrivilege.granted(other, "com.example.Anything", other));
    }

    @Test
    public void aServiceWhoseClassComesFromAnotherBundleDoesNot() {
        Bundle acl = bundle(7, "io.meridianmq.authz.acl", "mvn:io.meridianmq/io.meridianmq.authz.acl/1.0.0");
        Bundle thief = bundle(10, "com.example.thief", "file:/opt/meridian/deploy/thief.jar");
        assertFalse(InlinePrivilege.granted(thief, ACL_CLASS, acl));
        assertFalse(InlinePrivilege.granted(acl, ACL_CLASS, thief));
        assertFalse(InlinePrivilege.granted(null, ACL_CLASS, null));
    }
}
