package io.sparknas.pipeline.score;

import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.nn.Nb201Network;
import io.sparknas.estimators.zerocost.ProxyBatch;
import io.sparknas.estimators.zerocost.Scores;
import io.sparknas.estimators.zerocost.ZeroCostScorer;
import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.PartitionedStage;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Zero-cost proxies of a space on Spark ({@code score} job): the cells in parts of {@code cellsPerTask}, each part one
 * task that scores its cells with the executor's scorer (built once per executor JVM: engine, batch of images) and
 * one committed round of {@value #SCORES}; a rerun resumes at the parts not committed. A proxy that fails for a cell
 * is recorded in that row's {@code errors}; the row is still committed. With a table configured, the log ends with
 * each proxy's rank correlations against it.
 */
public record ScoreSweep(SparkSession spark, ScoreConfig cfg, Consumer<String> log) {
    public static final String SCORES = "scores";

    /** The {@value #SCORES} dataset (its schema is documented in docs/schema.md). */
    public static final StructType SCHEMA = ResultSchema.ddl("""
            sweep STRING NOT NULL, space STRING NOT NULL, id STRING NOT NULL, genotype STRING NOT NULL,
            seed BIGINT NOT NULL, scores MAP<STRING, DOUBLE> NOT NULL, errors MAP<STRING, STRING> NOT NULL,
            seconds MAP<STRING, DOUBLE> NOT NULL, data STRING NOT NULL, executor STRING NOT NULL, host STRING NOT NULL
            """);

    private static final Map<ScoreConfig, ZeroCostScorer> SCORERS = new ConcurrentHashMap<>();

    public record Result(Sweep sweep, List<ScoredCell> cells, List<ScoreRanks.Rank> ranks) {
    }

    /** A committed row, as the driver reads it back. */
    public record ScoredCell(String id, String genotype, Map<String, Double> scores, Map<String, String> errors) {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, SCORES);
        SweepRun run = SweepRun.of(spark, sweep, log);
        List<ScoreConfig.Cell> cells = cfg.cells();
        log.accept(String.format(Locale.ROOT, "scoring %d %s cells with %s%s", cells.size(), cfg.space(),
                cfg.zerocost().proxies(), cfg.data().map(d -> " on " + dataLabel(cfg)).orElse(" (data-free)")));
        ScoreConfig c = cfg;
        String sweepName = cfg.name();
        long t0 = System.nanoTime();
        int ran = new PartitionedStage<>("scores", SCORES, SCHEMA, cells, cfg.cellsPerTask(),
                (part, its) -> score(c, sweepName, its)).run(run);
        List<ScoredCell> scored = read(sweep.store());
        long failed = scored.stream().filter(s -> !s.errors().isEmpty()).count();
        log.accept(String.format(Locale.ROOT, "scored %d cells (%d with a proxy's failure)%s", scored.size(), failed,
                ran > 0 ? " in " + Durations.since(t0) : ""));
        List<ScoreRanks.Rank> ranks = cfg.rankTable().map(t -> ScoreRanks.of(scored, t)).orElse(List.of());
        ranks.stream().filter(r -> r.band().equals(ScoreRanks.WHOLE) && r.column().endsWith("-val"))
                .forEach(r -> log.accept(r.line()));
        return new Result(sweep, scored, ranks);
    }

    /** What the images are, as rows and the log say: the dataset, and whether it stands in for the network's own. */
    static String dataLabel(ScoreConfig cfg) {
        return cfg.data().map(d -> d.dataset() + (cfg.standIn() ? " at " + cfg.inputSide() + "x" + cfg.inputSide()
                + ", grey repeated over " + cfg.inputChannels() + " channels (a stand-in)" : "")).orElse("none");
    }

    /** Scores one part's cells on an executor. */
    private static List<Row> score(ScoreConfig cfg, String sweepName, List<ScoreConfig.Cell> cells) {
        ZeroCostScorer scorer = SCORERS.computeIfAbsent(cfg, ScoreSweep::scorer);
        Torch.pinThreads(cfg.zerocost().torchThreads());
        String data = dataLabel(cfg);
        List<Row> rows = new ArrayList<>(cells.size());
        for (ScoreConfig.Cell cell : cells) {
            Scores s = scoreOne(scorer, cfg, cell.genotype());
            rows.add(RowBuilder.of(SCHEMA).set("sweep", sweepName).set("space", cfg.space()).set("id", cell.id())
                    .set("genotype", cell.genotype()).set("seed", cfg.seed())
                    .set("scores", s.values()).set("errors", s.errors()).set("seconds", s.seconds()).set("data", data)
                    .set("executor", ExecutorInfo.executorId()).set("host", ExecutorInfo.hostName()).build());
        }
        return rows;
    }

    private static Scores scoreOne(ZeroCostScorer scorer, ScoreConfig cfg, String genotype) {
        int side = cfg.inputSide();
        int channels = cfg.inputChannels();
        if (cfg.isDarts()) {
            DartsGenotype g = DartsText.parse(genotype);
            return scorer.score(() -> new DartsNetwork(g, cfg.darts()), DartsCostModel.of(g, cfg.darts()), channels,
                    side, cfg.seed());
        }
        Nb201Cell cell = Nb201Cell.parse(genotype);
        return scorer.score(() -> new Nb201Network(cell, cfg.network()), Nb201CostModel.of(cell, cfg.network()),
                channels, side, cfg.seed());
    }

    private static ZeroCostScorer scorer(ScoreConfig cfg) {
        Optional<ProxyBatch> batch = cfg.data().map(d -> {
            DataConfig sized = d.imageSide() == cfg.inputSide() ? d : d.withResize(cfg.inputSide());
            Datasets.Split split = Datasets.shared(sized);
            return ProxyBatch.draw(split.train(), split.normalization(), cfg.zerocost().batch(), cfg.seed());
        });
        return new ZeroCostScorer(cfg.zerocost(), batch);
    }

    /** The committed rows, by id. */
    public static List<ScoredCell> read(io.sparknas.pipeline.core.ResultStore store) {
        List<ScoredCell> out = new ArrayList<>();
        for (Row r : store.read(SCORES).orderBy("id").collectAsList()) {
            out.add(new ScoredCell(r.getAs("id"), r.getAs("genotype"), r.getJavaMap(r.fieldIndex("scores")),
                    r.getJavaMap(r.fieldIndex("errors"))));
        }
        return out;
    }
}
