package io.sparknas.pipeline.ofa;

import ai.djl.Device;
import com.fasterxml.jackson.core.type.TypeReference;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.oneshot.ofa.Checkpoint;
import io.sparknas.oneshot.ofa.ElasticSupernet;
import io.sparknas.oneshot.ofa.ProgressiveShrinking;
import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.EpochReport;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.HadoopSettings;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.pipeline.core.TaskStage;
import io.sparknas.pipeline.core.WholeFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ofa kind's first stage, a Spark-task stage of the core: the supernet trained by progressive shrinking in one
 * Spark task, each finished phase's epochs and then its checkpoint written under the sweep's {@code supernet/}
 * (a rerun resumes at the first phase without a checkpoint), the epochs reported to the console as they happen and
 * committed as {@code ofa_epochs} at the end.
 */
final class SupernetTraining {
    static final String SUPERNET = "supernet";
    /** One epoch of the supernet's progressive shrinking (the {@code ofa_epochs} dataset). */
    static final StructType EPOCH_SCHEMA = ResultSchema.ddl("""
            sweep_id STRING NOT NULL, phase INT NOT NULL, phase_name STRING NOT NULL, epoch INT NOT NULL,
            learning_rate DOUBLE, train_loss DOUBLE, train_accuracy DOUBLE, val_accuracy_largest DOUBLE,
            val_accuracy_smallest DOUBLE, seconds DOUBLE, executor STRING NOT NULL, host STRING NOT NULL
            """);

    private static final Logger LOG = LoggerFactory.getLogger(SupernetTraining.class);

    private final OfaConfig cfg;
    private final Configuration hadoop;

    SupernetTraining(OfaConfig cfg, Configuration hadoop) {
        this.cfg = cfg;
        this.hadoop = hadoop;
    }

    /** What the training task gives back: empty, or why it failed (the phases before are checkpointed). */
    record Outcome(String error) implements Serializable {
        boolean ok() {
            return error.isEmpty();
        }
    }

    /** Trains what is not trained yet and commits the epochs; returns the final checkpoint's path. */
    String run(SweepRun run) {
        Sweep sweep = run.sweep();
        String dir = sweep.store().root() + "/" + SUPERNET;
        List<ProgressiveShrinking.Phase> phases = ProgressiveShrinking.phases(cfg.space(), cfg.training());
        int done = completedPhases(dir, phases);
        new TaskStage<>("supernet", () -> done == phases.size(), () -> dir, progress -> {
            log(run, done == 0 ? "training the supernet: " + phases.size() + " phases " + phaseNames(phases)
                    : "resuming the supernet's training at phase " + (done + 1) + "/" + phases.size() + " ("
                    + phases.get(done).name() + ") from " + checkpointPath(dir, done - 1, phases));
            long t0 = System.nanoTime();
            HadoopSettings settings = HadoopSettings.of(hadoop);
            OfaConfig c = cfg;
            Outcome outcome = run.jsc().parallelize(List.of(done), 1)
                    .map(from -> train(c, settings, dir, from, progress)).collect().get(0);
            if (!outcome.ok()) {
                throw new IllegalStateException("the supernet's training failed: " + outcome.error() + " (the phases "
                        + "before are checkpointed under " + dir + "; a rerun resumes)");
            }
            log(run, "trained the supernet in " + Durations.since(t0));
            return dir;
        }, "resuming: the supernet is trained (" + dir + ")").run(run);
        if (!sweep.isCommitted(OfaSweep.EPOCHS)) {
            sweep.commit(OfaSweep.EPOCHS, 0, epochRows(dir, phases), EPOCH_SCHEMA);
        }
        return checkpointPath(dir, phases.size() - 1, phases);
    }

    private static void log(SweepRun run, String line) {
        run.log().accept(line);
    }


