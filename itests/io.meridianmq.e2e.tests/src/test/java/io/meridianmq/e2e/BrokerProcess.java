package io.meridianmq.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.rules.ExternalResource;

/**
 * The real Meridian distribution, unpacked into a temporary folder and started as its own process
 * with {@code bin/meridian} on a free port. Use it as a JUnit {@code @ClassRule}; it stops the
 * process and deletes the folder afterwards.
 */
public final class BrokerProcess extends ExternalResource {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final java.util.Map<String, String> etcFiles = new java.util.LinkedHashMap<>();
    private final java.util.Map<String, Integer> startLevels = new java.util.LinkedHashMap<>();
    private final List<String> features = new ArrayList<>();
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "test-" + Long.toHexString(System.nanoTime());
    /** A console user with the viewer role only (and ssh, to log in). */
    static final String VIEWER = "viewer";
    private static final String VIEWER_PASSWORD = "view-" + Long.toHexString(System.nanoTime());
    private int sshPort;
    private Path home;
    private Process process;
    private Path log;
    private boolean withoutJavaHome;
    /** Chosen in start(), before the process launches; read by tests on other threads. */
    private volatile int port;
    /** The management HTTP listener's port, chosen like {@link #port}. */
    private volatile int managementPort;

    /** Writes {@code content} to {@code etc/fileName} before the broker starts (replacing the default). */
    /** Starts the broker as a user without JAVA_HOME would: with the java on the PATH. */
    public BrokerProcess withoutJavaHome() {
        withoutJavaHome = true;
        return this;
    }

    /**
     * Gives one Meridian bundle another start level in the distribution's feature (before the
     * first start), e.g. to have Karaf start a security plugin after the transport.
     */
    public BrokerProcess withStartLevel(String artifactId, int startLevel) {
        startLevels.put(artifactId, startLevel);
        return this;
    }

    /**
     * Boots a Meridian feature the distribution only carries (e.g. {@code meridian-auth-oidc}), as
     * an operator would: by adding it to {@code featuresBoot} in
     * {@code etc/org.apache.karaf.features.cfg} before the first start.
     */
    public BrokerProcess withFeature(String feature) {
        features.add(feature);
        return this;
    }

    /** The broker JVM's largest heap ({@code -Xmx}, as {@code 512M}, the default). */
    public BrokerProcess withMaxHeap(String size) {
        this.maxHeap = size;
        return this;
    }

    private String maxHeap = "512M";

    public BrokerProcess withEtcFile(String fileName, String content) {
        etcFiles.put(fileName, content);
        return this;
    }

    /** The console (and REST API) administrator's user name. */
    static final String ADMIN_USER = ADMIN;

    /** The password of {@link #ADMIN_USER} or {@link #VIEWER}, made for this run. */
    static String passwordOf(String user) {
        return user.equals(ADMIN) ? ADMIN_PASSWORD : user.equals(VIEWER) ? VIEWER_PASSWORD : null;
    }

    /** The port the broker's default listener is on. */
    public int port() {
        return port;
    }

    /** The port of the management HTTP listener (metrics, health). */
    public int managementPort() {
        return managementPort;
    }

