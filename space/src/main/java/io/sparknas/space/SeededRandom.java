package io.sparknas.space;

import java.util.Random;

/**
 * A {@link Random} whose whole state is one {@code long} that can be read and restored, so a strategy's
 * random stream survives a JSON checkpoint. The generator is SplitMix64 (Steele, Lea and Flood 2014);
 * every {@code Random} method (bounded ints, doubles, shuffles) draws from it through {@link #next(int)}.
 * Not thread-safe: each owner has its own.
 */
public final class SeededRandom extends Random {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SeededRandom(long seed) {
        super(0L);
        this.state = seed;
    }

    /** Restores a generator from {@link #state()}. */
    public static SeededRandom fromState(long state) {
        return new SeededRandom(state);
    }

    /** The state to store; {@code fromState(state())} continues the same stream. */
    public long state() {
        return state;
    }

    @Override
    public synchronized void setSeed(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        long z = (state += GOLDEN);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    protected int next(int bits) {
        return (int) (nextLong() >>> (64 - bits));
    }

    @Override
    public double nextGaussian() {
        // Box-Muller without Random's cached second value, so the state stays a single long.
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates), drawn from this stream. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
