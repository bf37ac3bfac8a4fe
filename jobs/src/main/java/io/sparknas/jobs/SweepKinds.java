package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.space.Evaluation;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The sweep kinds sparknas runs, one line each: the command line's sweep subcommands, the configuration sections
 * the log shows of a job's configuration, and the report's section for the kind come from here. A new kind is a
 * package of the pipeline (its configuration and stages on the core), a job, and one line below (docs/design.md).
 */
final class SweepKinds {
    private SweepKinds() {
    }

    /** What the report prints for a sweep of a kind, after what it prints for every sweep. */
    @FunctionalInterface
    interface ReportSection {
        void print(ResultStore store, List<Evaluation> all, JsonNode sweepJson, PrintStream out);
    }

    /**
     * @param name     the subcommand and the {@code kind} recorded in {@code sweep.json}
     * @param job      the command that runs it
     * @param sections the configuration sections it reads beside sweep, estimator, spark and export
     * @param report   its section of {@code ./sparknas report}
     * @param example  a configuration in conf/ that runs it, for its --help
     */
    record Kind(String name, Supplier<SweepJob<?>> job, List<String> sections, ReportSection report, String example) {
    }

    static final List<Kind> ALL = List.of(
            new Kind("search", SearchJob::new, List.of("space", "strategy", "search"), ReportSections::search,
                    "conf/quickstart.conf"),
            new Kind("darts", DartsJob::new, List.of("darts"), ReportSections::darts, "conf/darts-quickstart.conf"),
            new Kind("scale", ScaleJob::new, List.of("scale"), ReportSections::scaling, "conf/scale-quickstart.conf"),
            new Kind("ofa", OfaJob::new, List.of("ofa"), ReportSections::ofa, "conf/ofa-quickstart.conf"),
            new Kind("profile", ProfileJob::new, List.of("profile"), ReportSections::none, "conf/profile-nb201.conf"),
            new Kind("score", ScoreJob::new, List.of("score"), ReportSections::score, "conf/score-nb201.conf"));

    static Optional<Kind> named(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
    }
}