    /**
     * A Spark task: progressive shrinking from phase {@code from}, each finished phase's epochs and then its
     * checkpoint written under {@code dir}, each epoch reported to {@code progress}.
     */
    static Outcome train(OfaConfig cfg, HadoopSettings hadoop, String dir, int from,
                         CollectionAccumulator<EpochReport> progress) {
        try {
            FileSystem fs = new Path(dir).getFileSystem(hadoop.configuration());
            List<ProgressiveShrinking.Phase> phases = ProgressiveShrinking.phases(cfg.space(), cfg.training());
            DataConfig d = cfg.proxy().data();
            Devices.configureThreads(cfg.training().torchThreads());
            Datasets.Split data = Datasets.shared(d);
            Device device = ExecutorInfo.device();
            String executor = ExecutorInfo.executorId();
            try (ElasticSupernet supernet = new ElasticSupernet(cfg.space(), d.imageChannels(), d.classes(), device,
                    cfg.training().seed());
                 ElasticSupernet teacher = from > 0 ? new ElasticSupernet(cfg.space(), d.imageChannels(), d.classes(),
                         device, cfg.training().seed()) : null) {
                if (from > 0) {
                    String last = checkpointPath(dir, from - 1, phases);
                    String first = checkpointPath(dir, 0, phases);
                    Checkpoint.read(WholeFiles.readWhole(fs, last), supernet, last);
                    Checkpoint.read(WholeFiles.readWhole(fs, first), teacher, first);
                }
                List<Map<String, Object>> epochs = new ArrayList<>();
                new ProgressiveShrinking(cfg.training(), data).train(supernet, from, teacher,
                        new ProgressiveShrinking.Listener() {
                            @Override
                            public void epoch(int i, ProgressiveShrinking.Phase phase, int epoch,
                                              Map<String, Double> metrics) {
                                Map<String, Object> row = new LinkedHashMap<>();
                                row.put("phase", i);
                                row.put("phase_name", phase.name());
                                row.put("epoch", epoch);
                                row.put("learning_rate", phase.learningRate());
                                row.putAll(metrics);
                                row.put("executor", executor);
                                row.put("host", ExecutorInfo.hostName());
                                epochs.add(row);
                                progress.add(new EpochReport(String.format(Locale.ROOT, "phase %d/%d (%s)", i + 1,
                                        phases.size(), phase.name()), epoch, metrics));
                            }

                            @Override
                            public void phaseDone(int i, ProgressiveShrinking.Phase phase, ElasticSupernet s) {
                                try {
                                    WholeFiles.writeWhole(fs, dir + "/" + epochsFile(i),
                                            Json.MAPPER.writeValueAsBytes(epochs));
                                    epochs.clear();
                                    WholeFiles.writeWhole(fs, checkpointPath(dir, i, phases),
                                            Checkpoint.write(s, i, phase.name()));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }
                        });
            }
            return new Outcome("");
        } catch (RuntimeException | IOException | OutOfMemoryError e) {
            LOG.error("the supernet's training failed", e);
            return new Outcome(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static String checkpointPath(String dir, int phase, List<ProgressiveShrinking.Phase> phases) {
        return dir + "/" + String.format(Locale.ROOT, "phase-%d-%s.ckpt", phase, phases.get(phase).name());
    }

    private static String epochsFile(int phase) {
        return String.format(Locale.ROOT, "phase-%d-epochs.json", phase);
    }

    /** The phases whose checkpoint exists, counted from the first (a checkpoint is written last, by a rename). */
    private int completedPhases(String dir, List<ProgressiveShrinking.Phase> phases) {
        try {
            FileSystem fs = new Path(dir).getFileSystem(hadoop);
            int n = 0;
            while (n < phases.size() && fs.exists(new Path(checkpointPath(dir, n, phases)))) {
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<Row> epochRows(String dir, List<ProgressiveShrinking.Phase> phases) {
        List<Row> rows = new ArrayList<>();
        try {
            FileSystem fs = new Path(dir).getFileSystem(hadoop);
            for (int p = 0; p < phases.size(); p++) {
                List<Map<String, Object>> epochs = Json.MAPPER.readValue(
                        WholeFiles.readWhole(fs, dir + "/" + epochsFile(p)),
                        new TypeReference<>() { });
                for (Map<String, Object> e : epochs) {
                    RowBuilder b = RowBuilder.of(EPOCH_SCHEMA).set("sweep_id", cfg.name());
                    for (var f : e.entrySet()) {
                        Object v = f.getValue();
                        b.set(f.getKey(), v instanceof Number n && !(f.getKey().equals("phase")
                                || f.getKey().equals("epoch")) ? (Object) n.doubleValue()
                                : v instanceof Number n ? (Object) n.intValue() : v);
                    }
                    rows.add(b.build());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the supernet's epochs under " + dir + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static String phaseNames(List<ProgressiveShrinking.Phase> phases) {
        return phases.stream().map(ProgressiveShrinking.Phase::name).toList().toString();
    }
}
