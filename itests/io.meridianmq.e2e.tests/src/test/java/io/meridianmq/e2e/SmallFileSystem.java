package io.meridianmq.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.rules.ExternalResource;

/**
 * A real, small file system (tmpfs) mounted for one test, so that a disk that fills up is a disk
 * that fills up: {@link #fill} writes a file until the kernel answers "no space left on device",
 * {@link #free} deletes it. Mounting needs root (as CI and these machines run); without it the
 * test fails and says so.
 */
final class SmallFileSystem extends ExternalResource {

    private final Path mountPoint;
    private final int megabytes;
    private Path filler;

    SmallFileSystem(int megabytes) {
        this.megabytes = megabytes;
        this.mountPoint = Path.of(System.getProperty("java.io.tmpdir"), "meridian-small-fs-" + System.nanoTime());
    }

    Path path() {
        return mountPoint;
    }

    @Override
    protected void before() throws Throwable {
        Files.createDirectories(mountPoint);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString()),
                "mounting a " + megabytes + " MiB tmpfs (this test needs root to make a file system it can fill)");
    }

    @Override
    protected void after() {
        try {
            run(List.of("umount", "-l", mountPoint.toString()), "unmounting the tmpfs");
            Files.deleteIfExists(mountPoint);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot unmount " + mountPoint + ": " + e, e);
        }
    }

    /** Writes a file until the file system is full. */
    void fill() throws IOException {
        filler = mountPoint.resolve("filler");
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** Deletes what {@link #fill} wrote: the space is back. */
    void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    private static void run(List<String> command, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed: " + String.join(" ", command) + ": " + out.trim());
        }
    }
}
