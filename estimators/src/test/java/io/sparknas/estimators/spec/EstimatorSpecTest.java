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

    @Test
    void theSectionsOfOtherKindsAreIgnoredAndAnUnknownKindIsRefused() throws Exception {
        String section = "{\"kind\":\"tabular\",\"table\":{\"path\":\"t.csv\",\"signal\":\"a\",\"report\":\"b\"},"
                + "\"proxy\":{\"epochs\":1},\"data\":{}}";
        assertEquals(TabularSpec.of("t.csv", "a", "b"), JSON.readValue(section, EstimatorSpec.class));
        Exception e = assertThrows(Exception.class, () -> JSON.readValue("{\"kind\":\"oracle\"}", EstimatorSpec.class));
        assertTrue(e.getMessage().contains("oracle"), e.getMessage());
    }
}
