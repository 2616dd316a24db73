package io.meridianmq.authz.keycloak.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

public class PermissionRuleTest {

    @Test
    public void rulesAreReadAsWritten() {
        PermissionRule r = PermissionRule.parse("rule.1", "role sensor-writer write sensors/%u/#");
        assertEquals("role:sensor-writer", r.grant());
        assertTrue(r.write() && !r.read());
        assertEquals("sensors/alice/#", r.patternFor("alice", "c1"));
        assertEquals("group:/operators", PermissionRule.parse("rule.2", "group operators readwrite ops/#").grant());
        assertEquals("client-role:app:admin", PermissionRule.parse("rule.3", "client-role app:admin read #").grant());
    }

    @Test
    public void aUserNameCannotWidenAPattern() {
        PermissionRule r = PermissionRule.parse("rule.1", "role w write sensors/%u/#");
        assertNull(r.patternFor("#", "c"));
        assertNull(r.patternFor("a/b", "c"));
        assertNull(r.patternFor(null, "c"));
    }

    @Test
    public void badRulesSayWhatIsWrong() {
        for (String bad : new String[] {"role x write", "badge x write a/#", "role x delete a/#",
                "client-role nocolon read a", "role x read a/#/b"}) {
            try {
                PermissionRule.parse("rule.9", bad);
                fail(bad + " must be refused");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("rule.9"));
            }
        }
    }

    @Test
    public void syncChangesAreListedPerUser() {
        UserGrants before = new UserGrants(Map.of("bob", Set.of("role:a")), Instant.EPOCH);
        UserGrants after = new UserGrants(Map.of("bob", Set.of("role:b"), "eve", Set.of("group:/g")), Instant.now());
        assertEquals("+bob role:b, -bob role:a, +eve group:/g", KeycloakDirectory.changes(before, after));
    }
}
