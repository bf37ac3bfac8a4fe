package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.fidelity.FidelityLoop;
import io.sparknas.strategies.fidelity.FidelityScheduler;
import org.apache.spark.sql.Row;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs an {@link AskStage} under a multi-fidelity scheduler ({@link Pacing.Rungs}): {@code inFlight} jobs at once,
 * each one rung of one candidate's training as its own Spark job; a paused candidate's state is kept on the sweep's
 * storage ({@code training/<candidate>/epochs=<E>}) and a promotion continues from it. Every decision is committed
 * before its job is submitted and every result before the scheduler hears it ({@link RungRows}); a resume replays
 * them in order (the same promotions, the same strategy state), runs again first the jobs that were running, and
 * never trains a candidate twice past a committed rung. When the scheduler is done, each candidate's highest-fidelity
 * result is committed as the stage's round of {@code candidates}: OK for those that completed the top rung, PRUNED
 * with the reason for those left paused.
 */
record RungScheduler(AskStage stage, Pacing.Rungs pacing, SweepRun run) {

    AskStage.Result execute() {
        int round = stage.firstRound();
        if (run.store().committedRounds(ResultStore.CANDIDATES).contains(round)) {
            List<Evaluation> done = run.sweep().candidates(round);
            Counts counts = Counts.ZERO.plusAll(done);
            run.log().accept(stage.prefix("the scheduler of sweep " + run.sweep().name() + " finished before: "
                    + done.size() + " candidates are committed"));
            return new AskStage.Result(done, counts, best(done), done.size(), done.size());
        }
        FidelityLoop loop = new FidelityLoop(stage.strategy(), pacing.scheduler().create(stage.budget()),
                stage.budget(), e -> stage.toldFor(e, e.candidate()));
        Map<String, FidelityLoop.Job> running = new LinkedHashMap<>();
        Map<String, TaskResult> latest = new LinkedHashMap<>();
        int seq = replay(round, loop, running, latest);
        ArrayDeque<FidelityLoop.Job> again = new ArrayDeque<>(running.values());
        if (seq > 0) {
            run.log().accept(stage.prefix(String.format(Locale.ROOT, "resuming %s sweep %s: %d events replayed "
                    + "(%d candidates); %d jobs that were running are run again first", loop.scheduler().name(),
                    run.sweep().name(), seq, loop.asked(), again.size())));
        }
        int inFlight = pacing.inFlight() > 0 ? pacing.inFlight() : run.jsc().defaultParallelism();
        run.jsc().setLocalProperty("spark.scheduler.pool", "sparknas-" + run.sweep().name());
        SparkEvaluator evaluator = new SparkEvaluator(run.jsc(), stage.estimator()).withMaxAttempts(stage.maxAttempts());
        HadoopSettings hadoop = HadoopSettings.of(run.jsc().hadoopConfiguration());
        Counts counts = Counts.ZERO.plusAll(latest.values().stream().map(TaskResult::evaluation).toList());
        long start = System.nanoTime();
        try (InFlight flight = new InFlight(evaluator, inFlight, c -> training(running.get(stage.unnamed(c).id()), loop,
                hadoop))) {
            while (true) {
                while (flight.hasRoom()) {
                    FidelityLoop.Job job = again.poll();
                    if (job == null) {
                        job = loop.next().orElse(null);
                        if (job == null) {
                            break;
                        }
                        commit(round, seq++, RungRows.start(run.sweep(), seq - 1, named(job), checkpoint(job)));
                        running.put(job.candidate().id(), job);
                    }
                    flight.submit(stage.named(job.candidate()));
                }
                if (flight.running() == 0) {
                    if (loop.finished()) {
                        break;
                    }
                    throw new IllegalStateException("the " + loop.scheduler().name() + " scheduler neither starts a "
                            + "job nor finishes");
                }
                TaskResult r = flight.next().map(stage.enrich());
                FidelityLoop.Job job = running.remove(stage.unnamed(r.evaluation().candidate()).id());
                commit(round, seq++, RungRows.result(run.sweep(), seq - 1, named(job), checkpoint(job), r));
                latest.put(job.candidate().id(), r);
                counts = counts.plusAll(List.of(r.evaluation()));
                run.listener().committed(seq - 1, List.of(r.evaluation()));
                List<Evaluation> told = loop.report(job, r.evaluation().withCandidate(job.candidate()));
                run.log().accept(stage.prefix(progress(job, r.evaluation(), told, loop, flight.running(), start)));
                stage.limit().check(counts, seq - 1);
            }
        }
        loop.drain();
        return finish(round, loop, latest, seq);
    }

