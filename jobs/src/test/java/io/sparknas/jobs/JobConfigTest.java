package io.sparknas.jobs;

import io.sparknas.pipeline.SweepConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigTest {
    static final Path QUICKSTART = Path.of("../conf/quickstart.conf");

    @Test
    void quickstartLoadsWithItsValuesAndTheDefaults() {
        SweepConfig cfg = JobConfig.load(QUICKSTART, List.of()).sweep();
        assertEquals("quickstart", cfg.name());
        assertEquals("darts", cfg.space().name());
        assertEquals("evolution", cfg.strategy().name());
        assertEquals(32, cfg.budget());
        assertEquals(4, cfg.rounds());
        assertEquals(8, cfg.estimator().proxy().channels());
        assertEquals(5.0, cfg.estimator().proxy().gradClip(), "a default");
        assertEquals(16, cfg.estimator().data().resize());
    }

    @Test
    void everyTemplateInConfLoads() throws IOException {
        try (var files = Files.list(Path.of("../conf"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".conf")).toList()) {
                SweepConfig cfg = JobConfig.load(f, List.of()).sweep();
                assertTrue(cfg.budget() > 0, f.toString());
            }
        }
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
        assertEquals("strategy.tournamentSize must be in [1, populationSize=8], got 25", e.getMessage());
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
        io.sparknas.pipeline.DartsSweep.Config cfg = JobConfig.load(darts, List.of()).darts();
        assertEquals(2, cfg.searches());
        assertEquals(3, cfg.search().epochs());
        assertEquals(8, cfg.search().ops().size(), "empty darts.ops = the 8 DARTS primitives");
        assertEquals(3e-4, cfg.search().archLearningRate());
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
}
