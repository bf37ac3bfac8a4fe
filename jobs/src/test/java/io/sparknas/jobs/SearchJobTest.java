package io.sparknas.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The search command end to end on local Spark with the tabular estimator: run, resume, refuse, export. */
class SearchJobTest {

    @Test
    void searchRunsResumesAndExportsTheWinner(@TempDir Path dir) throws Exception {
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        String out = dir.resolve("sweep").toString();
        String[] args = {"search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
            "--set", "estimator.table.path=" + table, "--set", "search.budget=30", "--set", "spark.master=local[2]"};
        assertEquals(0, Main.run(args));
        assertTrue(Files.isDirectory(Path.of(out, "candidates", "round=2")));
        String json = Files.readString(Path.of(out, "export", "genotype.json"));
        assertTrue(json.contains("\"space\" : \"nb201\""), json);
        assertTrue(Files.exists(Path.of(out, "export", "cell.dot")));

        assertEquals(0, Main.run(args), "running again on a complete sweep resumes and finishes at once");
        String[] other = args.clone();
        other[other.length - 3] = "search.budget=40";
        assertEquals(2, Main.run(other), "another configuration on the same path is refused");
        String[] fresh = new String[other.length + 1];
        System.arraycopy(other, 0, fresh, 0, other.length);
        fresh[other.length] = "--new-sweep";
        assertEquals(0, Main.run(fresh));
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.anyMatch(p -> p.getFileName().toString().startsWith("sweep.replaced-")),
                    "the old sweep was moved aside, not deleted");
        }
    }
}
