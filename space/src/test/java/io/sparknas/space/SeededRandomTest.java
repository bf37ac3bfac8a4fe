package io.sparknas.space;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SeededRandomTest {
    @Test
    void restoredStateContinuesTheSameStream() {
        SeededRandom a = new SeededRandom(123);
        for (int i = 0; i < 17; i++) {
            a.nextInt(10);
            a.nextGaussian();
        }
        SeededRandom b = SeededRandom.fromState(a.state());
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextInt(1000), b.nextInt(1000));
            assertEquals(a.nextDouble(), b.nextDouble());
        }
    }

    @Test
    void differentSeedsGiveDifferentStreamsAndDrawsAreRoughlyUniform() {
        assertNotEquals(new SeededRandom(1).nextLong(), new SeededRandom(2).nextLong());
        SeededRandom r = new SeededRandom(9);
        int[] counts = new int[5];
        for (int i = 0; i < 50_000; i++) {
            counts[r.nextInt(5)]++;
        }
        for (int c : counts) {
            assertEquals(10_000, c, 400);
        }
    }
}
