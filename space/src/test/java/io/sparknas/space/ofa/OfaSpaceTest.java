package io.sparknas.space.ofa;

import io.sparknas.space.cost.Cost;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfaSpaceTest {
    private final OfaSpace space = OfaSpace.mnist();

    @Test
    void subnetsRoundTripThroughTheirTextAndEqualTextsMeanEqualKeys() {
        Random rng = new Random(3);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            OfaSubnet net = space.sample(rng);
            assertEquals(net, space.parse(space.format(net)));
            assertEquals(space.canonicalKey(net), space.canonicalKey(space.parse(net.text())));
            keys.add(space.canonicalKey(net));
        }
        assertTrue(keys.size() > 190, "200 draws from ~10^12 subnets are almost all distinct: " + keys.size());
        assertEquals("k7e6 k7e6 k7e6 k7e6 | k7e6 k7e6 k7e6 k7e6 | k7e6 k7e6 k7e6 k7e6", space.largest().text());
        assertEquals("k3e3 k3e3 | k3e3 k3e3 | k3e3 k3e3", space.smallest().text());
    }

    @Test
    void aSubnetHasAJsonFormThatRoundTrips() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        OfaSubnet net = OfaSubnet.parse("k3e4 k7e6 | k5e3 k3e6 k3e3 | k7e4 k3e3 k5e6 k3e4");
        String text = json.writeValueAsString(net);
        assertEquals("{\"stages\":[[{\"kernel\":3,\"expand\":4},{\"kernel\":7,\"expand\":6}],[{\"kernel\":5,"
                + "\"expand\":3},{\"kernel\":3,\"expand\":6},{\"kernel\":3,\"expand\":3}],[{\"kernel\":7,\"expand\":4},"
                + "{\"kernel\":3,\"expand\":3},{\"kernel\":5,\"expand\":6},{\"kernel\":3,\"expand\":4}]]}", text);
        assertEquals(net, json.readValue(text, OfaSubnet.class));
        assertEquals(space, json.readValue(json.writeValueAsString(space), OfaSpace.class));
    }

    @Test
    void aSubnetOutsideTheSpaceIsRefusedNamingWhatDiffers() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> space.parse("k9e6 k3e3 | k3e3 k3e3 | k3e3 k3e3"))
                .getMessage().contains("kernel 9 in stage 1; allowed kernels: [3, 5, 7]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> space.parse("k3e5 k3e3 | k3e3 k3e3 | k3e3 k3e3"))
                .getMessage().contains("expand ratio 5 in stage 1; allowed ratios: [3, 4, 6]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> space.parse("k3e3 | k3e3 k3e3 | k3e3 k3e3"))
                .getMessage().contains("stage 1 has depth 1; allowed depths: [2, 3, 4]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> space.parse("k3e3 k3e3 | k3e3 k3e3"))
                .getMessage().contains("has 2 stages; this space has 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> space.parse("k3e3 k3x3 | k3e3 k3e3 | k3e3 k3e3"))
                .getMessage().contains("stage 1 block 'k3x3'"));
    }

    @Test
    void neighboursMutationAndCrossoverStayInTheSpace() {
        Random rng = new Random(5);
        OfaSubnet a = space.sample(rng);
        OfaSubnet b = space.sample(rng);
        List<OfaSubnet> n = space.neighbours(a);
        // per block 2 other kernels + 2 other ratios, per stage 2 other depths
        int blocks = a.depths().stream().mapToInt(Integer::intValue).sum();
        assertEquals(4 * blocks + 2 * 3, n.size());
        n.forEach(space::check);
        assertTrue(n.stream().noneMatch(a::equals));
        for (int i = 0; i < 50; i++) {
            OfaSubnet child = space.crossover(a, b, rng);
            space.check(child);
            for (int s = 0; s < 3; s++) {
                List<OfaSubnet.Block> stage = child.stages().get(s);
                assertTrue(stage.equals(a.stages().get(s)) || stage.equals(b.stages().get(s)));
            }
            assertNotEquals(a, space.mutate(a, rng));
        }
        assertEquals(space.encode(a).length, space.encode(b).length);
    }

    @Test
    void theCostModelGrowsWithEveryElasticDimension() {
        Cost small = OfaCostModel.of(space, space.smallest(), 1, 28, 10);
        Cost large = OfaCostModel.of(space, space.largest(), 1, 28, 10);
        assertTrue(large.flops() > 5 * small.flops(), small + " " + large);
        for (OfaSubnet bigger : List.of(space.uniform(3, 3, 3), space.uniform(2, 5, 3), space.uniform(2, 3, 4))) {
            assertTrue(OfaCostModel.of(space, bigger, 1, 28, 10).flops() > small.flops(), bigger.text());
        }
    }
}
