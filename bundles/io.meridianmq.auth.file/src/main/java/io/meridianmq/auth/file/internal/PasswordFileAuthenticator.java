package io.meridianmq.auth.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.Authenticator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients against a Mosquitto-format password file ({@code password_file} in
 * {@code etc/io.meridianmq.auth.file.cfg}). A client that presents a user name must be in the
 * file with the right password; a client without one is left to the next authenticator (the
 * {@code allow_anonymous} policy). The file is read again when it changes, so edits apply to the
 * next CONNECT; a bad line is logged with its number and the rest keeps working.
 *
 * <p>Threading: the broker calls it on the client's network thread (it is one of Meridian's own
 * plugins allowed to run there): a client without a user name is answered at once, and a
 * password check, which hashes for tens of microseconds and reads the file's status, goes to
 * this plugin's own threads and resumes the decision from there. So an anonymous CONNECT takes
 * no trip to another thread, and the hashing never runs on a network thread.
 */
@Component(configurationPid = "io.meridianmq.auth.file", configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=1000")
public class PasswordFileAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordFileAuthenticator.class);

    private volatile Path file;
    private volatile PasswordFile passwords;
    private volatile long loadedStamp = Long.MIN_VALUE;
    /** How long a password check may wait and hash before the CONNECT is refused. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    /** Password checks waiting for a hashing thread beyond which a CONNECT is refused at once. */
    private static final int MAX_WAITING_CHECKS = 100_000;
    /** Where the hashing runs: made at activation, stopped at deactivation. */
    private volatile ExecutorService hashing;

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
        if (hashing == null) { // threads start with the first check
            AtomicInteger n = new AtomicInteger();
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            hashing = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(MAX_WAITING_CHECKS), r -> {
                        Thread t = new Thread(r, "meridian-password-check-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
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

    @Deactivate
    void stop() {
        ExecutorService h = hashing;
        hashing = null;
        if (h != null) {
            h.shutdownNow(); // checks still waiting get the broker's timeout: refused
        }
    }

    @Override
    public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
        if (input.username().isEmpty()) {
            return; // anonymous: the next authenticator (allow_anonymous) decides
        }
        Async later = output.async(CHECK_TIMEOUT, TimeoutFallback.FAILURE);
        ExecutorService h = hashing;
        try {
            if (h == null) {
                throw new RejectedExecutionException("stopped");
            }
            h.execute(() -> {
                try {
                    check(input, output);
                } catch (RuntimeException e) {
                    // fail closed, as the broker does for a plugin that throws on its own thread
                    LOG.error("{}: checking the password of user '{}' failed ({}); refusing the client", file,
                            input.username().orElse(""), e.toString());
                    output.deny("password check failed");
                } finally {
                    later.resume();
                }
            });
        } catch (RejectedExecutionException e) {
            output.deny("password checks saturated: more than " + MAX_WAITING_CHECKS + " waiting");
            later.resume();
        }
    }

    /** The password check itself, on a hashing thread. */
    private void check(AuthenticationInput input, AuthenticationOutput output) {
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
