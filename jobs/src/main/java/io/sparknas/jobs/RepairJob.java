package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SweepLease;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sparknas repair --sweep PATH [--dry-run]}: finds committed Parquet files that cannot be read (a truncated
 * copy, a disk that filled up) and moves the first damaged round, and every round after it, of every dataset to
 * {@code _quarantine/<millis>/} (an asynchronous search: the damaged or missing tell and those after it); nothing
 * is deleted. With {@code --retry-failed}, the first FAILED row's commit and those after it ({@link FailedRetry}).
 * The next run of the sweep evaluates those rounds again: every candidate carries its seed, and a search replays the
 * strategy up to there, so they reproduce. Exit codes: 0 repaired or nothing to repair, 2 not a sweep.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Move a sweep's unreadable committed files (and the rounds after them) aside for re-evaluation.")
public final class RepairJob implements Callable<Integer> {
    @Option(names = "--sweep", required = true, description = "the sweep folder or URI (sweep.output)")
    String sweep;

    @Option(names = "--dry-run", description = "say what would move, move nothing")
    boolean dryRun;

    @Option(names = "--take-over", description = "repair a sweep whose lease is stale (its run was killed)")
    boolean takeOver;

    @Option(names = "--retry-failed", description = "move the first FAILED row's commit (and what was committed after "
            + "it) aside, so that the next run evaluates those candidates again (an executor lost, a node preempted)")
    boolean retryFailed;

    @Option(names = "--where", paramLabel = "error~REGEX", description = "with --retry-failed: only FAILED rows whose "
            + "error matches this Java regular expression, e.g. error~'executor-lost|out of memory'")
    String where;

    @Override
    public Integer call() {
        SparkSession spark = SparkSessions.forTool("sparknas-repair", Map.of());
        try {
            ResultStore store = new ResultStore(spark, sweep);
            if (store.metadata().isEmpty()) {
                System.err.println("sparknas repair: " + sweep + " is not a sweep (no sweep.json)");
                return 2;
            }
            java.util.Optional<String> error = errorFilter();
            if (error == null) {
                return 2;
            }
            if (dryRun) {
                return retryFailed ? new FailedRetry(store, error).retry(true) : repair(store);
            }
            try (SweepLease lease = SweepLease.acquire(sweep, spark.sparkContext().hadoopConfiguration(), takeOver,
                    SweepLease.runId(spark.sparkContext().applicationId()))) { // never beside a running sweep
                return retryFailed ? new FailedRetry(store, error).retry(false) : repair(store);
            } catch (SweepLease.Held e) {
                System.err.println("sparknas repair: " + e.getMessage());
                return 2;
            }
        } finally {
            spark.stop();
        }
    }

    /** The regular expression of {@code --where error~REGEX}, empty without one; null (said why) when it is bad. */
    private java.util.Optional<String> errorFilter() {
        if (where == null) {
            return java.util.Optional.empty();
        }
        String regex = where.startsWith("error~") ? where.substring("error~".length()) : null;
        try {
            if (!retryFailed || regex == null || regex.isEmpty()) {
                throw new IllegalArgumentException(retryFailed ? "takes error~REGEX" : "needs --retry-failed");
            }
            java.util.regex.Pattern.compile(regex);
            return java.util.Optional.of(regex);
        } catch (IllegalArgumentException e) { // PatternSyntaxException too
            System.err.println("sparknas repair: --where " + where + ": " + e.getMessage().lines().findFirst()
                    .orElse("") + " (--retry-failed --where error~REGEX, a Java regular expression on the error)");
            return null;
        }
    }

    private int repair(ResultStore store) {
        List<ResultStore.Unreadable> bad = store.unreadable();
        if (bad.isEmpty()) {
            java.util.OptionalInt gap = tellGap(store);
            if (gap.isPresent()) { // a tell file deleted or lost: the tells after it cannot replay without it
                System.out.println("tell " + gap.getAsInt() + " of the asynchronous search is missing, later ones "
                        + "are committed");
                return quarantine(store, gap, 0, dryRun);
            }
            System.out.println("every committed file of " + store.root() + " is readable; nothing to repair");
            return 0;
        }
        bad.forEach(u -> System.out.println("unreadable (" + u.reason() + "): " + u.file()));
        java.util.OptionalInt tell = bad.stream().map(u -> ResultStore.tellSeq(u.file()))
                .filter(java.util.OptionalInt::isPresent).mapToInt(java.util.OptionalInt::getAsInt).min();
        boolean allTells = tell.isPresent() && bad.stream().allMatch(u -> ResultStore.tellSeq(u.file()).isPresent());
        // an asynchronous sweep: the damaged tell and those after it; the tells before it replay
        return quarantine(store, allTells ? tell : java.util.OptionalInt.empty(),
                bad.stream().mapToInt(ResultStore.Unreadable::round).min().orElseThrow(), dryRun);
    }

    /** The first tell missing before a committed one in an asynchronous search's round 0, if any. */
    private static java.util.OptionalInt tellGap(ResultStore store) {
        if (!store.committedRounds(ResultStore.CANDIDATES).contains(0)) {
            return java.util.OptionalInt.empty();
        }
        List<org.apache.spark.sql.Row> seqs = store.candidates().where("round = 0 AND tell_seq IS NOT NULL")
                .select("tell_seq").orderBy("tell_seq").collectAsList();
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i).getInt(0) != i) {
                return java.util.OptionalInt.of(i);
            }
        }
        return java.util.OptionalInt.empty();
    }

    /**
     * Moves an asynchronous search's tell {@code tell} and the later ones aside, or (no tell given, or no file held
     * it) round {@code round} and the later rounds of every dataset; says what moved, or would with {@code dryRun}.
     */
    static int quarantine(ResultStore store, java.util.OptionalInt tell, int round, boolean dryRun) {
        String to = store.root() + "/_quarantine/";
        if (tell.isPresent()) {
            if (dryRun) {
                System.out.println("would move tell " + tell.getAsInt() + " and later ones to " + to);
                return 0;
            }
            List<String> moved = store.quarantineTellsFrom(tell.getAsInt());
            if (!moved.isEmpty()) {
                System.out.println("moved to " + to + ": " + moved + "; the next run of the sweep evaluates them "
                        + "again");
                return 0;
            }
        }
        if (dryRun) {
            System.out.println("would move round " + round + " and later rounds of every dataset to " + to);
            return 0;
        }
        System.out.println("moved to " + to + ": " + store.quarantineFrom(round) + "; the next run of the sweep "
                + "evaluates them again");
        return 0;
    }
}
