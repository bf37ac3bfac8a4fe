package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed notebooks themselves (no data or Python needed). */
class NotebookFilesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void committedNotebooksCarryNoOutputs() throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("notebooks"))) {
            List<Path> notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).toList();
            assertEquals(6, notebooks.size());
            for (Path nb : notebooks) {
                for (JsonNode cell : JSON.readTree(nb.toFile()).path("cells")) {
                    if (cell.path("cell_type").asText().equals("code")) {
                        assertEquals(0, cell.path("outputs").size(), nb + " has outputs");
                        assertTrue(cell.path("execution_count").isNull(), nb + " has execution counts");
                    }
                }
            }
        }
    }

    @Test
    void pythonReportNamesTheMetricsAndStatusesJavaRecords() throws IOException {
        String report = Files.readString(REPO.resolve("notebooks/sparknas_report.py"));
        assertEquals(io.sparknas.space.Metrics.ALL, pythonList(report, "METRICS"));
        assertEquals(Stream.of(io.sparknas.space.Evaluation.Status.values()).map(Enum::name).toList(),
                pythonList(report, "STATUSES"));
    }

    /** The strings of a top-level {@code NAME = [...]} list in a Python file. */
    private static List<String> pythonList(String source, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + " = \\[([^\\]]*)]")
                .matcher(source);
        assertTrue(m.find(), "sparknas_report.py has no " + name + " list");
        return java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(m.group(1)).results()
                .map(r -> r.group(1)).toList();
    }
}
