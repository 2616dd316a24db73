package io.meridianmq.authz.acl.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class AclRulesTest {

    private static final AclRules ACL = AclRules.parse(List.of(
            "# anonymous clients",
            "topic read public/#",
            "user alice",
            "topic readwrite home/alice/#",
            "topic deny home/alice/secret",
            "topic write sensors/+/temp",
            "group operators bob carol",
            "topic read home/#",
            "pattern readwrite devices/%c/#",
            "pattern read users/%u/inbox",
            "bogus line here",
            "topic sometimes x"));

    @Test
    public void mosquittoSemantics() {
        assertTrue(ACL.allowed(null, "anon", "public/news", false));
        assertFalse(ACL.allowed(null, "anon", "public/news", true));
        assertTrue(ACL.allowed("alice", "a1", "home/alice/kitchen", true));
        assertFalse("deny wins", ACL.allowed("alice", "a1", "home/alice/secret", false));
        assertTrue(ACL.allowed("alice", "a1", "sensors/x/temp", true));
        assertFalse("write only", ACL.allowed("alice", "a1", "sensors/x/temp", false));
        assertFalse("not granted = denied", ACL.allowed("alice", "a1", "elsewhere", true));
        assertTrue("group member", ACL.allowed("bob", "b1", "home/alice/kitchen", false));
        assertTrue("%c", ACL.allowed("bob", "b1", "devices/b1/state", true));
        assertFalse("%c is the own id", ACL.allowed("bob", "b1", "devices/b2/state", true));
        assertTrue("%u", ACL.allowed("carol", "c", "users/carol/inbox", false));
        assertFalse("%u needs a user", ACL.allowed(null, "c", "users//inbox", false));
    }

    @Test
    public void subscriptionFiltersMustBeCovered() {
        assertTrue(ACL.allowed("alice", "a1", "home/alice/+", false));
        assertFalse("a wider filter than the grant", ACL.allowed("alice", "a1", "home/#", false));
        assertTrue(ACL.allowed("bob", "b1", "home/#", false));
        assertTrue(AclRules.covers("a/+/c", "a/b/c"));
        assertFalse(AclRules.covers("a/b/c", "a/+/c"));
        assertTrue(AclRules.covers("#", "a/#"));
        assertFalse(AclRules.covers("#", "$SYS/x"));
    }

    /** Issue 16.1: client id '#' must not turn devices/%c/# into a rule for every device. */
    @Test
    public void substitutionIsLiteralAWildcardOrSlashInAnIdentityMatchesNothing() {
        for (String hostile : new String[] {"#", "+", "a/b", "", "x#", "+/+"}) {
            assertFalse("client id '" + hostile + "' read", ACL.allowed("bob", hostile, "devices/victim/state", false));
            assertFalse("client id '" + hostile + "' write", ACL.allowed("bob", hostile, "devices/victim/state", true));
            assertFalse("client id '" + hostile + "' subscribe #",
                    ACL.allowed("bob", hostile, "devices/#", false));
            assertFalse("user '" + hostile + "'", ACL.allowed(hostile, "c1", "users/victim/inbox", false));
        }
        assertTrue(ACL.unusablePattern("bob", "#") != null);
        assertEquals(null, ACL.unusablePattern("bob", "b1"));
        assertEquals("anonymous: %u lines simply do not apply", null, ACL.unusablePattern(null, "b1"));
    }

    @Test
    public void aHashBeforeTheLastLevelIsNoWildcard() {
        assertFalse(AclRules.covers("a/#/c", "a/b/c"));
        assertFalse(AclRules.covers("a/#/c", "a/#"));
        assertFalse(AclRules.covers("a#", "a#"));
        assertFalse(AclRules.covers("a/+x", "a/+x"));
        assertTrue(AclRules.covers("a/#", "a"));
    }

    @Test
    public void badLinesAreReportedWithNumbers() {
        assertEquals(1, ACL.problems().size());
        assertEquals(11, ACL.problems().get(0).line());
    }
}
