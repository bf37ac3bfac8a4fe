package io.sparknas.pipeline.faults;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Test support: a real estimator spec wrapped so that chosen candidates fail the way clusters fail, for the
 * resilience tests (production code knows nothing of it). Each fault names candidate ids:
 * {@code poison} fails every task attempt (a candidate that kills its executor), {@code failsFirstJob} fails every
 * attempt of the candidate's first Spark job and passes later ones, {@code halts} / {@code haltsOnce} halt the
 * executor JVM (as a native crash or a container killed for memory) on every / the first attempt, and
 * {@code failFirstAttempt} makes every task's first attempt throw after its first candidate (Spark must retry it),
 * and {@code hangs} keeps a candidate's first Spark job running (until its task is killed or 2 minutes pass), as a
 * long training is when the driver is stopped ({@code hangScope} keeps one test's first jobs from another's).
 * The wrapped spec's results are unchanged; its kind is the wrapped kind's.
 */
@JsonTypeName("faulty")
public record FaultySpec(EstimatorSpec inner, Set<String> poison, Set<String> failsFirstJob, Set<String> halts,
                         Set<String> haltsOnce, boolean failFirstAttempt, Set<String> hangs, String hangScope)
        implements EstimatorSpec {

    /** The stage of each marked candidate's first job, in this (local-mode) JVM. */
    private static final Map<String, Integer> FIRST_JOB_STAGE = new ConcurrentHashMap<>();

    public static FaultySpec of(EstimatorSpec inner) {
        return new FaultySpec(inner, Set.of(), Set.of(), Set.of(), Set.of(), false, Set.of(), "");
    }

    private static final Set<String> RELEASED = ConcurrentHashMap.newKeySet();
    private static final Map<String, AtomicInteger> HANGING = new ConcurrentHashMap<>();

    /** How many of this spec's candidates are hanging right now. */
    public int hangingNow() {
        return hanging().get();
    }

    private AtomicInteger hanging() {
        return HANGING.computeIfAbsent(hangScope, k -> new AtomicInteger());
    }

    /** Ends this spec's hangs, those running and those to come (local mode: the executors are this JVM). */
    public void releaseHangs() {
        RELEASED.add(hangScope);
    }

    public FaultySpec hangingFirstJobOf(Set<String> ids) {
        return new FaultySpec(inner, poison, failsFirstJob, halts, haltsOnce, failFirstAttempt, ids,
                UUID.randomUUID().toString());
    }

    public FaultySpec poisoning(Set<String> ids) {
        return new FaultySpec(inner, ids, failsFirstJob, halts, haltsOnce, failFirstAttempt, hangs, hangScope);
    }

    public FaultySpec failingFirstJobOf(Set<String> ids) {
        return new FaultySpec(inner, poison, ids, halts, haltsOnce, failFirstAttempt, hangs, hangScope);
    }

    public FaultySpec halting(Set<String> every, Set<String> firstAttempt) {
        return new FaultySpec(inner, poison, failsFirstJob, every, firstAttempt, failFirstAttempt, hangs, hangScope);
    }

    public FaultySpec failingFirstTaskAttempts() {
        return new FaultySpec(inner, poison, failsFirstJob, halts, haltsOnce, true, hangs, hangScope);
    }

    /** The sweep {@code cfg} evaluated through these faults. */
    public io.sparknas.pipeline.search.SweepConfig applyTo(io.sparknas.pipeline.search.SweepConfig cfg) {
        return new io.sparknas.pipeline.search.SweepConfig(cfg.name(), cfg.output(), cfg.space(), cfg.strategy(), this,
                cfg.search(), cfg.objective());
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public Estimator create() {
        Estimator real = inner.create();
        FaultySpec faults = this;
        return new Estimator() {
            @Override
            public Evaluation evaluate(Candidate c, EvaluationContext context) {
                faults.before(c);
                Evaluation e = real.evaluate(c, context);
                TaskContext ctx = TaskContext.get();
                if (faults.failFirstAttempt && ctx != null && ctx.attemptNumber() == 0) {
                    throw new IllegalStateException("injected fault: first attempt of task " + ctx.partitionId()
                            + " fails after evaluating " + c.id());
                }
                return e;
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    private void before(Candidate c) {
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        if (poison.contains(c.id())) {
            throw new IllegalStateException("injected fault: candidate " + c.id() + " fails every attempt of its task");
        }
        if (failsFirstJob.contains(c.id()) && ctx != null
                && FIRST_JOB_STAGE.computeIfAbsent(c.id(), id -> ctx.stageId()) == ctx.stageId()) {
            throw new IllegalStateException("injected fault: the first Spark job of candidate " + c.id()
                    + " fails on every task attempt");
        }
        if (hangs.contains(c.id()) && ctx != null
                && FIRST_JOB_STAGE.computeIfAbsent(hangScope + c.id(), id -> ctx.stageId()) == ctx.stageId()) {
            long until = System.currentTimeMillis() + 120_000;
            AtomicInteger now = hanging();
            now.incrementAndGet();
            try {
                while (!ctx.isInterrupted() && !RELEASED.contains(hangScope) && System.currentTimeMillis() < until) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("injected hang of " + c.id() + " interrupted", e);
            } finally {
                now.decrementAndGet();
            }
        }
        if (halts.contains(c.id()) || attempt == 0 && haltsOnce.contains(c.id())) {
            if (SparkEnv.get() == null || SparkEnv.get().executorId().equals("driver")) {
                throw new IllegalStateException("injected fault: candidate " + c.id() + " would halt its executor "
                        + "JVM, which in local mode is the driver's");
            }
            Runtime.getRuntime().halt(137); // no cleanup at all, as a native crash or the container's OOM killer
        }
    }

    @Override
    public boolean trains() {
        return inner.trains();
    }

    @Override
    public Optional<DataConfig> dataset() {
        return inner.dataset();
    }

    @Override
    public Optional<DartsNetworkConfig> dartsNetworkShape() {
        return inner.dartsNetworkShape();
    }

    @Override
    public Optional<Nb201NetworkConfig> nb201NetworkShape() {
        return inner.nb201NetworkShape();
    }

    @Override
    public void checkLocal() {
        inner.checkLocal();
    }

    @Override
    public List<String> filesToShip() {
        return inner.filesToShip();
    }

    @Override
    public EstimatorSpec withLocalFiles(UnaryOperator<String> local) {
        return new FaultySpec(inner.withLocalFiles(local), poison, failsFirstJob, halts, haltsOnce, failFirstAttempt,
                hangs, hangScope);
    }
}
