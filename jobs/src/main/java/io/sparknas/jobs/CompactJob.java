package io.sparknas.jobs;

import io.sparknas.pipeline.core.AtomicRenames;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SweepLease;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sparknas compact --sweep PATH}: rewrites each committed round of {@code candidates} that holds several
 * files (an asynchronous search commits one per candidate) as one file with the same rows; readers see the same
 * data before and after. Asynchronous sweeps compact themselves when they end; this is for one stopped midway. Run it
 * when no run holds the sweep. Exit codes: 0 done, 2 not a sweep.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Merge a sweep's small committed files (asynchronous commits) without changing what they hold.")
public final class CompactJob implements Callable<Integer> {
    @Option(names = "--sweep", required = true, description = "the sweep folder or URI (sweep.output)")
    String sweep;

    @Option(names = "--take-over", description = "compact a sweep whose lease is stale (its run was killed)")
    boolean takeOver;

    @Override
    public Integer call() throws java.io.IOException {
        SparkSession spark = SparkSessions.forTool("sparknas-compact", Map.of());
        try {
            ResultStore store = new ResultStore(spark, sweep);
            if (store.metadata().isEmpty()) {
                System.err.println("sparknas compact: " + sweep + " is not a sweep (no sweep.json)");
                return 2;
            }
            if (!AtomicRenames.supported(new org.apache.hadoop.fs.Path(sweep).getFileSystem(
                    spark.sparkContext().hadoopConfiguration()))) {
                System.err.println("sparknas compact: " + sweep + " is on an object store, where compacting swaps "
                        + "folders by copying them (a crash could lose a round); its files stay one per candidate");
                return 2;
            }
            try (SweepLease lease = SweepLease.acquire(sweep, spark.sparkContext().hadoopConfiguration(), takeOver,
                    SweepLease.runId(spark.sparkContext().applicationId()))) { // never beside a running sweep
                store.recoverCompaction();
                int total = 0;
                for (int round : store.committedRounds(ResultStore.CANDIDATES)) {
                    total += store.compact(ResultStore.CANDIDATES, round);
                }
                System.out.println(total == 0 ? "nothing to compact in " + store.root()
                        : "compacted " + total + " files of " + store.path(ResultStore.CANDIDATES));
                return 0;
            } catch (SweepLease.Held e) {
                System.err.println("sparknas compact: " + e.getMessage());
                return 2;
            }
        } finally {
            spark.stop();
        }
    }
}