    /** Feeds the committed events through the loop; returns the next event's seq. */
    private int replay(int round, FidelityLoop loop, Map<String, FidelityLoop.Job> running,
                       Map<String, TaskResult> latest) {
        int seq = 0;
        for (Row row : RungRows.read(run.store(), round)) {
            int at = row.<Integer>getAs("seq");
            if (at != seq) {
                throw new Sweep.Mismatch(run.store().path(RungRows.DATASET) + "/round=" + round + " lacks event " + seq
                        + " (the next committed is " + at + "); run ./sparknas repair --sweep " + run.store().root());
            }
            Candidate stored = RungRows.candidate(row);
            if (RungRows.START.equals(row.getAs("event"))) {
                FidelityLoop.Job job = loop.next().orElseThrow(() -> new Sweep.Mismatch("event " + at + " started "
                        + stored.id() + " but the replayed scheduler starts nothing there"));
                Replay.check("event " + at, stage.named(job.candidate()), stored);
                if (job.rung() != row.<Integer>getAs("rung")) {
                    throw new Sweep.Mismatch("event " + at + " trained " + stored.id() + " to rung " + row.getAs("rung")
                            + "; the replayed scheduler says rung " + job.rung());
                }
                running.put(job.candidate().id(), job);
            } else {
                FidelityLoop.Job job = running.remove(stage.unnamed(stored).id());
                TaskResult r = RungRows.taskResult(row);
                latest.put(job.candidate().id(), r);
                loop.report(job, r.evaluation().withCandidate(job.candidate()));
            }
            seq++;
        }
        return seq;
    }

    /** The job as committed: its candidate under the stage's id prefix. */
    private FidelityLoop.Job named(FidelityLoop.Job job) {
        return new FidelityLoop.Job(stage.named(job.candidate()), job.rung(), job.epochs(), job.bracket(),
                job.fromEpochs());
    }

    /** Where a job's state is saved. */
    private String checkpoint(FidelityLoop.Job job) {
        return stateDir(stage.named(job.candidate()).id(), job.epochs());
    }

    private String stateDir(String id, int epochs) {
        return run.store().root() + "/training/" + id + "/epochs=" + epochs;
    }

    /** The part of the training a job runs: to its rung, from the states of the rungs below it (latest first). */
    private RungTraining training(FidelityLoop.Job job, FidelityLoop loop, HadoopSettings hadoop) {
        List<Integer> rungs = loop.scheduler().rungs();
        List<String> from = new ArrayList<>();
        for (int r = job.rung() - 1; r >= 0 && !job.isNew(); r--) {
            if (rungs.get(r) <= job.fromEpochs()) {
                from.add(stateDir(stage.named(job.candidate()).id(), rungs.get(r)));
            }
        }
        return new RungTraining(job.epochs(), rungs.get(rungs.size() - 1), from, checkpoint(job), hadoop);
    }

    private void commit(int round, int seq, Row row) {
        run.store().commitFile(RungRows.DATASET, round, List.of(row), RungRows.SCHEMA, RungRows.file(seq));
    }

    /** Commits every candidate's highest-fidelity result as the stage's round; compacts the events. */
    private AskStage.Result finish(int round, FidelityLoop loop, Map<String, TaskResult> latest, int events) {
        Map<String, TaskResult> byId = new HashMap<>();
        latest.forEach((id, r) -> byId.put(id, r));
        List<TaskResult> rows = new ArrayList<>();
        for (Evaluation e : loop.outcomes()) {
            TaskResult r = byId.get(e.candidate().id());
            rows.add(new TaskResult(stage.named(e), r.executor(), r.host(), r.attempt()));
        }
        run.sweep().commitCandidates(round, stage.estimator(), rows);
        run.store().compact(RungRows.DATASET, round);
        List<Evaluation> committed = rows.stream().map(TaskResult::evaluation).toList();
        Counts counts = Counts.ZERO.plusAll(committed);
        run.log().accept(stage.prefix(String.format(Locale.ROOT, "%s finished: %d candidates, %d completed %d epochs, "
                + "%d paused earlier, %d failed; %d events in %s", loop.scheduler().name(), committed.size(),
                counts.evaluated() - counts.failed() - counts.pruned(), loop.scheduler().rungs().get(
                        loop.scheduler().rungs().size() - 1), counts.pruned(), counts.failed(), events,
                run.store().path(RungRows.DATASET))));
        return new AskStage.Result(committed, counts, best(committed), events, 0);
    }

    private static java.util.Optional<Evaluation> best(List<Evaluation> evaluations) {
        return evaluations.stream().filter(Evaluation::isOk)
                .max(java.util.Comparator.comparingDouble(Evaluation::accuracy));
    }

    /** A line per result: the rung, the result, what the scheduler made of it, the best complete, slots. */
    private String progress(FidelityLoop.Job job, Evaluation e, List<Evaluation> told, FidelityLoop loop, int running,
                            long start) {
        String fate = job.rung() == loop.scheduler().rungs().size() - 1 ? "complete"
                : told.stream().anyMatch(t -> t.candidate().id().equals(job.candidate().id())) ? "paused" : "waits";
        return String.format(Locale.ROOT, "rung %d (%d epochs) %s %s%s %s  candidates %d/%d  running %d  elapsed %s",
                job.rung(), job.epochs(), e.candidate().id(), e.isOk() ? "ok" : "FAILED",
                e.isOk() ? String.format(Locale.ROOT, " %.4f", e.accuracy()) : "", e.isOk() ? fate : "",
                loop.asked(), stage.budget(), running, Durations.format((System.nanoTime() - start) / 1e9));
    }
}
