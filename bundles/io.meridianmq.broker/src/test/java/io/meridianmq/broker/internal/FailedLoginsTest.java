package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;

import org.junit.Test;

/** Failed logins are damped per address and per user name, and one account cannot reset another's. */
public class FailedLoginsTest {

    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
    }

    @Test
    public void guessesAtOneUserFromManyAddressesAreDamped() throws Exception {
        FailedLogins logins = new FailedLogins();
        long delay = 0;
        for (int i = 0; i <= FailedLogins.FREE_FAILURES; i++) {
            delay = logins.failed(address(i), "alice", "c" + i);
        }
        assertEquals(FailedLogins.FIRST_DELAY_MILLIS, delay);
    }

    @Test
    public void guessesFromOneAddressAtManyUsersAreDamped() throws Exception {
        FailedLogins logins = new FailedLogins();
        long delay = 0;
        for (int i = 0; i <= FailedLogins.FREE_FAILURES; i++) {
            delay = logins.failed(address(1), "user" + i, "c");
        }
        assertEquals(FailedLogins.FIRST_DELAY_MILLIS, delay);
    }

    @Test
    public void anotherAccountsSuccessResetsNeitherTheAddressNorTheUser() throws Exception {
        FailedLogins logins = new FailedLogins();
        for (int i = 0; i < FailedLogins.FREE_FAILURES; i++) {
            logins.failed(address(1), "alice", "c");
        }
        logins.succeeded("mallory");
        assertTrue(logins.failed(address(2), "alice", "c") > 0);
        assertTrue(logins.failed(address(1), "bob", "c") > 0);
    }

    @Test
    public void theUsersOwnSuccessClearsItsCount() throws Exception {
        FailedLogins logins = new FailedLogins();
        for (int i = 0; i < FailedLogins.FREE_FAILURES; i++) {
            logins.failed(address(i), "alice", "c");
        }
        logins.succeeded("alice");
        assertEquals(0, logins.failed(address(9), "alice", "c"));
        assertEquals(FailedLogins.FREE_FAILURES + 1, logins.total());
    }
}
