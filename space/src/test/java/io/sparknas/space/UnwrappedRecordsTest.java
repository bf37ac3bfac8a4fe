package io.sparknas.space;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flat settings bound into nested records, on any Jackson 2.x: values, nesting, unknown names, validation. */
class UnwrappedRecordsTest {
    record Optimiser(double learningRate, double momentum) {
    }

    @JsonDeserialize(using = UnwrappedRecords.class)
    record Training(int epochs, @JsonUnwrapped Optimiser optimiser, @JsonUnwrapped NetworkSize network,
                    List<String> tags) {
        Training {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be positive, got " + epochs);
            }
        }
    }

    record Job(String name, Training training) {
    }

    @Test
    void flatSettingsBindIntoTheNestedRecordsAndWriteBackFlat() throws Exception {
        Training t = Settings.bind("{epochs: 3, learningRate: 0.1, momentum: 0.9, channels: 8, layers: 3, "
                + "stemMultiplier: 3, tags: ['a', 'b']}", Training.class);
        assertEquals(new Training(3, new Optimiser(0.1, 0.9), new NetworkSize(8, 3, 3), List.of("a", "b")), t);
        String json = new ObjectMapper().writeValueAsString(t);
        assertTrue(json.contains("\"learningRate\":0.1") && !json.contains("optimiser"), json);
        assertEquals(t, Settings.bind(json, Training.class));
        Job nested = Settings.bind("{name: 'j', training: " + json + "}", Job.class);
        assertEquals(t, nested.training());
    }

    @Test
    void anUnknownNameIsRefusedWithTheKnownOnesAndAValidationMessageComesThroughWithItsPath() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Settings.bind(
                "{epochs: 3, learningRat: 0.1}", Training.class));
        assertTrue(unknown.getMessage().startsWith("unknown setting 'learningRat'")
                && unknown.getMessage().contains("learningRate"), unknown.getMessage());
        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class, () -> Settings.bind(
                "{name: 'j', training: {epochs: 0, channels: 8, layers: 3, stemMultiplier: 3}}", Job.class));
        assertEquals("training.epochs must be positive, got 0", invalid.getMessage());
    }
}
