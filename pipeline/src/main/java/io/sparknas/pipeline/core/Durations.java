package io.sparknas.pipeline.core;

import java.util.Locale;

/** Elapsed times and ETAs as progress lines show them: {@code 42s}, {@code 3m07s}, {@code 1h05m}. */
public final class Durations {
    private Durations() {
    }

    public static String format(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** The time since {@code startNanos} ({@code System.nanoTime()}). */
    public static String since(long startNanos) {
        return format((System.nanoTime() - startNanos) / 1e9);
    }
}
