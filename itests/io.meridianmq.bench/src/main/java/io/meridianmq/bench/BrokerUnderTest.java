package io.meridianmq.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A broker the benchmark measures, as a process of its own on a free port: Meridian (the
 * distribution), Mosquitto (Debian's package), Moquette and HiveMQ CE (embedded in small
 * launchers), or the relay (the load generator's ceiling). All with the same settings: no
 * persistence, anonymous, the same queue limit, JVM brokers with the same heap.
 */
abstract class BrokerUnderTest implements AutoCloseable {

    static final int QUEUE_LIMIT = 100_000;

    final String name;
    final int port;
    /** TLS 1.3 listeners ({@link #speaksTls()}): without, and with a required client certificate. */
    final int tlsPort;
    final int mtlsPort;
    Process process;
    Path home;

    BrokerUnderTest(String name) throws IOException {
        this.name = name;
        this.port = freePort();
        this.tlsPort = freePort();
        this.mtlsPort = freePort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The TLS listener, or with {@code clientCertificate} the one that requires a client certificate. */
    InetSocketAddress tlsAddress(boolean clientCertificate) {
        return new InetSocketAddress("127.0.0.1", clientCertificate ? mtlsPort : tlsPort);
    }

    /**
     * Whether the broker was started with the two TLS 1.3 listeners ({@link BenchCertificates}):
     * Meridian and Mosquitto, when openssl made the certificates.
     */
    boolean speaksTls() {
        return givenSecurity() && BenchCertificates.dir() != null;
    }

    abstract ProcessBuilder command() throws IOException;

    void start() throws Exception {
        // letters and digits only: a '=' or ',' in a Karaf home's path keeps it from starting
        home = Files.createTempDirectory("bench-" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));
        ProcessBuilder pb = command().redirectErrorStream(true).redirectOutput(home.resolve("out.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Files.readString(home.resolve("out.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within 120 s");
    }

    /** The process that holds the connections (for a launcher script: its java child). */
    ProcessHandle server() {
        ProcessHandle root = process.toHandle();
        Optional<ProcessHandle> java = root.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
        return java.orElse(root);
    }

    /** The server process's resident memory (VmRSS), in bytes. */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/" + server().pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the resident size of " + name, e);
        }
        throw new IllegalStateException("no VmRSS for " + name);
    }

    /** The user name of the password file every broker that checks passwords is given. */
    static final String USER = "bench";
    /** That user's password. */
    static final String PASSWORD = "bench-password";
    private static Path passwordFile;

    /**
     * A password file written by Debian's {@code mosquitto_passwd} (PBKDF2-SHA512, its default
     * iterations), given to Meridian and to Mosquitto alike, so both do the same work per CONNECT;
     * null when {@code mosquitto_passwd} is not there.
     */
    static synchronized Path passwordFile() {
        if (passwordFile == null) {
            try {
                Path f = Files.createTempFile("bench-passwd", "");
                Process p = new ProcessBuilder("mosquitto_passwd", "-b", f.toString(), USER, PASSWORD)
                        .redirectErrorStream(true).start();
                if (p.waitFor() != 0) {
                    return null;
                }
                f.toFile().deleteOnExit();
                // Mosquitto started as root reads it as the user 'mosquitto'
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                passwordFile = f;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return passwordFile;
    }

    /**
     * Whether the broker checks user names against {@link #passwordFile()} (anonymous clients
     * still allowed); the relay says yes, accepting anyone: it is the load generator's ceiling.
     */
    boolean checksPasswords() {
        return givenSecurity() && passwordFile() != null;
    }

    /**
     * Whether the broker is given the run's password file and TLS listeners (Meridian and
     * Mosquitto: the two compared on authentication and TLS).
     */
    boolean givenSecurity() {
        return false;
    }

    /**
     * Whether the brokers log every client's connect and disconnect ({@code bench.log_connects},
     * default false: Mosquitto with {@code log_type error}, Meridian's {@code io.meridianmq.clients}
     * logger at WARN; both do log them at their defaults).
     */
    static boolean logConnects() {
        return Boolean.getBoolean("bench.log_connects");
    }

    /** Whether the broker keeps sessions (the durable scenarios run only then; the relay keeps none). */
    boolean keepsSessions() {
        return true;
    }

    /** Whether the broker speaks MQTT 5 (the MQTT 5 storms run only then). */
    boolean speaksMqtt5() {
        return true;
    }

    /**
     * Whether only the durable scenarios run against this broker (a variant with its store on,
     * next to the same broker without).
     */
    boolean durableOnly() {
        return false;
    }

    /** Messages a client's queue may hold: ten times more for the durable variants (100,000 replayed). */
    int queueLimit() {
        return durableOnly() ? QUEUE_LIMIT * 10 : QUEUE_LIMIT;
    }

    /** Whether the broker is a JVM (its heap can be collected and read with jcmd). */
    boolean jvm() {
        return true;
    }

    /** The JVM heap's reserved address range {start, end}, read once per process. */
    private long[] heapRange;

    /**
     * What the broker process holds in memory outside its Java heap: its resident size (VmRSS)
     * less what of the heap's address range is resident (from /proc/PID/smaps). With
     * {@link #liveHeapBytes()} this gives memory per connection that does not depend on how much
     * eden a collector happened to touch. For Mosquitto, the whole resident size.
     */
    long nonHeapResidentBytes() {
        long total = residentBytes();
        if (!jvm()) {
            return total;
        }
        if (heapRange == null) {
            java.util.regex.Matcher range = java.util.regex.Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)")
                    .matcher(jcmd("GC.heap_info"));
            if (!range.find()) {
                throw new IllegalStateException("jcmd GC.heap_info of " + name + " shows no heap address range");
            }
            heapRange = new long[] {Long.parseUnsignedLong(range.group(1), 16), Long.parseUnsignedLong(range.group(2), 16)};
        }
        long heapStart = heapRange[0];
        long heapEnd = heapRange[1];
        long heapResident = 0;
        boolean inHeap = false;
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/" + server().pid() + "/smaps"))) {
                if (Character.digit(line.charAt(0), 16) >= 0 && line.indexOf('-') > 0 && line.indexOf(' ') > line.indexOf('-')) {
                    String[] bounds = line.substring(0, line.indexOf(' ')).split("-");
                    long start = Long.parseUnsignedLong(bounds[0], 16);
                    inHeap = start >= heapStart && start < heapEnd;
                } else if (inHeap && line.startsWith("Rss:")) {
                    heapResident += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the memory map of " + name, e);
        }
        return total - heapResident;
    }

    /**
     * Runs a full collection in a JVM broker (jcmd GC.run), so that a scenario does not pay for
     * the garbage of the one before; nothing for Mosquitto.
     */
    void collect() {
        if (jvm()) {
            jcmd("GC.run");
        }
    }

    /** The JVM broker's live objects by class (after a full collection); null for Mosquitto. */
    HeapHistogram histogram() {
        return jvm() ? HeapHistogram.parse(jcmd("GC.class_histogram")) : null;
    }

    /** The JVM broker's heap in use after a full collection, in bytes (0 for Mosquitto). */
    long liveHeapBytes() {
        if (!jvm()) {
            return 0;
        }
        jcmd("GC.run");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total \\d+K, used (\\d+)K")
                .matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IllegalStateException("jcmd GC.heap_info of " + name + " shows no heap in use");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(server().pid()), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed for " + name + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run jcmd for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The server's CPU time so far (user + system), in clock ticks, from /proc. */
    long cpuTicks() {
        try {
            String stat = Files.readString(Paths.get("/proc/" + server().pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits until the broker is idle (under 5% of a core for a second, at most 30 s), so that
     * what one scenario left behind does not slow the next one.
     */
    void settle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = cpuTicks();
        while (System.nanoTime() < deadline && last >= 0) {
            TimeUnit.SECONDS.sleep(1);
            long now = cpuTicks();
            if (now - last <= 5) { // clock ticks are 10 ms: 5 ticks in 1 s = 5%
                return;
            }
            last = now;
        }
    }

    /** Stops the process (keeping nothing unless {@code bench.keep}) and starts a fresh one. */
    void restart() throws Exception {
        close();
        process = null;
        home = null;
        heapRange = null;
        start();
    }

    @Override
    public void close() {
        String jfrDirectory = System.getProperty("bench.jfr");
        if (process != null && jfrDirectory != null && jvm()) {
            // a flight recording the broker was started with (-XX:StartFlightRecording in bench.meridian.jvm)
            BenchmarkMain.report("%s: %s", name,
                    jcmd("JFR.dump filename=" + Paths.get(jfrDirectory, name + "-" + server().pid() + ".jfr")).trim());
        }
        if (process != null) {
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            process.destroy();
            all.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                for (ProcessHandle p : all) {
                    p.onExit().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                all.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        if (home != null && !Boolean.getBoolean("bench.keep")) {
            deleteTree(home);
        } else if (home != null) {
            BenchmarkMain.report("%s left in %s", name, home);
        }
    }

    static void deleteTree(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is not worth failing a benchmark
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String javaBin() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    // ---- the brokers ----

    /** A peer embedded in its launcher module, with that module's own class path. */
    static final class JvmPeer extends BrokerUnderTest {
        private final Path module;
        private final String mainClass;
        private final String heap;

        private final boolean mqtt5;

        JvmPeer(String name, Path module, String mainClass, String heap, boolean mqtt5) throws IOException {
            super(name);
            this.module = module;
            this.mainClass = mainClass;
            this.heap = heap;
            this.mqtt5 = mqtt5;
        }

        @Override
        boolean speaksMqtt5() {
            return mqtt5;
        }

        @Override
        ProcessBuilder command() throws IOException {
            String classpath = module.resolve("classes") + java.io.File.pathSeparator
                    + Files.readString(module.resolve("classpath.txt")).trim();
            return new ProcessBuilder(javaBin(), "-Xms" + heap, "-Xmx" + heap, "-cp", classpath, mainClass,
                    String.valueOf(port), String.valueOf(QUEUE_LIMIT));
        }
    }

    /** The relay: the load generator's own ceiling, in a JVM of its own with the same heap. */
    static final class RelayProcess extends BrokerUnderTest {
        private final String heap;

        RelayProcess(String heap) throws IOException {
            super("relay (no routing)");
            this.heap = heap;
        }

        @Override
        boolean checksPasswords() {
            return true; // it accepts anyone: the load generator's ceiling
        }

        @Override
        boolean keepsSessions() {
            return false;
        }

        @Override
        ProcessBuilder command() {
            return new ProcessBuilder(javaBin(), "-Xms" + heap, "-Xmx" + heap, "-cp",
                    System.getProperty("java.class.path"), Relay.class.getName(), String.valueOf(port));
        }
    }
}
