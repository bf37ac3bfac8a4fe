package io.sparknas.pipeline.profile;

import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.latency.DartsOps;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.latency.OpInstance;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * the predictor's constant is fitted on them, and its Spearman's rho and mean absolute percentage error are
 * reported. Tables: {@value #OPS} and {@value #CHECK}; beside them {@code latency_table.csv}, the table a
 * predictor or a benchmark reads without Spark.
 */
public record LatencyProfile(SparkSession spark, Config cfg, Consumer<String> log) {
    public static final String OPS = "latency_ops";
    public static final String CHECK = "latency_check";

    static final StructType OPS_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("device", DataTypes.StringType, false),
        DataTypes.createStructField("engine", DataTypes.StringType, false),
        DataTypes.createStructField("threads", DataTypes.IntegerType, false),
        DataTypes.createStructField("space", DataTypes.StringType, false),
        DataTypes.createStructField("op", DataTypes.StringType, false),
        DataTypes.createStructField("channels_in", DataTypes.IntegerType, false),
        DataTypes.createStructField("channels_out", DataTypes.IntegerType, false),
        DataTypes.createStructField("size", DataTypes.IntegerType, false),
        DataTypes.createStructField("stride", DataTypes.IntegerType, false),
        DataTypes.createStructField("median_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p10_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p90_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("repeats", DataTypes.IntegerType, false),
        DataTypes.createStructField("host", DataTypes.StringType, false),
        DataTypes.createStructField("overhead_ms", DataTypes.DoubleType, true),
        DataTypes.createStructField("net_ms", DataTypes.DoubleType, true),
    });

    static final StructType CHECK_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("device", DataTypes.StringType, false),
        DataTypes.createStructField("genotype", DataTypes.StringType, false),
        DataTypes.createStructField("measured_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p10_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p90_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("table_sum_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("predicted_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("host", DataTypes.StringType, false),
    });

    /**
     * The profile job's configuration, bound from {@code profile}.
     *
     * @param space        the space whose networks are timed: {@code nb201} or {@code darts}
     * @param network      nb201: the network timed (its channels, cells per stage, input)
     * @param darts        darts: the network timed (input, classes, channels, layers, stem): the one the proxy
     *                     estimator trains derived genotypes as, so that a latency-aware search predicts it
     * @param warmup       untimed passes before timing
     * @param repeats      timed passes per instance or network
     * @param validation   random networks timed end to end to fit and check the predictor (0 = none)
     * @param partitions   Spark tasks the timing is spread over (timings that share a machine disturb each other:
     *                     one task per executor machine)
     * @param seed         which random networks
     * @param torchThreads libtorch threads while timing (part of the table's key)
     */
    public record Config(String name, String output, String space, Nb201NetworkConfig network,
                         DartsNetworkConfig darts, int warmup, int repeats, int validation, int partitions, long seed,
                         int torchThreads) implements Sweep.Definition, Serializable {
        public static final List<String> SPACES = List.of(Nb201Space.NAME, DartsSpace.NAME);

        public Config {
            Json.checkName(name);
            if (!SPACES.contains(space)) {
                throw new IllegalArgumentException("profile.space must be one of " + SPACES + ", got '" + space + "'");
            }
            if (space.equals(Nb201Space.NAME) ? network == null : darts == null) {
                throw new IllegalArgumentException("profile." + (space.equals(Nb201Space.NAME) ? "network" : "darts")
                        + " must describe the " + space + " network to time");
            }
            if (warmup < 0 || repeats < 1 || validation < 0 || partitions < 1 || torchThreads < 1) {
                throw new IllegalArgumentException("profile: warmup >= 0, repeats >= 1, validation >= 0, partitions "
                        + ">= 1 and torchThreads >= 1 are required");
            }
        }

        @Override
        public String kind() {
            return "profile";
        }

        @Override
        public String semantics() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("kind", kind());
            n.put("space", space);
            n.set("network", Json.MAPPER.valueToTree(isDarts() ? darts : network));
            n.put("warmup", warmup);
            n.put("repeats", repeats);
            n.put("validation", validation);
            n.put("seed", seed);
            n.put("torchThreads", torchThreads);
            return Json.canonical(n);
        }

        @Override
        public io.sparknas.estimators.spec.EstimatorSpec estimator() {
            return null;
        }

        boolean isDarts() {
            return space.equals(DartsSpace.NAME);
        }

        /** Every distinct operation instance the space's networks run (DARTS: its 7 primitives). */
        List<OpInstance> instances() {
            return isDarts() ? DartsOps.distinct(darts, Operation.DARTS) : Nb201Ops.distinct(network);
        }

        /** The instances the network of {@code genotype} runs. */
        List<OpInstance> instancesOf(String genotype) {
            return isDarts() ? DartsOps.of(DartsText.parse(genotype), darts)
                    : Nb201Ops.of(Nb201Cell.parse(genotype), network);
        }

        /** A random network of the space, as text. */
        String sample(SeededRandom rng) {
            return isDarts() ? DartsText.format(new DartsSpace().sample(rng)) : new Nb201Space().sample(rng).text();
        }

        Timing.Result timeOp(OpInstance op, Device d) {
            return isDarts() ? Timing.dartsOp(op, d, warmup, repeats) : Timing.nb201Op(op, d, warmup, repeats);
        }

        Timing.Result timeNetwork(String genotype, Device d) {
            return isDarts() ? Timing.dartsNetwork(DartsText.parse(genotype), darts, d, warmup, repeats)
                    : Timing.nb201Network(Nb201Cell.parse(genotype), network, d, warmup, repeats);
        }
    }

    /** The outcome: the table's entries, the fitted predictor, and its agreement with end-to-end timings. */
    public record Result(Sweep sweep, LatencyPredictor predictor, double spearman, double mape, String device) {
    }

    /**
     * One timing from a task: the instance (or network) and its result, with where it ran; for an instance the
     * harness's overhead measured by the same task ({@link Timing#overhead}), 0 for a network.
     */
    record Timed(OpInstance op, String genotype, Timing.Result result, double overheadMs, String device, String host)
            implements Serializable {
        /** The table's entry: the median less the harness's overhead, never below 0. */
        double netMs() {
            return Math.max(0, result.medianMs() - overheadMs);
        }
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, OPS, CHECK);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<OpInstance> instances = cfg.instances();
        Config c = cfg;
        long t0 = System.nanoTime();
        List<Timed> ops = jsc.parallelize(instances, Math.min(cfg.partitions(), instances.size()))
                .mapPartitions(it -> {
                    List<Timed> out = new ArrayList<>();
                    double overhead = overhead(c);
                    it.forEachRemaining(op -> out.add(timeOp(c, op, overhead)));
                    return out.iterator();
                }).collect();
        String device = ops.get(0).device();
        Map<OpInstance, Double> table = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (Timed t : ops) {
            table.put(t.op(), t.netMs());
            rows.add(RowBuilder.of(OPS_SCHEMA).set("device", t.device()).set("engine", ExecutorInfo.engine())
                    .set("threads", cfg.torchThreads()).set("space", cfg.space()).set("op", t.op().op())
                    .set("channels_in", t.op().channelsIn()).set("channels_out", t.op().channelsOut())
                    .set("size", t.op().size()).set("stride", t.op().stride())
                    .set("median_ms", t.result().medianMs()).set("p10_ms", t.result().p10Ms())
                    .set("p90_ms", t.result().p90Ms()).set("repeats", t.result().repeats()).set("host", t.host())
                    .set("overhead_ms", t.overheadMs()).set("net_ms", t.netMs()).build());
        }
        sweep.commit(OPS, 0, rows, OPS_SCHEMA);
        log.accept(String.format(Locale.ROOT, "timed %d operation instances on %s in %s", ops.size(), device,
                Durations.since(t0)));
        LatencyPredictor predictor = new LatencyPredictor(table, 0);
        double rho = Double.NaN;
        double mape = Double.NaN;
        if (cfg.validation() > 0) {
            SeededRandom rng = new SeededRandom(cfg.seed());
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < cfg.validation(); i++) {
                cells.add(cfg.sample(rng));
            }
            List<Timed> nets = jsc.parallelize(cells, Math.min(cfg.partitions(), cells.size())).mapPartitions(it -> {
                List<Timed> out = new ArrayList<>();
                it.forEachRemaining(g -> out.add(timeNetwork(c, g)));
                return out.iterator();
            }).collect();
            List<List<OpInstance>> networks = new ArrayList<>();
            double[] measured = new double[nets.size()];
            for (int i = 0; i < nets.size(); i++) {
                networks.add(cfg.instancesOf(nets.get(i).genotype()));
                measured[i] = nets.get(i).result().medianMs();
            }
            predictor = predictor.fitted(networks, measured);
            double[] predicted = new double[measured.length];
            List<Row> check = new ArrayList<>();
            for (int i = 0; i < measured.length; i++) {
                predicted[i] = predictor.predict(networks.get(i));
                Timed t = nets.get(i);
                check.add(RowBuilder.of(CHECK_SCHEMA).set("device", t.device()).set("genotype", t.genotype())
                        .set("measured_ms", measured[i]).set("p10_ms", t.result().p10Ms())
                        .set("p90_ms", t.result().p90Ms()).set("table_sum_ms", predictor.sum(networks.get(i)))
                        .set("predicted_ms", predicted[i]).set("host", t.host()).build());
            }
            sweep.commit(CHECK, 0, check, CHECK_SCHEMA);
            rho = LatencyPredictor.spearman(predicted, measured);
            mape = LatencyPredictor.mape(predicted, measured);
            log.accept(String.format(Locale.ROOT, "predictor on %d random networks measured end to end: constant "
                    + "%.3f ms, Spearman's rho %.3f, mean absolute percentage error %.1f%%", measured.length,
                    predictor.constant(), rho, 100 * mape));
        }
        writeCsv(sweep, predictor, device, ops);
        return new Result(sweep, predictor, rho, mape, device);
    }

    /** {@code latency_table.csv} beside the tables: one line per instance, and the constant as a last line. */
    private void writeCsv(Sweep sweep, LatencyPredictor predictor, String device, List<Timed> ops) {
        StringBuilder sb = new StringBuilder("device,engine,threads,space,op,channels_in,channels_out,size,stride,"
                + "net_ms\n");
        for (Timed t : ops) {
            OpInstance op = t.op();
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%d,%d,%d,%d,%.6f%n", csv(device), ExecutorInfo.engine(),
                    cfg.torchThreads(), cfg.space(), op.op(), op.channelsIn(), op.channelsOut(), op.size(),
                    op.stride(), t.netMs()));
        }
        sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,constant,0,0,0,0,%.6f%n", csv(device), ExecutorInfo.engine(),
                cfg.torchThreads(), cfg.space(), predictor.constant()));
        try {
            Path p = new Path(sweep.store().root(), "latency_table.csv");
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            ResultStore.writeWhole(fs, p.toString(), sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String s) {
        return s.replace(',', ';');
    }


    static double overhead(Config c) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return Timing.overhead(d, c.warmup(), c.repeats()).medianMs();
    }

    static Timed timeOp(Config c, OpInstance op, double overheadMs) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return new Timed(op, "", c.timeOp(op, d), overheadMs, ExecutorInfo.deviceName(d),
                ExecutorInfo.hostName());
    }

    static Timed timeNetwork(Config c, String genotype) {
        Torch.pinThreads(c.torchThreads());
        Device d = ExecutorInfo.device();
        return new Timed(null, genotype, c.timeNetwork(genotype, d), 0, ExecutorInfo.deviceName(d), ExecutorInfo.hostName());
    }
}