    /** {@code http://127.0.0.1:PORT} of the management listener. */
    public String managementUri() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** {@code tcp://127.0.0.1:PORT}, for Paho. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The unpacked distribution (its {@code etc/}, {@code deploy/}, ...). */
    public Path home() {
        return home;
    }

    @Override
    protected void before() throws Throwable {
        start();
    }

    @Override
    protected void after() {
        stop();
    }

    public void start() throws IOException, InterruptedException {
        String archive = System.getProperty("meridian.distribution");
        if (archive == null || !Files.isRegularFile(Paths.get(archive))) {
            throw new IllegalStateException("The distribution archive is missing (" + archive
                    + "): build it first with 'mvn install' from the top folder");
        }
        home = Files.createTempDirectory("meridian-e2e-");
        run(new ProcessBuilder("tar", "xzf", archive, "--strip-components=1", "-C", home.toString()));
        port = freePort();
        Path listener = home.resolve("etc/io.meridianmq.listener-default.cfg");
        Files.writeString(listener, "name = default\nhost = 127.0.0.1\nport = " + port + "\nkind = mqtt\n");
        // the console listens on a free port too, so that brokers of several tests never collide
        sshPort = freePort();
        Path shellCfg = home.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shellCfg, Files.readString(shellCfg).replace("sshPort = 8101", "sshPort = " + sshPort));
        managementPort = freePort();
        Path management = home.resolve("etc/io.meridianmq.management.cfg");
        Files.writeString(management, Files.readString(management).replace("port = 8181", "port = " + managementPort));
        Files.writeString(home.resolve("etc/users.properties"), ADMIN + " = " + ADMIN_PASSWORD
                + ",_g_:admingroup\n_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n"
                + VIEWER + " = " + VIEWER_PASSWORD + ",_g_:viewergroup\n_g_\\:viewergroup = group,viewer,ssh\n");
        for (java.util.Map.Entry<String, String> e : etcFiles.entrySet()) {
            Files.writeString(home.resolve("etc").resolve(e.getKey()), e.getValue());
        }
        if (!features.isEmpty()) {
            Path cfg = home.resolve("etc/org.apache.karaf.features.cfg");
            String text = Files.readString(cfg);
            String boot = "featuresBoot = \\\n";
            if (!text.contains(boot)) {
                throw new IllegalStateException("no featuresBoot list in " + cfg);
            }
            StringBuilder added = new StringBuilder(boot);
            features.forEach(f -> added.append("    ").append(f).append(", \\\n"));
            Files.writeString(cfg, text.replace(boot, added.toString()));
        }
        if (!startLevels.isEmpty()) {
            Path features;
            try (Stream<Path> found = Files.walk(home.resolve("system/io/meridianmq/meridian-features"))) {
                features = found.filter(f -> f.toString().endsWith("-features.xml")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no Meridian features file in " + home));
            }
            String xml = Files.readString(features);
            for (java.util.Map.Entry<String, Integer> e : startLevels.entrySet()) {
                String changed = xml.replaceAll("<bundle start-level=\"\\d+\">(mvn:io\\.meridianmq/"
                        + java.util.regex.Pattern.quote(e.getKey()) + "/)",
                        "<bundle start-level=\"" + e.getValue() + "\">$1");
                if (changed.equals(xml)) {
                    throw new IllegalStateException(e.getKey() + " is not a bundle of " + features);
                }
                xml = changed;
            }
            Files.writeString(features, xml);
        }
        launch();
    }

    /** Starts the unpacked broker (again) with its {@code etc/} and {@code data/} as they are. */
    private void launch() throws IOException, InterruptedException {
        launch(listeningLine());
    }

    private void launch(String awaited) throws IOException, InterruptedException {
        log = home.resolve("meridian.out");
        if (Files.exists(log)) {
            // each run gets a fresh log, so that awaiting a line never finds the previous run's
            Files.move(log, home.resolve("meridian.out." + System.nanoTime()));
        }
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/meridian").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_MAX_MEM", maxHeap);
        if (withoutJavaHome) {
            pb.environment().remove("JAVA_HOME");
            pb.environment().remove("JAVA");
        }
        process = pb.start();
        awaitLog(awaited, START_TIMEOUT);
    }

    /** Kills the broker at once (SIGKILL, like a power cut for its process); its folder stays. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the broker process survived SIGKILL");
        }
        process = null;
    }

    /** Starts the broker again in the same folder, on the same port, after {@link #kill} or a crash. */
    public void restart() throws IOException, InterruptedException {
        if (process != null) {
            throw new IllegalStateException("the broker is still running");
        }
        launch();
    }

    /**
     * Starts the broker again in the same folder and waits for {@code text} in its log instead of
     * its listener (for starts that are expected not to get that far).
     */
    public void restartAwaiting(String text) throws IOException, InterruptedException {
        if (process != null) {
            throw new IllegalStateException("the broker is still running");
        }
        launch(text);
    }

