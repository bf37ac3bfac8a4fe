package io.sparknas.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark-facing modules carry their Scala line in their names (pipeline_2.13, jobs_2.13), and
 * dev/change-scala-version.sh renames them for the other line: run here on copies of the three poms it edits.
 */
class ScalaLineNamesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> POMS = List.of("pom.xml", "pipeline/pom.xml", "jobs/pom.xml");
    private static final Pattern OURS = Pattern.compile("<artifactId>((?:pipeline|jobs)(?:_[0-9.]+)?)</artifactId>");

    @TempDir
    Path copy;

    @Test
    void theCheckedInPomsNameTheModulesForTheDefaultScalaLine() throws Exception {
        String parent = Files.readString(REPO.resolve("pom.xml"));
        Matcher line = Pattern.compile("<scala.binary.version>([0-9.]+)</scala.binary.version>").matcher(parent);
        assertTrue(line.find(), "the parent pom sets scala.binary.version");
        List<String> names = names(REPO);
        assertEquals(5, names.size(), "pipeline and jobs named in the three poms: " + names);
        for (String name : names) {
            assertTrue(name.endsWith("_" + line.group(1)), name + " is not named for Scala " + line.group(1));
        }
    }

    @Test
    void theScriptRenamesOnlyOurModulesAndRenamesThemBack() throws Exception {
        List<String> before = copyTree();
        assertEquals(0, run("2.12").exitCode);
        List<String> names = names(copy);
        assertEquals(5, names.size());
        names.forEach(n -> assertTrue(n.endsWith("_2.12"), n));
        String parent = Files.readString(copy.resolve("pom.xml"));
        assertTrue(parent.contains("spark-core_${scala.binary.version}"), "Spark's own names are left to the property");
        assertTrue(parent.contains("spark-testing-base_2.12"), "other projects' names are left alone");
        assertEquals(0, run("2.13").exitCode);
        assertEquals(before, contents(), "2.12 and back to 2.13 gives the poms as they were");
    }

    @Test
    void anUnknownScalaLineIsOneLineAndChangesNothing() throws Exception {
        List<String> before = copyTree();
        Result result = run("3");
        assertEquals(2, result.exitCode);
        assertEquals("error: unknown Scala line '3'; usage: dev/change-scala-version.sh 2.12|2.13",
                result.output.strip());
        assertEquals(before, contents());
    }

    private List<String> copyTree() throws Exception {
        Files.createDirectories(copy.resolve("dev"));
        Files.copy(REPO.resolve("dev/change-scala-version.sh"), copy.resolve("dev/change-scala-version.sh"));
        for (String pom : POMS) {
            Files.createDirectories(copy.resolve(pom).getParent());
            Files.copy(REPO.resolve(pom), copy.resolve(pom));
        }
        return contents();
    }

    private List<String> contents() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String pom : POMS) {
            texts.add(Files.readString(copy.resolve(pom)));
        }
        return texts;
    }

    private static List<String> names(Path root) throws Exception {
        List<String> names = new ArrayList<>();
        for (String pom : POMS) {
            Matcher m = OURS.matcher(Files.readString(root.resolve(pom)));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private record Result(int exitCode, String output) {}

    private Result run(String line) throws Exception {
        Process p = new ProcessBuilder("bash", copy.resolve("dev/change-scala-version.sh").toString(), line)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script finishes");
        return new Result(p.exitValue(), out);
    }
}
