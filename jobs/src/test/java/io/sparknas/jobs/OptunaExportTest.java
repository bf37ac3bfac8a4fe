package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.TestData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep exported as an Optuna study ({@code sparknas-report --optuna STORAGE}) and read back by Optuna itself:
 * one trial per committed candidate, its state from its status (an ASHA sweep gives COMPLETE and PRUNED, a sweep
 * with failed candidates FAIL), its value the validation accuracy, its intermediate values the per-epoch curve, all
 * equal to the Parquet rows.
 */
class OptunaExportTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @Test
    void aPromotionSweepAndASweepWithFailuresReadBackByOptunaAsTheirRows() throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String python = NotebooksAndReportTest.python();
        String asha = dir.resolve("asha").toString();
        assertEquals(0, Main.run("search", "--conf", "../conf/asha-quickstart.conf", "--set", "sweep.output=" + asha,
                "--set", "search.budget=8", "--set", "search.scheduler.maxEpochs=2", "--set",
                "estimator.proxy.channels=4", "--set", "estimator.proxy.latencyRepeats=0", "--set",
                "estimator.data.trainPerClass=16", "--set", "estimator.data.validationPerClass=8", "--set",
                "estimator.data.testPerClass=0", "--set", "estimator.data.resize=8", "--set", "export.retrain=false",
                "--set", "spark.master=local[2]"));
        String failures = NotebooksAndReportTest.withFailedRows(dir);
        String storage = "sqlite:///" + dir.resolve("studies.db");
        String exported = NotebooksAndReportTest.runProcess(List.of(python,
                REPO.resolve("notebooks/sparknas_report.py").toString(), "--optuna", storage, asha, failures),
                Map.of(), Duration.ofSeconds(120), dir);
        assertTrue(exported.contains("study asha-quickstart: 8 trials"), exported);

        String read = NotebooksAndReportTest.runProcess(List.of(python, "-c", String.join("\n",
                "import json, sys, optuna",
                "optuna.logging.set_verbosity(optuna.logging.WARNING)",
                "out = {}",
                "for name in optuna.get_all_study_names(sys.argv[1]):",
                "    s = optuna.load_study(study_name=name, storage=sys.argv[1])",
                "    out[name] = [dict(id=t.user_attrs['candidate_id'], state=t.state.name, value=t.value,",
                "                      curve={str(k): v for k, v in t.intermediate_values.items()},",
                "                      genotype=t.params['genotype']) for t in s.trials]",
                "print('STUDIES ' + json.dumps(out))"), storage), Map.of(), Duration.ofSeconds(120), dir);
        JsonNode studies = JSON.readTree(read.substring(read.indexOf("STUDIES ") + 8).strip());
        assertEquals(2, studies.size(), studies.toString());

        SparkSession spark = SparkSessions.create("optuna-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            Map<String, Integer> states = new HashMap<>();
            for (String[] sweep : new String[][] {{asha, "asha-quickstart"}, {failures, null}}) {
                List<Row> rows = spark.read().parquet(sweep[0] + "/candidates").collectAsList();
                JsonNode trials = sweep[1] != null ? studies.get(sweep[1]) : otherThan(studies, "asha-quickstart");
                assertEquals(rows.size(), trials.size(), "one trial per committed candidate");
                Map<String, JsonNode> byId = new HashMap<>();
                trials.forEach(t -> byId.put(t.get("id").asText(), t));
                for (Row r : rows) {
                    JsonNode t = byId.get(r.<String>getAs("candidate_id"));
                    String status = r.getAs("status");
                    String expected = switch (status) {
                        case "OK" -> "COMPLETE";
                        case "PRUNED" -> "PRUNED";
                        default -> "FAIL";
                    };
                    assertEquals(expected, t.get("state").asText(), t.toString());
                    states.merge(expected, 1, Integer::sum);
                    assertEquals(r.<String>getAs("genotype"), t.get("genotype").asText());
                    if (status.equals("OK")) {
                        assertEquals(r.<Double>getAs("accuracy"), t.get("value").asDouble(), 0.0);
                    } else {
                        assertTrue(t.get("value").isNull(), "a pruned or failed trial has no value: " + t);
                    }
                    Map<String, Double> metrics = r.getJavaMap(r.fieldIndex("metrics"));
                    for (int epoch = 1; epoch <= 8; epoch++) {
                        Double v = metrics.get(String.format("epoch_%02d_val_accuracy", epoch));
                        JsonNode point = t.get("curve").get(String.valueOf(epoch));
                        if (v == null) {
                            assertTrue(point == null, "no epoch " + epoch + " in the row, none in the trial: " + t);
                        } else {
                            assertEquals(v, point.asDouble(), 0.0, "epoch " + epoch + " of " + t);
                        }
                    }
                }
            }
            assertTrue(states.getOrDefault("COMPLETE", 0) > 0 && states.getOrDefault("PRUNED", 0) > 0
                    && states.getOrDefault("FAIL", 0) > 0, "all three states are exercised: " + states);
        } finally {
            spark.stop();
        }
    }

    private static JsonNode otherThan(JsonNode studies, String name) {
        var names = studies.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals(name)) {
                return studies.get(n);
            }
        }
        throw new AssertionError("no second study in " + studies);
    }
}