    /**
     * Adds {@code user} to the password file {@code etc/passwd} with {@code bin/meridian-passwd}
     * (as an operator would); the broker reads the file again by itself.
     */
    public void addUser(String user, String password) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(home.resolve("bin/meridian-passwd").toString(), "-b",
                home.resolve("etc/passwd").toString(), user, password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("meridian-passwd failed for " + user + ": " + out);
        }
    }

    /** The line the broker logs once its default listener is up. */
    public String listeningLine() {
        return "Meridian listening for MQTT on 127.0.0.1:" + port;
    }

    /** Stops the broker (SIGTERM, then SIGKILL if it lingers) and deletes its folder. */
    public void stop() {
        halt();
        if (home != null) {
            // -Dmeridian.e2e.keep=true leaves the folder (meridian-e2e-* in java.io.tmpdir) for a look
            // at a failed run's store and logs
            if (!Boolean.getBoolean("meridian.e2e.keep")) {
                deleteTree(home);
            }
            home = null;
        }
    }

    /** Stops the broker as an operator would (SIGTERM, then SIGKILL if it lingers); its folder stays for {@link #restart}. */
    public void halt() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            process = null;
        }
    }

    /** Everything the broker printed so far (its log at INFO level). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the broker's log holds {@code text}; fails with the log's tail if it does not. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        awaitLogWhere(log -> log.contains(text), "'" + text + "'", timeout);
    }

    public void awaitLog(String text) throws InterruptedException {
        awaitLog(text, Duration.ofSeconds(20));
    }

    /**
     * Waits up to 10 s for one log line that {@code line} accepts (when what is awaited must be on
     * one line, such as a client's name together with the reason); fails with {@code what} and
     * the log's tail.
     */
    public void awaitLogLine(java.util.function.Predicate<String> line, String what) throws InterruptedException {
        awaitLogWhere(log -> log.lines().anyMatch(line), "a line that " + what, Duration.ofSeconds(10));
    }

    /**
     * Replaces {@code etc/fileName} with {@code content} (atomically, as an editor's save) and
     * waits for the broker's answer, a log line {@code line} accepts. Felix File Install now and
     * then misses an edit that follows another within about a second (seen on a loaded machine):
     * then the file is written again, at most three times in all.
     */
    public void editEtcFile(String fileName, String content, java.util.function.Predicate<String> line, String what)
            throws IOException, InterruptedException {
        Path target = home.resolve("etc").resolve(fileName);
        long linesBefore = log().lines().count();
        for (int attempt = 1;; attempt++) {
            Path temp = Files.createTempFile(home, "edit", ".tmp");
            Files.writeString(temp, content);
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try {
                // only lines after the edit count: an earlier edit's answer must not pass for this one's
                awaitLogWhere(log -> log.lines().skip(linesBefore).anyMatch(line), "a line that " + what,
                        Duration.ofSeconds(10));
                return;
            } catch (AssertionError notSeen) {
                if (attempt == 3 || (process != null && !process.isAlive())) {
                    throw notSeen;
                }
            }
        }
    }

    /** Polls the log until {@code found} accepts it; fails at once if the broker exits, else at the timeout. */
    private void awaitLogWhere(java.util.function.Predicate<String> found, String what, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (found.test(log())) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new AssertionError("The broker exited (code " + process.exitValue() + ") before logging "
                        + what + ". Its output:\n" + tail());
            }
            Thread.sleep(50); // polling the log file: the broker offers no event to wait on
        }
        throw new AssertionError("The broker did not log " + what + " within " + timeout + ". Its output:\n" + tail());
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        String all = log();
        return all.length() > 6000 ? all.substring(all.length() - 6000) : all;
    }

    /** Runs a console command with bin/client (over ssh on loopback) and returns what it printed. */
    public String shell(String command) throws IOException, InterruptedException {
        return shellAs(ADMIN, command);
    }

    /** Like {@link #shell}, as {@code user}: {@code admin}, or {@link #VIEWER} (viewer role only). */
    public String shellAs(String user, String command) throws IOException, InterruptedException {
        String password = user.equals(VIEWER) ? VIEWER_PASSWORD : ADMIN_PASSWORD;
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/client").toString(), "-a", String.valueOf(sshPort),
                "-h", "127.0.0.1", "-u", user, "-p", password, "-r", "10", "-d", "1", "-b")
                .redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("bin/client did not finish: " + out);
        }
        return out;
    }

    /** The broker's JVM process. */
    private ProcessHandle jvm() {
        // bin/meridian ends by exec'ing java, or runs it as a child (Karaf's scripts do either)
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no java process from bin/meridian"));
    }

    /**
     * The broker JVM's live heap in bytes after a full collection ({@code jcmd GC.run}, then
     * {@code GC.heap_info}'s used figure), for memory measurements.
     */
    public long liveHeapBytes() throws IOException, InterruptedException {
        long pid = jvm().pid();
        run(new ProcessBuilder("jcmd", Long.toString(pid), "GC.run"));
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
        if (!m.find()) {
            throw new IOException("no used heap in jcmd GC.heap_info: " + out);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** The broker JVM's resident memory in KiB ({@code VmRSS} in {@code /proc/PID/status}). */
    public long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/" + jvm().pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + jvm().pid() + "/status");
    }

    /**
     * The names of the broker JVM's threads as the kernel knows them ({@code /proc/PID/task/N/comm},
     * at most 15 characters each): what runs inside, seen from outside, like {@code top -H} does.
     */
    public List<String> threadNames() throws IOException {
        ProcessHandle jvm = jvm();
        List<String> names = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Paths.get("/proc/" + jvm.pid() + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    names.add(Files.readString(task.resolve("comm")).trim());
                } catch (IOException e) {
                    // the thread ended while we listed them
                }
            }
        }
        return names;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * A port nobody listens on, below the kernel's ephemeral range (32768 and up), which the
     * outgoing connections of every process on the machine draw from: a port from there can be
     * taken by some client's socket between this choice and the broker's bind.
     */
    /**
     * The sum of the {@code /metrics} samples whose line starts with {@code series} (a metric
     * name, optionally with the start of its labels: {@code meridian_rate_limited_total{limit="publish_rate"}).
     */
    /** The body of {@code /health/ready} (the status code is in it: "UP" or "DOWN"). */
    public String readiness() throws IOException, InterruptedException {
        return java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(managementUri() + "/health/ready"))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    public double metric(String series) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .build();
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(managementUri() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().lines().filter(l -> l.startsWith(series) && !l.startsWith("#"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * Ports this test JVM has handed out. A port is free when chosen but only taken when its
     * process starts, so two choices made before either starts could be the same port: a
     * broker's MQTT port and its console's SSH port once were, and a client polling the MQTT
     * port during start-up met the SSH banner ("Malformed Packet" in Paho). Handing each port
     * out once rules that out.
     */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on, outside the kernel's ephemeral range (so no outgoing
     * connection takes it meanwhile), never the same one twice in this JVM.
     */
    public static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 20_000 + random.nextInt(12_000);
            if (HANDED_OUT.contains(candidate)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(candidate));
                if (HANDED_OUT.add(candidate)) {
                    return candidate;
                }
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", pb.command()) + " failed: " + out);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder left behind is not worth failing a test for
        }
    }
}
