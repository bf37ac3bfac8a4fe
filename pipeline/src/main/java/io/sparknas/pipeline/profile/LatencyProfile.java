package io.sparknas.pipeline.profile;

import ai.djl.Device;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.pipeline.core.TaskStage;
import io.sparknas.pipeline.core.WholeFiles;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.OpInstance;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A latency table on Spark ({@code profile} job): every distinct operation instance the NAS-Bench-201 or DARTS
 * networks of a configuration run is timed at batch 1 on an executor (warm-up, repeats, median and spread), keyed by the device
 * (CPU model or GPU, DJL version, libtorch threads); then {@code validation} random networks are timed end to end,
 * the predictor (its constant, and calibrated its factor per operation kind) is fitted on half of them, and its
 * Spearman's rho, mean absolute percentage error and share within 10 % are reported on the other half, beside the
 * other predictor's. Tables: {@value #OPS} and {@value #CHECK}; beside them {@code latency_table.csv}, the table a
 * predictor or a benchmark reads without Spark.
 */
public record LatencyProfile(SparkSession spark, ProfileConfig cfg, Consumer<String> log) {
    public static final String OPS = "latency_ops";
    public static final String CHECK = "latency_check";

    static final StructType OPS_SCHEMA = ResultSchema.ddl("""
            device STRING NOT NULL, engine STRING NOT NULL, threads INT NOT NULL, space STRING NOT NULL,
            op STRING NOT NULL, channels_in INT NOT NULL, channels_out INT NOT NULL, size INT NOT NULL,
            stride INT NOT NULL, median_ms DOUBLE NOT NULL, p10_ms DOUBLE NOT NULL, p90_ms DOUBLE NOT NULL,
            repeats INT NOT NULL, host STRING NOT NULL, overhead_ms DOUBLE, net_ms DOUBLE
            """);

    static final StructType CHECK_SCHEMA = ResultSchema.ddl("""
            device STRING NOT NULL, genotype STRING NOT NULL, measured_ms DOUBLE NOT NULL, p10_ms DOUBLE NOT NULL,
            p90_ms DOUBLE NOT NULL, table_sum_ms DOUBLE NOT NULL, predicted_ms DOUBLE NOT NULL,
            host STRING NOT NULL
            """);

    /** The outcome: the fitted predictor and the device it was made on. */
    public record Result(Sweep sweep, LatencyPredictor predictor, String device) {
    }

