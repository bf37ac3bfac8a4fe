package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.TestData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live sweep page ({@code sparknas serve}) in a real browser, headless Chromium: it loads and shows the rows of a
 * real sweep; while it stays open another process extends the sweep and the page shows the new rows without a
 * reload; its table sorts; a screenshot holds the best-so-far line and the Pareto front in their colours.
 */
class SweepPageTest {
    private static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201",
            "nb201_12ep.csv.gz").toAbsolutePath().normalize().toString();

    private static List<String> search(Path out, int budget) {
        return List.of("search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
                "--set", "estimator.table.path=" + TABLE, "--set", "search.budget=" + budget, "--set",
                "search.roundSize=3", "--set", "spark.master=local[2]");
    }

    @Test
    void thePageShowsASweepsRowsAndTheRowsCommittedWhileItIsOpen(@TempDir Path dir) throws Exception {
        Path chromium = HeadlessChromium.binary().orElse(null);
        TestData.require(chromium != null, "headless Chromium not installed (apt-get install chromium)");
        Path out = dir.resolve("live");
        assertEquals(0, Main.run(search(out, 6).toArray(String[]::new)));

        SparkSession spark = SparkSessions.create("serve-test", "local[1]", Map.of("spark.ui.enabled", "false"));
        try (SweepServer server = SweepServer.start(spark, out.toString(), "127.0.0.1", 0, 1);
             HeadlessChromium browser = HeadlessChromium.open(chromium, server.url(), 1400, 1800)) {
            String rows = "Number(document.body.dataset.rows || -1)";
            browser.await(rows, v -> v.asInt() == 6, Duration.ofSeconds(60));
            assertEquals(ids(spark, out), pageIds(browser), "the page's rows are the sweep's");
            assertTrue(browser.evaluate("document.getElementById('progress-text').textContent").asText()
                    .startsWith("6 of 6 evaluations committed"));

            // sorted by accuracy (a click: descending), the first row is the best candidate
            browser.evaluate("document.querySelector('th[data-key=accuracy]').click()");
            List<Row> byAccuracy = spark.read().parquet(out + "/candidates").orderBy(
                    org.apache.spark.sql.functions.col("accuracy").desc(),
                    org.apache.spark.sql.functions.col("candidate_id")).collectAsList();
            assertEquals(byAccuracy.get(0).<String>getAs("candidate_id"),
                    browser.evaluate("document.querySelector('#candidates tbody tr').dataset.id").asText());

            // another process extends the sweep while the page is open: the page shows the new rows by itself
            DriverKillTest.runChild(search(out, 12), 0);
            browser.await(rows, v -> v.asInt() == 12, Duration.ofSeconds(60));
            assertEquals(ids(spark, out), pageIds(browser));
            assertTrue(browser.evaluate("document.getElementById('progress-text').textContent").asText()
                    .startsWith("12 of 12 evaluations committed"));
            if (io.sparknas.space.CellDrawing.svg("digraph g {}").isPresent()) { // Graphviz draws the winner
                browser.await("(() => { const i = document.querySelector('#winner img'); "
                        + "return i !== null && i.complete && i.naturalWidth > 0; })()", JsonNode::asBoolean,
                        Duration.ofSeconds(30));
            }

            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(browser.screenshot()));
            assertTrue(pixels(shot, 0x1f, 0x77, 0xb4) > 300, "the best-so-far lines are drawn");
            assertTrue(pixels(shot, 0xd6, 0x27, 0x28) > 100, "the Pareto front is drawn");
        } finally {
            spark.stop();
        }
    }

    @Test
    void theServerIsReadOnlyAndAnswersUnknownPathsWith404(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("s");
        assertEquals(0, Main.run(search(out, 3).toArray(String[]::new)));
        SparkSession spark = SparkSessions.create("serve-test", "local[1]", Map.of("spark.ui.enabled", "false"));
        try (SweepServer server = SweepServer.start(spark, out.toString(), "127.0.0.1", 0, 1)) {
            HttpClient http = HttpClient.newHttpClient();
            URI api = URI.create(server.url() + "api/sweep");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(api).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode());
            assertTrue(get.body().contains("\"evaluated\":3"), get.body());
            assertEquals(405, http.send(HttpRequest.newBuilder(api).POST(HttpRequest.BodyPublishers.ofString("x"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(server.url() + "../etc/passwd")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
        } finally {
            spark.stop();
        }
    }

    @Test
    void serveRefusesAFolderThatIsNotASweepInOneLine(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("serve", "--sweep", Files.createDirectories(dir.resolve("empty")).toString(), "--port",
                    "0");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertTrue(message.contains("is not a sweep (no sweep.json)") && message.lines().count() == 1, message);
    }

    private static List<String> ids(SparkSession spark, Path out) {
        List<String> ids = new ArrayList<>();
        spark.read().parquet(out + "/candidates").select("candidate_id").collectAsList()
                .forEach(r -> ids.add(r.getString(0)));
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    private static List<String> pageIds(HeadlessChromium browser) throws Exception {
        List<String> ids = new ArrayList<>();
        browser.evaluate("[...document.querySelectorAll('#candidates tbody tr')].map(r => r.dataset.id)")
                .forEach(n -> ids.add(n.asText()));
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /** Pixels within a small distance of the colour (anti-aliasing blends the edges, not the middle of a line). */
    private static int pixels(BufferedImage image, int r, int g, int b) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                if (Math.abs((p >> 16 & 255) - r) + Math.abs((p >> 8 & 255) - g) + Math.abs((p & 255) - b) < 24) {
                    n++;
                }
            }
        }
        return n;
    }
}
