package io.sparknas.strategies.fidelity;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * The scheduler code of a sweep run against recorded learning curves instead of training: {@code slots} simulated
 * workers, each job taking its epochs times the candidate's recorded seconds per epoch (plus a fixed pause/resume
 * overhead for a continued one), results arriving in simulated time. What measures a scheduler change on hundreds of
 * seeds in seconds (slot utilisation, core-seconds to an accuracy) before it is confirmed on real training.
 */
public final class Simulator {
    /** A candidate's recorded validation accuracy after each epoch (index 0: epoch 1) and seconds per epoch. */
    public record Curve(double[] accuracy, double secondsPerEpoch) {
    }

    /** One simulated job: who, to which epochs from which, when, and the accuracy it reported. */
    public record Trained(String candidateId, int rung, int fromEpochs, int epochs, double start, double end,
                          double accuracy) {
    }

    /** The whole simulated sweep. */
    public record Run(List<Trained> jobs, List<Evaluation> outcomes, int slots, double makespan) {
        /** Busy slot-seconds over available slot-seconds, from the first job's start to the last one's end. */
        public double utilisation() {
            double busy = jobs.stream().mapToDouble(j -> j.end() - j.start()).sum();
            return makespan <= 0 ? 1 : busy / (slots * makespan);
        }

        /**
         * Utilisation while new candidates were still being started (until the last one started): the steady state,
         * without the tail in which the last promotions train while the other slots have nothing left to do.
         */
        public double utilisationWhileStarting() {
            double until = jobs.stream().filter(j -> j.fromEpochs() == 0).mapToDouble(Trained::start).max()
                    .orElse(0);
            double busy = jobs.stream().mapToDouble(j -> Math.max(0, Math.min(j.end(), until) - j.start())).sum();
            return until <= 0 ? 1 : busy / (slots * until);
        }

        /** Core-seconds spent by the moment a top-rung result first reached {@code accuracy} (empty: never). */
        public Optional<Double> coreSecondsTo(double accuracy, int topEpochs) {
            Optional<Trained> first = jobs.stream().filter(j -> j.epochs() == topEpochs && j.accuracy() >= accuracy)
                    .min(Comparator.comparingDouble(Trained::end));
            return first.map(f -> jobs.stream().filter(j -> j.start() < f.end())
                    .mapToDouble(j -> Math.min(j.end(), f.end()) - j.start()).sum());
        }

        /** The best top-rung accuracy within {@code coreSeconds} of work. */
        public double bestWithin(double coreSeconds, int topEpochs) {
            List<Trained> byEnd = new ArrayList<>(jobs);
            byEnd.sort(Comparator.comparingDouble(Trained::end));
            double best = Double.NaN;
            for (Trained t : byEnd) {
                double spent = jobs.stream().filter(j -> j.start() < t.end())
                        .mapToDouble(j -> Math.min(j.end(), t.end()) - j.start()).sum();
                if (spent > coreSeconds) {
                    break;
                }
                if (t.epochs() == topEpochs && !(t.accuracy() <= best)) {
                    best = t.accuracy();
                }
            }
            return best;
        }
    }

    private Simulator() {
    }

    /** Runs {@code loop} to its end on {@code slots} simulated workers. */
    public static Run run(FidelityLoop loop, Function<Candidate, Curve> curves, int slots, double resumeOverhead) {
        record Running(FidelityLoop.Job job, double start, double end, long order) {
        }
        PriorityQueue<Running> running = new PriorityQueue<>(Comparator.comparingDouble(Running::end)
                .thenComparingLong(Running::order));
        List<Trained> jobs = new ArrayList<>();
        double now = 0;
        long order = 0;
        while (true) {
            while (running.size() < slots) {
                Optional<FidelityLoop.Job> next = loop.next();
                if (next.isEmpty()) {
                    break;
                }
                FidelityLoop.Job j = next.get();
                Curve c = curves.apply(j.candidate());
                double seconds = (j.epochs() - j.fromEpochs()) * c.secondsPerEpoch()
                        + (j.isNew() ? 0 : resumeOverhead);
                running.add(new Running(j, now, now + seconds, order++));
            }
            if (running.isEmpty()) {
                if (loop.finished()) {
                    loop.drain();
                    return new Run(jobs, loop.outcomes(), slots, now);
                }
                throw new IllegalStateException("the scheduler neither starts a job nor finishes");
            }
            Running done = running.poll();
            now = done.end();
            FidelityLoop.Job j = done.job();
            Curve c = curves.apply(j.candidate());
            double acc = c.accuracy()[Math.min(j.epochs(), c.accuracy().length) - 1];
            jobs.add(new Trained(j.candidate().id(), j.rung(), j.fromEpochs(), j.epochs(), done.start(), done.end(),
                    acc));
            Map<String, Double> metrics = Map.of(Metrics.EPOCHS, (double) j.epochs(),
                    Metrics.TRAIN_SECONDS, j.epochs() * c.secondsPerEpoch());
            loop.report(j, Evaluation.ok(j.candidate(), acc, metrics, "simulated", (long) (done.start() * 1000),
                    (long) (done.end() * 1000)));
        }
    }
}
