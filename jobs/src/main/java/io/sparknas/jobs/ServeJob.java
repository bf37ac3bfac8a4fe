package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sparknas serve --sweep PATH}: a live, read-only page of a sweep (running or finished) for a browser:
 * progress and ETA, best-so-far, the candidates table, learning curves, the accuracy-cost front and the winner's
 * cell, redrawn as rows are committed. Bound to localhost unless {@code --host} says otherwise; reads the Parquet
 * with a local Spark session, so any Hadoop URI works. Runs until interrupted (Ctrl-C).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve a live page of a sweep.",
        footer = {"", "Exit codes: 0 stopped, 1 failed, 2 bad arguments, not a sweep, or the port is taken.",
                "Example: ./sparknas serve --sweep sweeps/nb201-evolution  (then open http://localhost:8642/)"})
public final class ServeJob implements Callable<Integer> {
    @Option(names = "--sweep", required = true, description = "the sweep folder or URI (sweep.output)")
    String sweep;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "the address to listen on (0.0.0.0: every "
            + "interface; the page has no login, so only on a trusted network)")
    String host;

    @Option(names = "--port", defaultValue = "8642", description = "the port (0: any free one)")
    int port;

    @Option(names = "--refresh", defaultValue = "5", description = "seconds between the page's polls")
    int refresh;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535 || refresh < 1) {
            System.err.println("sparknas serve: --port " + port + " --refresh " + refresh + ": the port must be "
                    + "0-65535 and the refresh at least 1 second, e.g. --port 8642 --refresh 5");
            return 2;
        }
        SparkSession spark = SparkSessions.forTool("sparknas-serve",
                Map.of("spark.sql.files.ignoreCorruptFiles", "true"));
        try {
            if (new ResultStore(spark, sweep).metadata().isEmpty()) {
                System.err.println("sparknas serve: " + sweep + " is not a sweep (no sweep.json); give the "
                        + "sweep.output of a job, once it has started");
                return 2;
            }
            SweepServer server;
            try {
                server = SweepServer.start(spark, sweep, host, port, refresh);
            } catch (java.net.BindException e) {
                System.err.println("sparknas serve: cannot listen on " + host + ":" + port + " (" + e.getMessage()
                        + "); choose another with --port, or --port 0 for any free one");
                return 2;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "sparknas-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("serving " + sweep + " at " + server.url() + " (read-only; Ctrl-C stops)");
            stopped.await();
            return 0;
        } finally {
            spark.stop();
        }
    }
}
