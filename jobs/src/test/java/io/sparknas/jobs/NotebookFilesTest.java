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
}
