package io.sparknas.estimators.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EstimatorSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSpecIsJsonWithItsKindAndReadsBackAsTheSameRecord() throws Exception {
        EstimatorSpec proxy = new ProxySpec(ProxyConfig.defaults(), DataConfig.fashionMnist(10, 5));
        String json = JSON.writeValueAsString(proxy);
        assertTrue(json.startsWith("{\"kind\":\"proxy\",\"proxy\":{\"epochs\":1,\"batchSize\":64,\"learningRate\":0.05"),
                json);
        assertEquals(proxy, JSON.readValue(json, EstimatorSpec.class));
        EstimatorSpec tabular = TabularSpec.of("t.csv", "cifar10-val", "cifar10-test");
        String t = JSON.writeValueAsString(tabular);
        assertEquals("{\"kind\":\"tabular\",\"table\":{\"path\":\"t.csv\",\"signal\":\"cifar10-val\",\"report\":"
                + "\"cifar10-test\"}}", t);
        assertEquals(tabular, JSON.readValue(t, EstimatorSpec.class));
    }

    /** epochsUpTo spreads costs by seed, reproducibly; off (0), it is absent from the JSON, so hashes stay. */
    @Test
    void drawnEpochsSpreadOverTheirRangeBySeedAndAreAbsentFromTheJsonWhenOff() throws Exception {
        ProxyConfig off = ProxyConfig.defaults();
        assertTrue(!JSON.writeValueAsString(off).contains("epochsUpTo"), JSON.writeValueAsString(off));
        ProxyConfig drawn = new ProxyConfig(1, 64, off.sgd(), off.network(), 1, 10, 1, 4, 0);
        assertTrue(JSON.writeValueAsString(drawn).contains("\"epochsUpTo\":4"));
        assertEquals(drawn, JSON.readValue(JSON.writeValueAsString(drawn), ProxyConfig.class));
        java.util.Map<Integer, Integer> counts = new java.util.TreeMap<>();
        for (long seed = 0; seed < 400; seed++) {
            assertEquals(drawn.epochsFor(seed), drawn.epochsFor(seed));
            assertEquals(1, off.epochsFor(seed));
            counts.merge(drawn.epochsFor(seed), 1, Integer::sum);
        }
        assertEquals(java.util.Set.of(1, 2, 3, 4), counts.keySet());
        counts.values().forEach(n -> assertTrue(n > 60, "roughly uniform: " + counts));
        assertThrows(IllegalArgumentException.class, () -> new ProxyConfig(3, 64, off.sgd(), off.network(), 1, 10, 1,
                2, 0));
    }

    @Test
    void theSectionsOfOtherKindsAreIgnoredAndAnUnknownKindIsRefused() throws Exception {
        String section = "{\"kind\":\"tabular\",\"table\":{\"path\":\"t.csv\",\"signal\":\"a\",\"report\":\"b\"},"
                + "\"proxy\":{\"epochs\":1},\"data\":{}}";
        assertEquals(TabularSpec.of("t.csv", "a", "b"), JSON.readValue(section, EstimatorSpec.class));
        Exception e = assertThrows(Exception.class, () -> JSON.readValue("{\"kind\":\"oracle\"}", EstimatorSpec.class));
        assertTrue(e.getMessage().contains("oracle"), e.getMessage());
    }
}
