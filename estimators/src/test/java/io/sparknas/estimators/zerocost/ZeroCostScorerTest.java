package io.sparknas.estimators.zerocost;

import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.nn.Nb201Network;
import io.sparknas.space.TestData;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZeroCostScorerTest {
    /** A small skeleton (C = 8, 1 cell per stage) keeps the test fast; the proxies do not depend on the size. */
    private static final Nb201NetworkConfig NET = new Nb201NetworkConfig(3, 32, 10, 8, 1);
    private static final ZeroCostConfig ALL = new ZeroCostConfig(ZeroCostProxy.names(), 16, 1);
    private static ZeroCostScorer scorer;

    @BeforeAll
    static void batch() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST missing: sudo apt-get install dataset-fashion-mnist");
        Datasets.Split split = Datasets.shared(new DataConfig("fashion-mnist", "", 4, 1.0, 1, 0, 32));
        scorer = new ZeroCostScorer(ALL, Optional.of(ProxyBatch.draw(split.train(), split.normalization(), 16, 7)));
    }

    private static Scores score(String cell, long seed) {
        Nb201Cell c = Nb201Cell.parse(cell);
        return scorer.score(() -> new Nb201Network(c, NET), Nb201CostModel.of(c, NET), 3, 32, seed);
    }

    private static String uniform(String op) {
        return "|" + op + "~0|+|" + op + "~0|" + op + "~1|+|" + op + "~0|" + op + "~1|" + op + "~2|";
    }

    @Test
    void everyProxyScoresAConnectedCellAndTheSameSeedGivesTheSameScores() {
        Scores a = score(uniform("nor_conv_3x3"), 11);
        assertEquals(List.of(), List.copyOf(a.errors().keySet()), a.errors().toString());
        assertEquals(ZeroCostProxy.names().stream().sorted().toList(), List.copyOf(a.values().keySet()));
        assertEquals(a.values(), score(uniform("nor_conv_3x3"), 11).values());
        assertTrue(a.value("synflow") != score(uniform("nor_conv_3x3"), 12).value("synflow"),
                "another seed initialises other weights");
    }

    @Test
    void synflowGrowsWithTheConvolutionsOfTheCell() {
        double conv3 = score(uniform("nor_conv_3x3"), 5).value("synflow");
        double conv1 = score(uniform("nor_conv_1x1"), 5).value("synflow");
        double skip = score(uniform("skip_connect"), 5).value("synflow");
        assertTrue(conv3 > conv1 && conv1 > skip && skip > 0, conv3 + " > " + conv1 + " > " + skip + " > 0");
    }

    @Test
    void aDisconnectedCellIsEachDataProxysFailureNotTheCandidates() {
        Scores none = score(uniform("none"), 3);
        assertEquals(0.0, none.value("synflow"), "no path from input to output: no weight moves the output");
        assertTrue(none.value("params") > 0 && none.value("flops") > 0);
        assertTrue(none.errors().containsKey("naswot"), "every image has the same codes: a singular kernel");
        assertTrue(none.errors().containsKey("jacob_cov"), "the input gradient is zero: no correlations");
        assertFalse(none.values().containsKey("naswot"));
    }

    @Test
    void unknownProxiesAndDataProxiesWithoutDataAreRefusedInOneLine() {
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> new ZeroCostConfig(List.of("synflow", "zen"), 64, 1));
        assertEquals("unknown zero-cost proxy 'zen'; known: params, flops, synflow, naswot, jacob_cov, grad_norm, "
                + "snip, fisher", unknown.getMessage());
        var noData = assertThrows(IllegalArgumentException.class,
                () -> new ZeroCostScorer(new ZeroCostConfig(List.of("synflow", "snip"), 64, 1), Optional.empty()));
        assertTrue(noData.getMessage().contains("[snip] need images"), noData.getMessage());
    }
}
