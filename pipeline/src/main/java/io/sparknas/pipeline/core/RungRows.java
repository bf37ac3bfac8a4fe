package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.strategies.fidelity.FidelityLoop;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.util.Comparator;
import java.util.List;

/**
 * The {@code rungs} dataset of a multi-fidelity search: one row per event, in the order the driver saw them
 * ({@code seq}): a {@code start} when a job is decided (a new candidate at its bracket's lowest rung, or a paused one
 * promoted), committed before the job is submitted, and a {@code result} when its job returns, committed before the
 * scheduler hears it. Replaying them in order gives a resumed driver the same scheduler and strategy state, the same
 * promotions, and the jobs that were running. Every row names its candidate whole (the {@code candidates} columns of
 * the same names), its rung and bracket, the epochs it trains from and to, and where its training state is saved.
 */
public final class RungRows {
    public static final String DATASET = "rungs";
    static final String START = "start";
    static final String RESULT = "result";

    static final StructType SCHEMA = ResultSchema.ddl("""
            sweep_id STRING NOT NULL, seq INT NOT NULL, event STRING NOT NULL, candidate_id STRING NOT NULL,
            rung INT NOT NULL, bracket INT NOT NULL, epochs INT NOT NULL, from_epochs INT NOT NULL,
            checkpoint STRING NOT NULL, parents ARRAY<STRING> NOT NULL, origin STRING NOT NULL, space STRING NOT NULL,
            genotype STRING NOT NULL, canonical_key STRING NOT NULL, seed BIGINT NOT NULL, status STRING,
            accuracy DOUBLE, resumed_from_epoch INT, state_bytes BIGINT, span_seconds DOUBLE, error STRING,
            device STRING, executor STRING, host STRING, task_attempt INT, start_time TIMESTAMP, end_time TIMESTAMP,
            metrics MAP<STRING, DOUBLE>, config_hash STRING NOT NULL
            """);

    private RungRows() {
    }

    /** The file an event is committed as. */
    static String file(int seq) {
        return String.format("event-%06d.parquet", seq);
    }

    static Row start(Sweep sweep, int seq, FidelityLoop.Job job, String checkpoint) {
        return base(sweep, seq, START, job, checkpoint).build();
    }

    static Row result(Sweep sweep, int seq, FidelityLoop.Job job, String checkpoint, TaskResult r) {
        Evaluation e = r.evaluation();
        return ResultSchema.outcome(base(sweep, seq, RESULT, job, checkpoint), r)
                .set("status", e.status().name())
                .set(Metrics.ACCURACY, Double.isFinite(e.accuracy()) ? e.accuracy() : null)
                .set("resumed_from_epoch", whole(e, Metrics.RESUMED_FROM_EPOCH))
                .set("state_bytes", wholeLong(e, Metrics.STATE_BYTES))
                .set("span_seconds", Double.isFinite(e.metric(Metrics.SPAN_SECONDS)) ? e.metric(Metrics.SPAN_SECONDS)
                        : null)
                .build();
    }

    private static RowBuilder base(Sweep sweep, int seq, String event, FidelityLoop.Job job, String checkpoint) {
        Candidate c = job.candidate();
        RowBuilder b = RowBuilder.of(SCHEMA).set("sweep_id", sweep.name()).set("seq", seq).set("event", event)
                .set("candidate_id", c.id()).set("rung", job.rung()).set("bracket", job.bracket())
                .set("epochs", job.epochs()).set("from_epochs", job.fromEpochs()).set("checkpoint", checkpoint)
                .set("parents", c.parents()).set("origin", c.origin()).set("space", c.space())
                .set("genotype", c.genotype()).set("canonical_key", c.key()).set("seed", c.seed())
                .set("config_hash", sweep.hash());
        if (event.equals(START)) {
            for (String unset : List.of("status", Metrics.ACCURACY, "resumed_from_epoch", "state_bytes",
                    "span_seconds", "error", "device", "executor", "host", "task_attempt", "start_time", "end_time",
                    "metrics")) {
                b.set(unset, null);
            }
        }
        return b;
    }

    /** The committed events of a stage's round, in their order. */
    static List<Row> read(ResultStore store, int round) {
        if (!store.committedRounds(DATASET).contains(round)) {
            return List.of();
        }
        return store.read(DATASET).where("round = " + round).collectAsList().stream()
                .sorted(Comparator.comparingInt(r -> r.<Integer>getAs("seq"))).toList();
    }

    /** A committed event's candidate. */
    static Candidate candidate(Row row) {
        return ResultSchema.candidate(row);
    }

    /** A committed result as the evaluation the scheduler heard. */
    static TaskResult taskResult(Row row) {
        return new TaskResult(ResultSchema.toEvaluation(row), row.getAs("executor"), row.getAs("host"),
                row.<Integer>getAs("task_attempt"));
    }

    private static Integer whole(Evaluation e, String name) {
        double v = e.metric(name);
        return Double.isFinite(v) ? (int) v : null;
    }

    private static Long wholeLong(Evaluation e, String name) {
        double v = e.metric(name);
        return Double.isFinite(v) ? (long) v : null;
    }

}
