package io.sparknas.jobs;

import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.pipeline.search.SweepConfig;
import io.sparknas.space.NetworkSize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigTest {
    static final Path QUICKSTART = Path.of("../conf/quickstart.conf");

    @Test
    void credentialsInTheConfigurationNeverReachTheLog() {
        JobConfig cfg = JobConfig.load(QUICKSTART, List.of("spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=s3cr3t",
                "spark.conf.\"spark.hadoop.fs.s3a.access.key\"=AKIAEXAMPLE", "spark.conf.\"spark.executor.cores\"=1"));
        String shown = cfg.render("search");
        assertFalse(shown.contains("s3cr3t") || shown.contains("AKIAEXAMPLE"), shown);
        assertTrue(shown.contains("\"spark.hadoop.fs.s3a.secret.key\"=\"*****\"") && shown.contains("spark.executor.cores"),
                shown);
    }

    /** Also for the ASHA quickstart: the scheduler binds by name and rungs are what it says. */
    @Test
    void theAshaQuickstartBindsItsScheduler() {
        SweepConfig cfg = JobConfig.load(Path.of("../conf/asha-quickstart.conf"), List.of()).sweep();
        assertEquals("asha", cfg.search().scheduler().kind());
        assertEquals(List.of(1, 2, 4, 8), cfg.search().scheduler().rungs());
        assertEquals(io.sparknas.pipeline.search.SearchMode.ASYNC, cfg.search().mode());
        assertTrue(cfg.semantics().contains("\"scheduler\""), cfg.semantics());
        assertFalse(JobConfig.load(QUICKSTART, List.of()).sweep().semantics().contains("scheduler"),
                "a sweep without a scheduler keeps the hash it had");
    }

    @Test
    void quickstartLoadsWithItsValuesAndTheDefaults() {
        SweepConfig cfg = JobConfig.load(QUICKSTART, List.of()).sweep();
        assertEquals("quickstart", cfg.name());
        assertEquals("darts", cfg.space().name());
        assertEquals("evolution", cfg.strategy().name());
        assertEquals(32, cfg.budget());
        assertEquals(8, cfg.roundSize());
        assertEquals(io.sparknas.pipeline.search.SearchMode.ROUNDS, cfg.search().mode());
        ProxySpec proxy = assertInstanceOf(ProxySpec.class, cfg.estimator());
        assertEquals(new NetworkSize(8, 3, 3), proxy.proxy().network(), "channels and layers given, stemMultiplier a default");
        assertEquals(new SgdConfig(0.05, 0.9, 3e-4, 5), proxy.proxy().sgd(), "learningRate given, the rest defaults");
        assertEquals(4, proxy.proxy().epochs());
        assertEquals(16, proxy.data().resize());
    }

    @Test
    void everyTemplateInConfBindsForTheSearchAndTheDartsJob() throws IOException {
        List<Path> confs;
        try (var files = Files.list(Path.of("../conf"))) {
            confs = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
        assertTrue(confs.size() >= 6, "the quickstarts and the cluster templates: " + confs);
        for (Path f : confs) {
            JobConfig job = JobConfig.load(f, List.of());
            SweepConfig search = job.sweep();
            assertEquals(job.config().getString("sweep.name"), search.name(), f.toString());
            if (search.estimator() instanceof ProxySpec) {
                io.sparknas.pipeline.darts.DartsConfig darts = job.darts();
                assertEquals(job.config().getInt("darts.epochs"), darts.search().epochs(), f.toString());
                io.sparknas.pipeline.scale.ScaleSweep.Config scale = job.scale();
                assertEquals(job.config().getInt("scale.maxPhi"), scale.scale().maxPhi(), f.toString());
            }
            // the ofa sections (the whole ofa configuration also checks that the data is present: OfaJobTest)
            assertEquals(job.config().getInt("ofa.training.fullEpochs"),
                    job.bind("ofa.training", io.sparknas.oneshot.ofa.OfaTrainingConfig.class).fullEpochs(), f.toString());
            assertEquals(job.config().getIntList("ofa.space.widths"),
                    job.bind("ofa.space", io.sparknas.space.ofa.OfaSpace.class).widths(), f.toString());
            job.bind("ofa.search.strategy", io.sparknas.strategies.StrategyConfig.class);
        }
    }

    @Test
    void theScoreTemplateBindsItsProxiesAndTakesTheEstimatorsImagesOnlyWhenAsked() {
        Path conf = Path.of("../conf/score-nb201.conf");
        var free = JobConfig.load(conf, List.of("score.table=")).score();
        assertEquals(List.of("synflow", "params", "flops"), free.zerocost().proxies());
        assertTrue(free.data().isEmpty(), "data-free proxies read no images");
        assertEquals(io.sparknas.space.nb201.Nb201NetworkConfig.benchmark(), free.network());
        var missing = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(conf, List.of("score.table=",
                "score.proxies=[naswot]", "score.data=estimator.data", "estimator.data.dir=/nonexistent")).score());
        assertTrue(missing.getMessage().contains("/nonexistent does not exist"), "checked before anything is written: "
                + missing.getMessage());
        io.sparknas.space.TestData.require(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST missing: sudo apt-get install dataset-fashion-mnist");
        var needy = JobConfig.load(conf, List.of("score.table=", "score.proxies=[naswot]", "score.data=estimator.data"))
                .score();
        assertEquals("fashion-mnist", needy.data().orElseThrow().dataset());
        var bad = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(conf, List.of("score.data=cifar"))
                .score());
        assertTrue(bad.getMessage().contains("score.data must be \"none\" or \"estimator.data\""), bad.getMessage());
        var noData = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(conf,
                List.of("score.proxies=[snip]")).score());
        assertTrue(noData.getMessage().startsWith("zero-cost proxies [snip] need images"), noData.getMessage());
    }

    @Test
    void theOneShotTemplateBindsItsSupernetAndAMissingOrCorruptCheckpointIsRefusedInOneLine() throws IOException {
        Path conf = Path.of("../conf/oneshot-nb201.conf");
        io.sparknas.space.TestData.require(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST missing: sudo apt-get install dataset-fashion-mnist");
        var spec = (io.sparknas.estimators.spec.OneShotSpec) JobConfig.load(conf, List.of()).sweep().estimator();
        assertEquals(new io.sparknas.estimators.spec.OneShotConfig(30, "uniform", 500, 0, ""), spec.oneshot());
        assertEquals(16, spec.nb201Network().channels());
        assertTrue(spec.sweepTraining().isPresent(), "no checkpoint given: the sweep trains one");
        JobConfig given = JobConfig.load(conf, List.of("estimator.oneshot.checkpoint=/nonexistent/s.ckpt"));
        var e = assertThrows(IllegalArgumentException.class, () -> given.checkLocalData(given.sweep().estimator()));
        assertTrue(e.getMessage().contains("estimator.oneshot.checkpoint: no file /nonexistent/s.ckpt"),
                e.getMessage());
        Path junk = Files.createTempFile("junk", ".ckpt");
        Files.writeString(junk, "not a supernet");
        JobConfig corrupt = JobConfig.load(conf, List.of("estimator.oneshot.checkpoint=" + junk));
        e = assertThrows(IllegalArgumentException.class, () -> corrupt.checkLocalData(corrupt.sweep().estimator()));
        assertTrue(e.getMessage().contains(junk + " is not a sparknas single-path NAS-Bench-201 supernet"),
                e.getMessage());
        Files.delete(junk);
        var sampling = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(conf,
                List.of("estimator.oneshot.sampling=fairly")).sweep());
        assertTrue(sampling.getMessage().contains("'fairly' is not a path sampling; use \"uniform\" (SPOS) or "
                + "\"fair\""), sampling.getMessage());
    }

    @Test
    void theDefaultsFileAndTheRecordsDefaultsAgree() {
        JobConfig defaults = JobConfig.load(null, List.of());
        assertEquals(ProxyConfig.defaults(), defaults.bind("estimator.proxy", ProxyConfig.class));
        assertEquals(DartsSearchConfig.defaults(), defaults.darts().search());
    }

    @Test
    void overridesWinAndChangeTheHash() {
        SweepConfig base = JobConfig.load(QUICKSTART, List.of()).sweep();
        SweepConfig more = JobConfig.load(QUICKSTART, List.of("search.budget=40", "sweep.output=/tmp/x")).sweep();
        assertEquals(40, more.budget());
        assertEquals("/tmp/x", more.output());
        assertNotEquals(base.hash(), more.hash());
        SweepConfig elsewhere = JobConfig.load(QUICKSTART, List.of("sweep.output=/tmp/y", "search.partitions=3")).sweep();
        assertEquals(base.hash(), elsewhere.hash(), "where results go and how they are partitioned do not change results");
    }

    @Test
    void unknownKeysAreRefusedWithTheKnownOnes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("typo.conf");
        Files.writeString(f, "strategy {\n  popsize = 10\n}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(f, List.of()));
        assertTrue(e.getMessage().startsWith("unknown setting 'strategy.popsize'"), e.getMessage());
        assertTrue(e.getMessage().contains("typo.conf: 2"), e.getMessage());
        assertTrue(e.getMessage().contains("strategy.populationSize"), e.getMessage());
    }

    @Test
    void badValuesNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(QUICKSTART, List.of("strategy.tournamentSize=25")).sweep());
        assertEquals("configuration ../conf/quickstart.conf: strategy.tournamentSize must be in [1, populationSize=8], "
                + "got 25", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(QUICKSTART, List.of("estimator.proxy.learningRate=20")).sweep());
        assertEquals("configuration ../conf/quickstart.conf: estimator.proxy.learningRate must be in (0, 10], got 20.0",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(QUICKSTART, List.of("estimator.kind=oracle")).sweep());
        assertEquals("configuration ../conf/quickstart.conf: estimator.kind must be one of [proxy, tabular, oneshot], got "
                + "'oracle'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(QUICKSTART, List.of("search.budget=many")).sweep());
        assertTrue(e.getMessage().contains("search.budget"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(Path.of("absent.conf"), List.of()));
        assertEquals("configuration file absent.conf not found or not readable", e.getMessage());
    }

    @Test
    void theCommandLineExitsWithTwoOnABadConfiguration() {
        assertEquals(2, Main.run("search", "--conf", "absent.conf"));
        assertEquals(2, Main.run("search", "--conf", QUICKSTART.toString(), "--set", "space.name=resnet"));
        assertEquals(2, Main.run("darts", "--conf", "../conf/darts-quickstart.conf", "--set", "darts.order=3"));
    }

    @Test
    void theDartsQuickstartLoadsAndBadDartsValuesNameTheSetting() {
        Path darts = Path.of("../conf/darts-quickstart.conf");
        io.sparknas.pipeline.darts.DartsConfig cfg = JobConfig.load(darts, List.of()).darts();
        assertEquals(2, cfg.searches());
        assertEquals(3, cfg.search().epochs());
        assertEquals(8, cfg.search().ops().size(), "empty darts.ops = the 8 DARTS primitives");
        assertEquals(3e-4, cfg.search().architect().archLearningRate());
        assertEquals(2, cfg.search().maxSkips());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(darts, List.of("darts.ops=[sep_conv_3x3, nor_conv_3x3]")).darts());
        assertTrue(e.getMessage().contains("darts.ops") && e.getMessage().contains("nor_conv_3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(darts, List.of("darts.ops=[none, skip_connect]")).darts());
        assertTrue(e.getMessage().contains("darts.maxSkips"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(darts, List.of("estimator.kind=tabular", "estimator.table.path=x.csv")).darts());
        assertTrue(e.getMessage().contains("estimator.kind = proxy"), e.getMessage());
    }

    /** What a search sweep builds is checked before sweep.json is written (issue 13: fixing a typo needed --new-sweep). */
    @Test
    void aSearchWithABadSpaceOrMissingDataWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("never");
        for (String[] b : List.of(new String[] {"space.nodes=9", "space: nodes must be in [2, 6], got 9"},
                new String[] {"space.ops=[\"conv_9x9\"]", "unknown operation 'conv_9x9'"},
                new String[] {"estimator.data.dir=" + dir.resolve("absent"), "the fashion-mnist directory "
                        + dir.resolve("absent") + " does not exist"})) {
            String printed = DoctorJobTest.runAll("search", "--conf", "../conf/quickstart.conf", "--set",
                    "sweep.output=" + out, "--set", b[0]);
            assertTrue(printed.startsWith("2\n") && printed.contains(b[1]), b[0] + ": " + printed);
            assertFalse(java.nio.file.Files.exists(out), "nothing written for " + b[0]);
        }
    }
}
