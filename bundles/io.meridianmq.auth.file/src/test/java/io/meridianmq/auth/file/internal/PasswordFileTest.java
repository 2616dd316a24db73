package io.meridianmq.auth.file.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

public class PasswordFileTest {

    /** Written by Debian's mosquitto_passwd 2.0 for alice / secret. */
    private static final String MOSQUITTO_LINE = "alice:$7$101$sBr89jpUoD0fjI2x$/877i0mH+fYn3Qz5g2Q+/aF2xzGJ92c0Z0OMQgJgCer"
            + "FIoUWf6bEMQAApFCtOs+7TG1VDHpWwBtORo1re51GxA==";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void readsMosquittoEntriesAndReportsBadLines() throws Exception {
        Path f = Files.createTempFile("passwd", "");
        Files.writeString(f, "# users\n" + MOSQUITTO_LINE + "\nbroken line\nbob:plaintext\n");
        PasswordFile p = PasswordFile.read(f);
        assertTrue(p.verify("alice", b("secret")));
        assertFalse(p.verify("alice", b("guess")));
        assertFalse(p.verify("nobody", b("secret")));
        assertEquals(2, p.problems().size());
        assertEquals(3, p.problems().get(0).line());
        assertEquals(4, p.problems().get(1).line());
        Files.delete(f);
    }

    @Test
    public void writesEntriesThatVerifyAndDeletes() throws Exception {
        Path f = Files.createTempFile("passwd", "");
        PasswordFile.update(f, "carol", "pa:ss".toCharArray());
        PasswordFile.update(f, "dave", "x".toCharArray());
        PasswordFile.update(f, "carol", "new".toCharArray());
        PasswordFile p = PasswordFile.read(f);
        assertTrue(p.verify("carol", b("new")));
        assertFalse(p.verify("carol", b("pa:ss")));
        assertTrue(Files.readString(f).contains("carol:$7$" + PasswordFile.ITERATIONS + "$"));
        PasswordFile.update(f, "dave", null);
        assertFalse(PasswordFile.read(f).contains("dave"));
        Files.delete(f);
    }
}
