package io.sparknas.jobs;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options every sweep-running command takes (a picocli mixin). */
public final class SweepOptions {
    @Option(names = "--conf", description = "HOCON configuration file, e.g. conf/quickstart.conf")
    Path conf;

    @Option(names = "--set", description = "override a setting, e.g. --set search.budget=32 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--new-sweep", description = "move an existing sweep at sweep.output aside and start anew")
    boolean newSweep;

    @Option(names = "--take-over", description = "run a sweep whose lease is stale (its run was killed)")
    boolean takeOver;

    /** The configuration file with the {@code --set} overrides, after {@code more} (the --set ones win). */
    JobConfig load(List<String> more) {
        List<String> all = new ArrayList<>(more);
        all.addAll(overrides);
        return JobConfig.load(conf, all);
    }
}
