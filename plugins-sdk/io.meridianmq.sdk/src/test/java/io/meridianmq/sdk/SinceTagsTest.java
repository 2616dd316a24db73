package io.meridianmq.sdk;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * Every {@code @since} in the SDK names a version its package has reached (a member cannot
 * appear in a version later than the package's own), and every package is {@code @NullMarked},
 * so that an IDE checks the nullness the javadoc states.
 */
public class SinceTagsTest {

    private static final Path SOURCES = Paths.get("src/main/java/io/meridianmq/sdk");
    private static final Pattern SINCE = Pattern.compile("@since (\\d+)\\.(\\d+)");
    private static final Pattern VERSION = Pattern.compile("@Version\\(\"(\\d+)\\.(\\d+)\\.\\d+\"\\)");

    @Test
    public void noSinceIsLaterThanItsPackageVersion() throws IOException {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> packages = Files.list(SOURCES)) {
            for (Path pkg : (Iterable<Path>) packages.filter(Files::isDirectory)::iterator) {
                Matcher v = VERSION.matcher(Files.readString(pkg.resolve("package-info.java")));
                assertTrue(pkg + " has a @Version", v.find());
                int packageVersion = Integer.parseInt(v.group(1)) * 1000 + Integer.parseInt(v.group(2));
                try (Stream<Path> files = Files.list(pkg)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Matcher s = SINCE.matcher(Files.readString(file));
                        while (s.find()) {
                            checked++;
                            int since = Integer.parseInt(s.group(1)) * 1000 + Integer.parseInt(s.group(2));
                            if (since > packageVersion) {
                                wrong.add(file.getFileName() + ": " + s.group() + " (package " + v.group(1) + "."
                                        + v.group(2) + ")");
                            }
                        }
                    }
                }
            }
        }
        assertTrue("@since tags found", checked > 40);
        assertTrue("@since later than the package: " + wrong, wrong.isEmpty());
    }

    @Test
    public void everyPackageIsNullMarked() throws IOException {
        try (Stream<Path> packages = Files.list(SOURCES)) {
            for (Path pkg : (Iterable<Path>) packages.filter(Files::isDirectory)::iterator) {
                assertTrue(pkg + " is @NullMarked", Files.readString(pkg.resolve("package-info.java"))
                        .contains("@NullMarked"));
            }
        }
    }
}