    /**
     * One timing from a task: the instance (or network) and its result, with where it ran; for an instance the
     * harness's overhead measured by the same task ({@link Timing#overhead}), 0 for a network.
     */
    record Timed(OpInstance op, String genotype, Timing.Result result, double overheadMs, String device, String host)
            implements Serializable {
        /** The table's entry: the configured statistic less the harness's overhead, never below 0. */
        double netMs(ProfileConfig cfg) {
            return Math.max(0, cfg.latencyOf(result) - overheadMs);
        }
    }
    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, OPS, CHECK);
        SweepRun run = SweepRun.of(spark, sweep, log);
        List<Timed> ops = new TaskStage<>("latency_ops", () -> sweep.isCommitted(OPS), () -> readOps(sweep),
                progress -> timeOps(run), "resuming: the operation instances are timed (" + sweep.store().path(OPS)
                + ")").run(run).stream().sorted(TABLE_ORDER).toList();
        String device = ops.get(0).device();
        Map<OpInstance, Double> table = new HashMap<>();
        ops.forEach(t -> table.put(t.op(), t.netMs(cfg)));
        LatencyPredictor predictor = new LatencyPredictor(table, 0);
        if (cfg.validation() > 0) {
            List<Timed> nets = new TaskStage<>("latency_check", () -> sweep.isCommitted(CHECK), () -> readNets(sweep),
                    progress -> timeNetworks(run), "resuming: the networks are timed (" + sweep.store().path(CHECK)
                    + ")").run(run);
            List<List<OpInstance>> networks = new ArrayList<>();
            double[] measured = new double[nets.size()];
            for (int i = 0; i < nets.size(); i++) {
                networks.add(cfg.instancesOf(nets.get(i).genotype()));
                measured[i] = cfg.latencyOf(nets.get(i).result());
            }
            // the predictor is fitted on the networks of even index and judged on the others
            List<List<OpInstance>> fitNets = new ArrayList<>();
            double[] fitMs = new double[(measured.length + 1) / 2];
            for (int i = 0; i < measured.length; i += 2) {
                fitNets.add(networks.get(i));
                fitMs[i / 2] = measured[i];
            }
            LatencyPredictor additive = predictor.fitted(fitNets, fitMs);
            LatencyPredictor calibrated = predictor.calibrated(fitNets, fitMs);
            predictor = cfg.calibrated() ? calibrated : additive;
            List<Row> check = new ArrayList<>();
            for (int i = 0; i < measured.length; i++) {
                Timed t = nets.get(i);
                check.add(RowBuilder.of(CHECK_SCHEMA).set("device", t.device()).set("genotype", t.genotype())
                        .set("measured_ms", measured[i]).set("p10_ms", t.result().p10Ms())
                        .set("p90_ms", t.result().p90Ms()).set("table_sum_ms", predictor.sum(networks.get(i)))
                        .set("predicted_ms", predictor.predict(networks.get(i))).set("host", t.host()).build());
            }
            if (!sweep.isCommitted(CHECK)) {
                sweep.commit(CHECK, 0, check, CHECK_SCHEMA);
            }
            if (measured.length < 4) {
                log.accept(String.format(Locale.ROOT, "predictor's constant %.3f ms, fitted on %d networks (too few "
                        + "to hold any out: profile.validation >= 4)", predictor.constant(), fitMs.length));
            } else {
                log.accept(String.format(Locale.ROOT, "predictor on %d random networks measured end to end, fitted "
                        + "on %d, judged on the other %d: %s (%s); the %s predictor: %s", measured.length,
                        fitMs.length, measured.length - fitMs.length, heldOut(predictor, networks, measured),
                        describe(predictor), cfg.calibrated() ? "additive" : "calibrated",
                        heldOut(cfg.calibrated() ? additive : calibrated, networks, measured)));
            }
        }
        writeCsv(sweep, predictor, device, ops);
        return new Result(sweep, predictor, device);
    }

    /** Spearman's rho, MAPE and the share within 10 % on the networks of odd index (the held-out half). */
    private static String heldOut(LatencyPredictor p, List<List<OpInstance>> networks, double[] measured) {
        double[] predicted = new double[measured.length / 2];
        double[] held = new double[predicted.length];
        for (int i = 1; i < measured.length; i += 2) {
            predicted[i / 2] = p.predict(networks.get(i));
            held[i / 2] = measured[i];
        }
        return String.format(Locale.ROOT, "Spearman's rho %.3f, mean absolute percentage error %.1f%%, %.0f%% within "
                + "+-10%%", LatencyPredictor.spearman(predicted, held), 100 * LatencyPredictor.mape(predicted, held),
                100 * LatencyPredictor.within(predicted, held, 0.1));
    }

    private static String describe(LatencyPredictor p) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "constant %.3f ms", p.constant()));
        p.scales().forEach((kind, f) -> sb.append(String.format(Locale.ROOT, ", %s x%.2f", kind, f)));
        return sb.toString();
    }

    /** Every operation instance timed, spread over {@code partitions} tasks, committed as {@code latency_ops}. */
    private List<Timed> timeOps(SweepRun run) {
        List<OpInstance> instances = cfg.instances();
        ProfileConfig c = cfg;
        long t0 = System.nanoTime();
        List<Timed> ops = run.jsc().parallelize(instances, Math.min(cfg.partitions(), instances.size()))
                .mapPartitions(it -> {
                    List<Timed> out = new ArrayList<>();
                    double overhead = overhead(c);
                    it.forEachRemaining(op -> out.add(timeOp(c, op, overhead)));
                    return out.iterator();
                }).collect();
        List<Row> rows = new ArrayList<>();
        for (Timed t : ops) {
            rows.add(RowBuilder.of(OPS_SCHEMA).set("device", t.device()).set("engine", ExecutorInfo.engine())
                    .set("threads", cfg.torchThreads()).set("space", cfg.space()).set("op", t.op().op())
                    .set("channels_in", t.op().channelsIn()).set("channels_out", t.op().channelsOut())
                    .set("size", t.op().size()).set("stride", t.op().stride())
                    .set("median_ms", t.result().medianMs()).set("p10_ms", t.result().p10Ms())
                    .set("p90_ms", t.result().p90Ms()).set("repeats", t.result().repeats()).set("host", t.host())
                    .set("overhead_ms", t.overheadMs()).set("net_ms", t.netMs(cfg)).build());
        }
        run.sweep().commit(OPS, 0, rows, OPS_SCHEMA);
        log.accept(String.format(Locale.ROOT, "timed %d operation instances on %s in %s", ops.size(),
                ops.get(0).device(), Durations.since(t0)));
        return ops;
    }

    /** The validation's random networks timed end to end (committed with the fitted predictor's figures). */
    private List<Timed> timeNetworks(SweepRun run) {
        SeededRandom rng = new SeededRandom(cfg.seed());
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < cfg.validation(); i++) {
            cells.add(cfg.sample(rng));
        }
        ProfileConfig c = cfg;
        return run.jsc().parallelize(cells, Math.min(cfg.partitions(), cells.size())).mapPartitions(it -> {
            List<Timed> out = new ArrayList<>();
            it.forEachRemaining(g -> out.add(timeNetwork(c, g)));
            return out.iterator();
        }).collect();
    }

    /** The table's rows in one order, however they were timed or read: operation, channels, size, stride. */
    private static final java.util.Comparator<Timed> TABLE_ORDER = java.util.Comparator
            .comparing((Timed t) -> t.op().op()).thenComparingInt(t -> t.op().channelsIn())
            .thenComparingInt(t -> t.op().channelsOut()).thenComparingInt(t -> t.op().size())
            .thenComparingInt(t -> t.op().stride());

    /** The committed timings of the operation instances. */
    private static List<Timed> readOps(Sweep sweep) {
        return sweep.store().read(OPS).collectAsList().stream().map(r -> new Timed(new OpInstance(r.getAs("op"), r.<Integer>getAs("channels_in"),
                        r.<Integer>getAs("channels_out"), r.<Integer>getAs("size"), r.<Integer>getAs("stride")), "",
                        new Timing.Result(r.<Double>getAs("median_ms"), r.<Double>getAs("p10_ms"),
                                r.<Double>getAs("p90_ms"), r.<Integer>getAs("repeats")),
                        r.<Double>getAs("overhead_ms"), r.getAs("device"), r.getAs("host"))).toList();
    }

    /** The committed end-to-end timings, in the order they were drawn (the fit's input, as when they were made). */
    private List<Timed> readNets(Sweep sweep) {
        Map<String, Row> byGenotype = new HashMap<>();
        sweep.store().read(CHECK).collectAsList().forEach(r -> byGenotype.put(r.getAs("genotype"), r));
        SeededRandom rng = new SeededRandom(cfg.seed());
        List<Timed> out = new ArrayList<>();
        for (int i = 0; i < cfg.validation(); i++) {
            Row r = byGenotype.get(cfg.sample(rng));
            out.add(new Timed(null, r.getAs("genotype"), new Timing.Result(r.<Double>getAs("measured_ms"),
                    r.<Double>getAs("p10_ms"), r.<Double>getAs("p90_ms"), cfg.repeats()), 0, r.getAs("device"),
                    r.getAs("host")));
        }
        return out;
    }

    /** {@code latency_table.csv} beside the tables: one line per instance, and the constant as a last line. */
    private void writeCsv(Sweep sweep, LatencyPredictor predictor, String device, List<Timed> ops) {
        StringBuilder sb = new StringBuilder("device,engine,threads,space,op,channels_in,channels_out,size,stride,"
                + "net_ms\n");
        for (Timed t : ops) {
            OpInstance op = t.op();
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%d,%d,%d,%d,%.6f%n", csv(device), ExecutorInfo.engine(),
                    cfg.torchThreads(), cfg.space(), op.op(), op.channelsIn(), op.channelsOut(), op.size(),
                    op.stride(), t.netMs(cfg)));
        }
        predictor.scales().forEach((kind, f) -> sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s%s,0,0,0,0,%.6f%n",
                csv(device), ExecutorInfo.engine(), cfg.torchThreads(), cfg.space(), LatencyPredictor.SCALE, kind, f)));
        sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,constant,0,0,0,0,%.6f%n", csv(device), ExecutorInfo.engine(),
                cfg.torchThreads(), cfg.space(), predictor.constant()));
        try {
            Path p = new Path(sweep.store().root(), "latency_table.csv");
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            WholeFiles.writeWhole(fs, p.toString(), sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String s) {
        return s.replace(',', ';');
    }

    static double overhead(ProfileConfig c) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return c.latencyOf(Timing.overhead(d, c.warmup(), c.repeats()));
    }

    static Timed timeOp(ProfileConfig c, OpInstance op, double overheadMs) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return new Timed(op, "", c.timeOp(op, d), overheadMs, ExecutorInfo.deviceName(d),
                ExecutorInfo.hostName());
    }

    static Timed timeNetwork(ProfileConfig c, String genotype) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return new Timed(null, genotype, c.timeNetwork(genotype, d), 0, ExecutorInfo.deviceName(d), ExecutorInfo.hostName());
    }
}
