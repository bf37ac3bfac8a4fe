package io.sparknas.space.nb201;

import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.ProjectData;
import io.sparknas.space.cost.Cost;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nb201SpaceTest {
    private final Nb201Space space = new Nb201Space();

    /** The first rows of the benchmark table (arch, cellstr), always available. */
    static final Map<Integer, String> FIXTURE = Map.of(
            0, "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
            1, "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");

    @Test
    void fixtureStringsRoundTrip() {
        FIXTURE.values().forEach(s -> assertEquals(s, Nb201Cell.parse(s).text()));
    }

    @Test
    void everyBenchmarkRowRoundTripsAndIndexesOneCell() throws IOException {
        List<String> lines;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(ProjectData.nb201()))) {
            lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
        Map<Integer, Nb201Cell> byArch = new HashMap<>();
        Set<Integer> ordinals = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Nb201Cell cell = Nb201Cell.parse(f[1]);
            assertEquals(f[1], cell.text());
            assertEquals(cell, Nb201Cell.fromOrdinal(cell.ordinal()));
            byArch.put(Integer.parseInt(f[0]), cell);
            ordinals.add(cell.ordinal());
        }
        assertEquals(Nb201Space.SIZE, byArch.size());
        assertEquals(Nb201Space.SIZE, ordinals.size(), "arch <-> cell is a bijection");
        FIXTURE.forEach((arch, s) -> assertEquals(s, byArch.get(arch).text()));
    }

    @Test
    void uniqueStringsCollapseTheSpaceToNasBench201sCount() {
        Set<String> benchmark = new HashSet<>();
        Set<String> canonical = new HashSet<>();
        for (Nb201Cell c : Nb201Space.all()) {
            benchmark.add(space.benchmarkKey(c));
            canonical.add(space.canonicalKey(c));
        }
        assertEquals(6_466, benchmark.size(), "NAS-Bench-201 paper: 6,466 unique topologies");
        // The canonical key also drops zero terms from sums, which NB201's rule keeps ("#+0" vs "0"): 5,390.
        assertEquals(5_390, canonical.size());
    }

    @Test
    void theCanonicalKeyMergesCellsThatNasBench201sRuleSeparates() {
        // node 3 = conv(node 1) in both: in the second, node 2 is all zeros and conv(node 2) adds nothing, but
        // NB201's rule writes node 2 as "#+#" and keeps conv("#+#") as a term
        Nb201Cell c = Nb201Cell.parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|");
        Nb201Cell d = Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|");
        assertNotEquals(space.canonicalKey(c), space.canonicalKey(d));
        Nb201Cell plain = Nb201Cell.parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|none~2|");
        Nb201Cell zeroTerm = Nb201Cell.parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        assertEquals(Nb201Space.functionalString(plain), Nb201Space.functionalString(zeroTerm));
        assertNotEquals(Nb201Space.uniqueString(plain), Nb201Space.uniqueString(zeroTerm));
    }

    @Test
    void disconnectedEdgesDoNotChangeTheKey() {
        Nb201Cell a = Nb201Cell.parse("|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
        Nb201Cell b = Nb201Cell.parse("|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
        assertEquals(space.canonicalKey(a), space.canonicalKey(b));
        assertNotEquals(space.canonicalKey(a), space.canonicalKey(a.withOp(5, Operation.NOR_CONV_1X1)));
    }

    @Test
    void variationIsValidAndDeterministic() {
        SeededRandom r1 = new SeededRandom(3);
        SeededRandom r2 = new SeededRandom(3);
        for (int i = 0; i < 5000; i++) {
            Nb201Cell a = space.sample(r1);
            Nb201Cell b = space.sample(r1);
            Nb201Cell m = space.mutate(a, r1);
            Nb201Cell c = space.crossover(a, b, r1);
            assertEquals(a, space.sample(r2));
            assertEquals(b, space.sample(r2));
            assertEquals(m, space.mutate(a, r2));
            assertEquals(c, space.crossover(a, b, r2));
            assertEquals(1, diff(a, m));
            for (int k = 0; k < 6; k++) {
                assertTrue(c.ops().get(k) == a.ops().get(k) || c.ops().get(k) == b.ops().get(k));
            }
            assertEquals(c, space.parse(space.format(c)));
        }
        assertEquals(24, space.neighbours(Nb201Cell.fromOrdinal(0)).size());
    }

    private static int diff(Nb201Cell a, Nb201Cell b) {
        int d = 0;
        for (int k = 0; k < 6; k++) {
            d += a.ops().get(k) == b.ops().get(k) ? 0 : 1;
        }
        return d;
    }

    @Test
    void badStringsSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~1|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"));
        assertTrue(e.getMessage().contains("must be 'op~0'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Nb201Cell.parse("|nor_conv_3x3~0|"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Nb201Cell.parse("|sep_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
        assertTrue(e.getMessage().contains("not a NAS-Bench-201 operation"), e.getMessage());
    }

    @Test
    void pathEncodingCountsInputToOutputPaths() {
        Nb201Cell allConv = Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        // paths 0-3, 0-1-3, 0-2-3, 0-1-2-3: all conv3x3, so one bit per length
        assertEquals(3.0, Arrays.stream(Nb201Space.pathEncoding(allConv)).sum());
        Nb201Cell empty = Nb201Cell.fromOrdinal(0);
        assertEquals(0.0, Arrays.stream(Nb201Space.pathEncoding(empty)).sum());
        assertEquals(1, Nb201Space.adjacency(allConv)[0][3]);
        assertEquals(30 + 84, space.encode(allConv).length);
    }

    @Test
    void costModelMatchesNasBench201sParameterRange() {
        // NAS-Bench-201 (CIFAR-10) reports parameters from 0.073 MB (no convolutions) to 1.532 MB (all conv3x3)
        Nb201Cell allConv = Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        Cost max = Nb201CostModel.of(allConv, Nb201NetworkConfig.benchmark());
        Cost min = Nb201CostModel.of(Nb201Cell.fromOrdinal(0), Nb201NetworkConfig.benchmark());
        assertEquals(1.5316, max.params() / 1e6, 0.0005);
        assertEquals(0.0734, min.params() / 1e6, 0.0005);
    }
}
