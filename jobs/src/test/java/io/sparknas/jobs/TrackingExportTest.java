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
 * Sweeps exported to the tools users track experiments with, and read back by those tools themselves: as an Optuna
 * study ({@code sparknas-report --optuna STORAGE}: one trial per committed candidate, its state from its status, an
 * ASHA sweep giving COMPLETE and PRUNED, a sweep with failed candidates FAIL, its value the validation accuracy, its
 * intermediate values the per-epoch curve) and as TensorBoard runs ({@code --tensorboard LOGDIR}: per-epoch scalars
 * and HParams, read by TensorBoard's event accumulator), all equal to the Parquet rows.
 */
class TrackingExportTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static String asha;
    static String failures;

    @org.junit.jupiter.api.BeforeAll
    static void sweeps() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        asha = dir.resolve("asha").toString();
        assertEquals(0, Main.run("search", "--conf", "../conf/asha-quickstart.conf", "--set", "sweep.output=" + asha,
                "--set", "search.budget=8", "--set", "search.scheduler.maxEpochs=2", "--set",
                "estimator.proxy.channels=4", "--set", "estimator.proxy.latencyRepeats=0", "--set",
                "estimator.data.trainPerClass=16", "--set", "estimator.data.validationPerClass=8", "--set",
                "estimator.data.testPerClass=0", "--set", "estimator.data.resize=8", "--set", "export.retrain=false",
                "--set", "spark.master=local[2]"));
        failures = NotebooksAndReportTest.withFailedRows(dir);
    }

    @Test
    void aPromotionSweepAndASweepWithFailuresReadBackByOptunaAsTheirRows() throws Exception {
        String storage = "sqlite:///" + dir.resolve("studies.db");
        String exported = report("--optuna", storage, asha, failures);
        assertTrue(exported.contains("study asha-quickstart: 8 trials"), exported);

        JsonNode studies = readBack(storage, String.join("\n",
                "import json, sys, optuna",
                "optuna.logging.set_verbosity(optuna.logging.WARNING)",
                "out = {}",
                "for name in optuna.get_all_study_names(sys.argv[1]):",
                "    s = optuna.load_study(study_name=name, storage=sys.argv[1])",
                "    out[name] = [dict(id=t.user_attrs['candidate_id'], state=t.state.name, value=t.value,",
                "                      curve={str(k): v for k, v in t.intermediate_values.items()},",
                "                      genotype=t.params['genotype']) for t in s.trials]",
                "print('READ ' + json.dumps(out))"));
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

    @Test
    void aPromotionSweepReadBackByTensorBoardAsItsCurvesAndHyperparameters() throws Exception {
        Path logdir = dir.resolve("tensorboard");
        String exported = report("--tensorboard", logdir.toString(), asha);
        assertTrue(exported.contains("8 runs of"), exported);
        JsonNode runs = readBack(logdir.resolve("asha-quickstart").toString(), String.join("\n",
                "import json, os, sys",
                "from tensorboard.backend.event_processing import event_accumulator as ea",
                "from tensorboard.plugins.hparams import plugin_data_pb2",
                "base = sys.argv[1]",
                "out = {}",
                "for run in sorted(os.listdir(base)):",
                "    a = ea.EventAccumulator(os.path.join(base, run)); a.Reload()",
                "    curve = {str(s.step): s.value for s in a.Scalars('val_accuracy')}",
                "    h = ea.EventAccumulator(os.path.join(base, run, 'hparams')); h.Reload()",
                "    hp = {}",
                "    for c in h.PluginTagToContent('hparams').values():",
                "        d = plugin_data_pb2.HParamsPluginData.FromString(c)",
                "        if d.HasField('session_start_info'):",
                "            hp = {k: v.string_value for k, v in d.session_start_info.hparams.items()}",
                "    out[run] = dict(curve=curve, status=hp.get('status'), genotype=hp.get('genotype'))",
                "print('READ ' + json.dumps(out))"));
        SparkSession spark = SparkSessions.create("tensorboard-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            List<Row> rows = spark.read().parquet(asha + "/candidates").collectAsList();
            assertEquals(rows.size(), runs.size(), "a run per candidate: " + runs);
            for (Row r : rows) {
                JsonNode run = runs.get(r.<String>getAs("candidate_id"));
                assertEquals(r.<String>getAs("status"), run.get("status").asText());
                assertEquals(r.<String>getAs("genotype"), run.get("genotype").asText());
                Map<String, Double> metrics = r.getJavaMap(r.fieldIndex("metrics"));
                int epochs = 0;
                for (int epoch = 1; epoch <= 8; epoch++) {
                    Double v = metrics.get(String.format("epoch_%02d_val_accuracy", epoch));
                    JsonNode point = run.get("curve").get(String.valueOf(epoch));
                    if (v != null) {
                        epochs++;
                        assertEquals(v, point.asDouble(), 1e-6, "epoch " + epoch + " (TensorBoard stores float32)");
                    }
                }
                assertEquals(epochs, run.get("curve").size(), run.toString());
            }
        } finally {
            spark.stop();
        }
    }

    /** Runs the report command with {@code args} in the notebook environment; returns what it printed. */
    private static String report(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(NotebooksAndReportTest.python(),
                REPO.resolve("notebooks/sparknas_report.py").toString()));
        cmd.addAll(List.of(args));
        return NotebooksAndReportTest.runProcess(cmd, Map.of(), Duration.ofSeconds(120), dir);
    }

    /** Runs {@code program} (which prints {@code READ <json>}) with {@code arg}; returns the JSON it printed. */
    private static JsonNode readBack(String arg, String program) throws Exception {
        String out = NotebooksAndReportTest.runProcess(List.of(NotebooksAndReportTest.python(), "-c", program, arg),
                Map.of(), Duration.ofSeconds(120), dir);
        return JSON.readTree(out.substring(out.indexOf("READ ") + 5).strip());
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
