package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.List;
import java.util.Optional;

/**
 * {@code repair --retry-failed}: a FAILED row that an environment caused (an executor lost, a node preempted, a
 * dataset missing on one host) is moved aside with every commit after it, as a damaged file is, so that the next run
 * replays the strategy up to there and evaluates those candidates again, seeded as before. Later commits go too
 * because the strategy chose them knowing of the failure; nothing is deleted.
 */
final class FailedRetry {
    private final ResultStore store;
    private final Optional<String> errorRegex;

    FailedRetry(ResultStore store, Optional<String> errorRegex) {
        this.store = store;
        this.errorRegex = errorRegex;
    }

    int retry(boolean dryRun) {
        if (!store.unreadable().isEmpty()) {
            System.err.println("sparknas repair: " + store.root() + " has unreadable files; run ./sparknas repair "
                    + "--sweep " + store.root() + " first, then the sweep, then --retry-failed");
            return 2;
        }
        String which = errorRegex.map(r -> " whose error matches '" + r + "'").orElse("");
        if (store.committedRounds(ResultStore.CANDIDATES).isEmpty()) {
            System.out.println("no candidate is committed in " + store.root() + "; nothing to retry");
            return 0;
        }
        Dataset<Row> failed = store.candidates().filter(functions.col("status").equalTo("FAILED"));
        if (errorRegex.isPresent()) {
            failed = failed.filter(functions.col("error").rlike(errorRegex.get()));
        }
        List<Row> rows = failed.select("round", "tell_seq", "candidate_id").collectAsList();
        if (rows.isEmpty()) {
            System.out.println("no FAILED candidate" + which + " in " + store.root() + "; nothing to retry");
            return 0;
        }
        List<String> ids = rows.stream().map(r -> r.<String>getAs("candidate_id")).sorted().toList();
        System.out.println(rows.size() + " FAILED candidate(s)" + which + ": " + String.join(", ", ids));
        boolean told = rows.stream().allMatch(r -> r.getAs("tell_seq") != null && r.<Integer>getAs("round") == 0);
        java.util.OptionalInt seq = told // an asynchronous search: from the first failed tell on
                ? rows.stream().mapToInt(r -> r.<Integer>getAs("tell_seq")).min() : java.util.OptionalInt.empty();
        return RepairJob.quarantine(store, seq, rows.stream().mapToInt(r -> r.<Integer>getAs("round")).min()
                .orElseThrow(), dryRun);
    }
}
