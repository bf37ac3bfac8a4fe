package io.sparknas.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.SupernetSpec;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.oneshot.ofa.OfaTrainingConfig;
import io.sparknas.pipeline.darts.DartsConfig;
import io.sparknas.pipeline.ofa.OfaConfig;
import io.sparknas.pipeline.scale.ScaleSweep;
import io.sparknas.pipeline.search.SpaceConfig;
import io.sparknas.pipeline.search.SweepConfig;
import io.sparknas.space.Settings;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.scaling.ScalingBase;
import io.sparknas.strategies.StrategyConfig;
import io.sparknas.strategies.scaling.CompoundScalingPlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A job's configuration: HOCON (Typesafe Config) from a file, {@code --set key=value} overrides on top, the
 * defaults of {@code sparknas-defaults.conf} below. Unknown keys are refused (a typo must not silently fall back
 * to a default); every value is validated by the record it lands in, and errors name the key and the file line.
 */
public record JobConfig(Config config, String source) {

    public static JobConfig load(Path file, List<String> overrides) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("configuration file " + file + " not found or not readable");
        }
        Config user;
        try {
            user = file == null ? ConfigFactory.empty()
                    : ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration file " + file + " is not valid HOCON: "
                    + e.getMessage());
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set takes key=value, got '" + o + "'");
            }
            String key = o.substring(0, eq).strip();
            String value = o.substring(eq + 1).strip();
            Config single;
            try {
                single = ConfigFactory.parseString(key + " = " + value);
            } catch (ConfigException e) {
                single = ConfigFactory.parseMap(Map.of(key, value));
            }
            user = single.withFallback(user);
        }
        Config defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), "sparknas-defaults.conf");
        checkKnown(user, defaults, file == null ? "--set" : file.toString());
        Config resolved = user.withFallback(defaults).resolve();
        return new JobConfig(resolved, file == null ? "defaults" : file.toString());
    }

    private static void checkKnown(Config user, Config defaults, String source) {
        Set<String> known = new TreeSet<>();
        defaults.entrySet().forEach(e -> known.add(e.getKey()));
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (known.contains(key) || key.startsWith("spark.conf.")) {
                continue;
            }
            String section = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
            String near = known.stream().filter(k -> k.startsWith(section + ".")).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("unknown setting '" + key + "' (" + e.getValue().origin().description()
                    + "); known settings" + (near.isEmpty() ? ": " + String.join(", ", known) : " under " + section + ": " + near));
        }
    }

    /** The search job's configuration: sweep, space, strategy, search and estimator sections. */
    public SweepConfig sweep() {
        try {
            Config c = config;
            return new SweepConfig(c.getString("sweep.name"), c.getString("sweep.output"),
                    bind("space", SpaceConfig.class), bind("strategy", StrategyConfig.class), estimator(),
                    bind(c.getConfig("search").withoutPath("objective"), "search",
                            io.sparknas.pipeline.search.SearchSettings.class),
                    bind("search.objective", io.sparknas.pipeline.search.SearchObjective.class));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /** The darts job's configuration: the {@code darts} section, the sweep's name and output, the estimator. */
    public DartsConfig darts() {
        try {
            Config c = config;
            return new DartsConfig(c.getString("sweep.name"), c.getString("sweep.output"),
                    bind(config.getConfig("darts").withoutPath("searches").withoutPath("latencyWeights")
                            .withoutPath("latencyTable"), "darts", DartsSearchConfig.class),
                    c.getInt("darts.searches"), estimator(), c.getDoubleList("darts.latencyWeights"),
                    c.getString("darts.latencyTable"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /** The ofa job's configuration: the {@code ofa} section, the sweep's name and output, the estimator. */
    public OfaConfig ofa() {
        try {
            Config c = config;
            return new OfaConfig(c.getString("sweep.name"), c.getString("sweep.output"),
                    bind("ofa.space", OfaSpace.class), bind("ofa.training", OfaTrainingConfig.class),
                    new OfaConfig.Search(c.getDoubleList("ofa.search.budgets"), c.getInt("ofa.search.evaluations"),
                            c.getInt("ofa.search.roundSize"), c.getInt("ofa.search.randomSubnets"),
                            bind("ofa.search.strategy", StrategyConfig.class),
                            c.getInt("ofa.search.calibrationImages"), c.getInt("ofa.search.latencyRepeats"),
                            c.getBoolean("ofa.search.scratch"), c.getBoolean("ofa.search.scratchMatched")),
                    estimator());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /** The profile job's configuration: the {@code profile} section, the sweep's name and output. */
    public io.sparknas.pipeline.profile.ProfileConfig profile() {
        try {
            Config c = config;
            Config p = config.getConfig("profile");
            String space = p.getString("space");
            io.sparknas.space.darts.DartsNetworkConfig darts = null;
            if (space.equals(io.sparknas.space.darts.DartsSpace.NAME)) {
                darts = estimator().dartsNetworkShape().orElseThrow(() -> new IllegalArgumentException(
                        "configuration " + source + ": profile.space = darts times the network estimator.kind = "
                        + "proxy trains; set estimator.kind = \"proxy\""));
            }
            return new io.sparknas.pipeline.profile.ProfileConfig(c.getString("sweep.name"),
                    c.getString("sweep.output"), space, bind(p.withOnlyPath("network"), "profile",
                    NetworkHolder.class).network(), darts, p.getInt("warmup"), p.getInt("repeats"), p.getInt("validation"),
                    p.getInt("partitions"), p.getLong("seed"), p.getInt("torchThreads"), p.getString("predictor"),
                    p.getString("statistic"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The score job's configuration: the {@code score} section, the sweep's name and output, and, where
     * {@code score.data = "estimator.data"}, that section's images. Its table and images are checked here, before
     * anything is written.
     */
    public io.sparknas.pipeline.score.ScoreConfig score() {
        try {
            Config c = config;
            Config s = config.getConfig("score");
            io.sparknas.estimators.data.DataConfig images = switch (s.getString("data")) {
                case "none" -> null;
                case "estimator.data" -> bind("estimator.data", io.sparknas.estimators.data.DataConfig.class);
                default -> throw new IllegalArgumentException("configuration " + source + ": score.data must be "
                        + "\"none\" or \"estimator.data\", got '" + s.getString("data") + "'");
            };
            io.sparknas.space.nb201.Nb201NetworkConfig network = bind(s.withOnlyPath("network"), "score",
                    NetworkHolder.class).network();
            io.sparknas.pipeline.score.ScoreConfig cfg = new io.sparknas.pipeline.score.ScoreConfig(
                    c.getString("sweep.name"), c.getString("sweep.output"), s.getString("space"), s.getInt("sample"),
                    s.getLong("seed"), s.getInt("cellsPerTask"), new io.sparknas.estimators.zerocost.ZeroCostConfig(
                    s.getStringList("proxies"), s.getInt("batch"), s.getInt("torchThreads")), network,
                    new io.sparknas.space.darts.DartsNetworkConfig(network.inputChannels(), network.inputSize(),
                            network.classes(), s.getInt("darts.channels"), s.getInt("darts.layers"),
                            s.getInt("darts.stemMultiplier")), images, s.getString("table"));
            cfg.checkLocal();
            return cfg;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /** {@code profile.network} bound by name. */
    record NetworkHolder(io.sparknas.space.nb201.Nb201NetworkConfig network) {
    }

    /** The scale job's configuration: the {@code scale} section, the sweep's name and output, the estimator. */
    public ScaleSweep.Config scale() {
        try {
            Config c = config;
            CompoundScalingPlan.Settings settings = bind(config.getConfig("scale").withoutPath("base"), "scale",
                    CompoundScalingPlan.Settings.class);
            return new ScaleSweep.Config(c.getString("sweep.name"), c.getString("sweep.output"),
                    baseGenotype(c.getString("scale.base")), settings, estimator());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code scale.base}: a named DARTS genotype, a NAS-Bench-201 string, a search sweep's exported
     * {@code genotype.json} (space darts or nb201), or a file with a DARTS or NAS-Bench-201 text; returned as the
     * cell's text.
     */
    private String baseGenotype(String base) {
        DartsGenotype named = Map.of("DARTS_V1", DartsGenotype.DARTS_V1, "DARTS_V2", DartsGenotype.DARTS_V2).get(base);
        if (named != null) {
            return DartsText.format(named);
        }
        if (base.strip().startsWith("|")) {
            try {
                return ScalingBase.parse(base).text();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configuration " + source + ": scale.base: " + e.getMessage(), e);
            }
        }
        Path file = Path.of(base);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("configuration " + source + ": scale.base: '" + base + "' is neither "
                    + "DARTS_V1, DARTS_V2, a NAS-Bench-201 cell (|op~0|+...) nor a readable file (give a search "
                    + "sweep's export/genotype.json)");
        }
        try {
            String text = Files.readString(file).strip();
            if (text.startsWith("{")) {
                com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(text);
                String space = json.path("space").asText();
                if (!space.equals(DartsSpace.NAME) && !space.equals(Nb201Space.NAME)) {
                    throw new IllegalArgumentException("configuration " + source + ": scale.base: " + file
                            + " is a genotype of space '" + space + "'; scaling takes a " + DartsSpace.NAME + " or "
                            + Nb201Space.NAME + " genotype (a search sweep's export)");
                }
                text = json.path("text").asText();
            }
            return ScalingBase.parse(text).text();
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("configuration ")) {
                throw iae;
            }
            throw new IllegalArgumentException("configuration " + source + ": scale.base: " + file + " holds no DARTS "
                    + "or NAS-Bench-201 genotype: " + e.getMessage(), e);
        }
    }

    /** The {@code estimator} section, bound by its {@code kind} to one of the estimator specifications. */
    EstimatorSpec estimator() {
        String kind = config.getString("estimator.kind");
        // supernet specs are made by the ofa job from its own checkpoint, not configured
        List<String> kinds = EstimatorSpec.kinds().stream().filter(k -> !k.equals(SupernetSpec.KIND)).toList();
        if (!kinds.contains(kind)) {
            throw new IllegalArgumentException("configuration " + source + ": estimator.kind must be one of "
                    + kinds + ", got '" + kind + "'");
        }
        return bind("estimator", EstimatorSpec.class);
    }

    /** Binds a section to a record by name; an invalid value is reported with the section it came from. */
    <T> T bind(String section, Class<T> type) {
        return bind(config.getConfig(section), section, type);
    }

    private <T> T bind(Config section, String name, Class<T> type) {
        try {
            return Settings.bind(section.root().render(ConfigRenderOptions.concise()), type);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException("configuration " + source + ": "
                    + (m.startsWith(name + ".") ? m : name + "." + m), e);
        }
    }

    /**
     * Refuses a missing or unreadable local dataset (a truncated file, a wrong header, labels that do not match the
     * images) before anything is written, where the job runs in Spark local mode (the executors are this JVM). On a
     * cluster the data must sit on the executors, which the driver cannot see.
     */
    void checkLocalData(EstimatorSpec estimator) {
        String master = System.getProperty("spark.master") != null ? System.getProperty("spark.master") : sparkMaster();
        if (master.startsWith("local")) {
            try {
                estimator.checkLocal();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configuration " + source + ": " + e.getMessage(), e);
            }
        }
    }

    /** A Spark session for a job: this configuration's master unless spark-submit (spark.master) chose one. */
    public org.apache.spark.sql.SparkSession sparkSession(String appName) {
        return io.sparknas.pipeline.core.SparkSessions.create(appName,
                System.getProperty("spark.master") != null ? null : sparkMaster(), sparkConf());
    }

    public String sparkMaster() {
        return config.getString("spark.master");
    }

    public Map<String, String> sparkConf() {
        Map<String, String> out = new TreeMap<>();
        config.getConfig("spark.conf").entrySet().forEach(e -> out.put(e.getKey().replace("\"", ""),
                String.valueOf(e.getValue().unwrapped())));
        return out;
    }

    public String exportDir() {
        return config.getString("export.dir");
    }

    public boolean exportRetrain() {
        return config.getBoolean("export.retrain");
    }

    /**
     * The resolved configuration of a job of {@code kind} as HOCON, for the log: the sweep, the kind's own sections
     * ({@link SweepKinds}), estimator, spark and export.
     */
    public String render(String kind) {
        List<String> paths = new java.util.ArrayList<>(List.of("sweep"));
        SweepKinds.named(kind).ifPresent(k -> paths.addAll(k.sections()));
        paths.addAll(List.of("estimator", "spark", "export"));
        Config shown = ConfigFactory.empty();
        for (String p : paths) {
            if (config.hasPath(p)) {
                shown = shown.withFallback(config.withOnlyPath(p));
            }
        }
        for (var e : shown.entrySet()) { // as Spark's spark.redaction.regex: credentials never reach a log
            if (SECRET.matcher(e.getKey()).find()) {
                shown = shown.withValue(e.getKey(), com.typesafe.config.ConfigValueFactory.fromAnyRef("*****"));
            }
        }
        return shown.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }

    /** Setting names whose values are masked where a configuration is shown (Spark's default redaction regex). */
    static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("(?i)secret|password|token|access[.]?key");
}
