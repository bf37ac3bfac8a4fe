package io.sparknas.jobs;

import io.sparknas.pipeline.profile.LatencyProfile;
import io.sparknas.pipeline.profile.ProfileConfig;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code sparknas profile --conf FILE [--set key=value ...] [--new-sweep]}: a latency table of the NAS-Bench-201 or
 * DARTS networks ({@code profile.space}) on the executors' device — every distinct operation instance timed, then
 * random networks timed end to end to fit and check the predictor (Spearman's rho, mean absolute percentage error).
 * A rerun resumes: committed timings are read back, not taken again. Exit codes: 0 done, 1 failure, 2 bad
 * configuration or a path holding another configuration.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Latency table of the NAS-Bench-201 or DARTS networks on this device, with its predictor "
                + "checked; a rerun resumes.")
public final class ProfileJob extends SweepJob<ProfileConfig> {

    public ProfileJob() {
        super("profile", JobConfig::profile);
    }

    @Override
    String describe(ProfileConfig cfg) {
        return String.format(Locale.ROOT, ": nb201 C=%d N=%d at %dx%d, %d repeats, %d networks to check",
                cfg.network().channels(), cfg.network().cellsPerStage(), cfg.network().inputSize(),
                cfg.network().inputSize(), cfg.repeats(), cfg.validation());
    }

    @Override
    Outcome run(SparkSession spark, ProfileConfig cfg) {
        LatencyProfile.Result r = new LatencyProfile(spark, cfg, System.out::println).run();
        return new Outcome(Optional.empty(), "latency table for " + r.device() + ": "
                + r.sweep().store().path(LatencyProfile.OPS) + " and " + r.sweep().store().root()
                + "/latency_table.csv", "", false);
    }
}
