package io.meridianmq.auth.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.Authenticator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients against a Mosquitto-format password file ({@code password_file} in
 * {@code etc/io.meridianmq.auth.file.cfg}). A client that presents a user name must be in the
 * file with the right password; a client without one is left to the next authenticator (the
 * {@code allow_anonymous} policy). The file is read again when it changes, so edits apply to the
 * next CONNECT; a bad line is logged with its number and the rest keeps working.
 */
@Component(configurationPid = "io.meridianmq.auth.file", configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=1000")
public class PasswordFileAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordFileAuthenticator.class);

    private volatile Path file;
    private volatile PasswordFile passwords;
    private volatile long loadedStamp = Long.MIN_VALUE;

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        Object f = config.get("password_file");
        if (f == null || f.toString().isBlank()) {
            throw new IllegalArgumentException(config.getOrDefault("felix.fileinstall.filename", "io.meridianmq.auth.file")
                    + ": password_file is not set");
        }
        Path p = Paths.get(f.toString().trim());
        file = p.isAbsolute() ? p : Paths.get(System.getProperty("karaf.base", ".")).resolve(p);
        loadedStamp = Long.MIN_VALUE;
        reloadIfChanged(true);
    }

    /**
     * Reads the file again if it changed (one file status call per CONNECT with a user name: cheap
     * next to hashing; an edit applies to the next CONNECT).
     */
    private void reloadIfChanged(boolean now) {
        long stamp;
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            stamp = a.lastModifiedTime().toMillis() * 31 + a.size();
        } catch (java.nio.file.NoSuchFileException e) {
            stamp = -1;
        } catch (IOException e) {
            stamp = -2;
        }
        if (stamp == loadedStamp) {
            return;
        }
        try {
            PasswordFile read = PasswordFile.read(file);
            for (PasswordFile.Problem p : read.problems()) {
                LOG.error("{}:{}: {}; this line is ignored", file, p.line(), p.what());
            }
            passwords = read;
            loadedStamp = stamp;
            LOG.info("{}: {} user(s) loaded", file, read.size());
        } catch (IOException e) {
            LOG.error("{}: cannot read the password file ({}); keeping the users loaded before", file, e.toString());
        }
    }

    @Override
    public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
        if (input.username().isEmpty()) {
            return; // anonymous: the next authenticator (allow_anonymous) decides
        }
        reloadIfChanged(false);
        String user = input.username().get();
        PasswordFile current = passwords;
        // verify() does the same hashing work for unknown users: timing tells nothing
        if (current != null && current.verify(user, input.password().orElse(new byte[0]))) {
            output.allow();
        } else if (current != null && current.contains(user)) {
            output.deny("wrong password for user '" + user + "'");
        }
        // a user the file does not know is for the next authenticator (a token, a plugin); when
        // none accepts the name, the chain's end refuses it like a wrong password
    }
}
