package io.meridianmq.example.auth.apikey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.Authenticator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients whose user name is listed in an API key file ({@code user:key} per
 * line, {@code #} comments) and whose password is that key. Users not in the file are left to
 * the next authenticator. The file is read again when it changes; a bad line is reported with
 * its number and skipped. Configure {@code file} in {@code etc/io.meridianmq.example.apikey.cfg}.
 */
@Component(configurationPid = "io.meridianmq.example.apikey", configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=100")
@Designate(ocd = ApiKeyAuthenticator.Config.class)
public class ApiKeyAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthenticator.class);

    @ObjectClassDefinition(name = "API key authentication")
    @interface Config {
        @AttributeDefinition(description = "The API key file: one user:key per line")
        String file();
    }

    private volatile Path file;
    private volatile Map<String, byte[]> keys = Map.of();
    private volatile long loadedModified = -1;

    @Activate
    @Modified
    void configure(Config config) {
        file = Paths.get(config.file());
        loadedModified = -1;
        reloadIfChanged();
    }

    /** Reads the file again if its modification time changed. */
    void reloadIfChanged() {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (modified == loadedModified) {
                return;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Map<String, byte[]> next = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || colon == line.length() - 1) {
                    LOG.error("{}:{}: expected user:key, skipping this line", file, i + 1);
                    continue;
                }
                next.put(line.substring(0, colon), line.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
            }
            keys = Map.copyOf(next);
            loadedModified = modified;
            LOG.info("{}: {} API key(s) loaded", file, next.size());
        } catch (IOException e) {
            LOG.error("{}: cannot read the API key file ({}); keeping the {} key(s) loaded before", file, e,
                    keys.size());
        }
    }

    @Override
    public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
        reloadIfChanged();
        if (input.username().isEmpty()) {
            return; // next
        }
        byte[] expected = keys.get(input.username().get());
        if (expected == null) {
            return; // not ours: next
        }
        byte[] given = input.password().orElse(new byte[0]);
        if (MessageDigest.isEqual(expected, given)) {
            output.allow();
        } else {
            output.deny("wrong API key for user '" + input.username().get() + "'");
        }
    }
}
