package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;

import io.sparknas.strategies.controller.Decisions;
import io.sparknas.strategies.controller.FactorizedPolicy;
import io.sparknas.strategies.controller.LstmPolicy;
import io.sparknas.strategies.controller.Policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * REINFORCE (Williams 1992) over a controller that emits a genotype's decisions (Zoph and Le 2017; Pham et al.
 * 2018 for the squashing and the entropy bonus): each told batch updates the policy by Adam on
 * sum (reward - baseline) * grad log p(decisions) + entropyWeight * grad H, the baseline being an exponential
 * moving average of rewards (decay {@code baselineDecay}). Rewards are validation accuracies; failures are
 * rewarded 0. Two policies: {@code lstm} (the NASNet/ENAS LSTM controller, pure Java) and
 * {@code factorized} (independent logits per decision, NAS-Bench-201's REINFORCE baseline).
 *
 * <p>Deviation: architectures are not de-duplicated (a policy gradient needs the samples it drew); the strategy
 * re-asks the policy when a sample repeats within one batch, up to 20 times.
 */
public final class ReinforceSearch<G> extends AbstractStrategy<G> {
    public static final String NAME = "reinforce";
    public static final String FACTORIZED_NAME = "reinforce-factorized";

    /** Controller settings; {@link #defaults()} follow ENAS (temperature 5, tanh constant 2.5) and NAS-Bench-201. */
    public record Settings(double learningRate, double entropyWeight, double baselineDecay, int hidden,
                           double temperature, double tanhConstant) {
        public static Settings defaults() {
            return new Settings(0.01, 1e-4, 0.95, 32, 5.0, 2.5);
        }
    }

    private final boolean lstm;
    private final Settings settings;
    private final Decisions<G> decisions;
    private final Policy policy;
    private final Map<String, int[]> pendingChoices = new HashMap<>();
    private final List<int[]> batchChoices = new ArrayList<>();
    private final List<Double> batchRewards = new ArrayList<>();
    private double baseline = Double.NaN;

    public ReinforceSearch(SearchSpace<G> space, long seed, boolean lstm, Settings settings) {
        super(space, seed);
        this.lstm = lstm;
        this.settings = settings;
        this.decisions = Decisions.of(space);
        this.policy = lstm
                ? new LstmPolicy(decisions.options(), settings.hidden(), settings.learningRate(),
                        settings.temperature(), settings.tanhConstant(), seed)
                : new FactorizedPolicy(decisions.options(), settings.learningRate());
    }

    @Override
    public void warmStart(List<String> ranked) {
        throw new UnsupportedOperationException(name() + " draws from its controller, not at random: it cannot be "
                + "warm-started");
    }

    @Override
    public String name() {
        return lstm ? NAME : FACTORIZED_NAME;
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int[] choices = policy.sample(rng);
            G g = decisions.decode(choices);
            for (int attempt = 0; attempt < 20 && keys.contains(space.canonicalKey(g)); attempt++) {
                choices = policy.sample(rng);
                g = decisions.decode(choices);
            }
            keys.add(space.canonicalKey(g));
            Candidate c = propose(g, "controller", List.of());
            pendingChoices.put(c.id(), choices);
            out.add(c);
        }
        return out;
    }

    @Override
    protected void onResult(G genotype, Evaluation e) {
        int[] choices = pendingChoices.remove(e.candidate().id());
        batchChoices.add(choices);
        batchRewards.add(e.hasSignal() ? e.accuracy() : 0.0);
        if (pendingCount() == 0) {
            learn();
        }
    }

    /** One policy update from every result since the last one (a told batch). */
    private void learn() {
        double[] advantages = new double[batchRewards.size()];
        for (int i = 0; i < advantages.length; i++) {
            double r = batchRewards.get(i);
            baseline = Double.isNaN(baseline) ? r : settings.baselineDecay() * baseline
                    + (1 - settings.baselineDecay()) * r;
            advantages[i] = r - baseline;
        }
        policy.update(batchChoices, advantages, settings.entropyWeight());
        batchChoices.clear();
        batchRewards.clear();
    }

    /** Log-probability of a genotype's decisions under the current policy (for tests and analysis). */
    public double logProbability(int[] choices) {
        return policy.logProb(choices);
    }

    @Override
    protected void saveState(ObjectNode state) {
        if (Double.isNaN(baseline)) {
            state.putNull("baseline");
        } else {
            state.put("baseline", baseline);
        }
        ObjectNode pending = state.putObject("pendingChoices");
        pendingChoices.forEach((id, c) -> {
            ArrayNode a = pending.putArray(id);
            for (int x : c) {
                a.add(x);
            }
        });
        ArrayNode bc = state.putArray("batchChoices");
        batchChoices.forEach(c -> {
            ArrayNode a = bc.addArray();
            for (int x : c) {
                a.add(x);
            }
        });
        ArrayNode br = state.putArray("batchRewards");
        batchRewards.forEach(br::add);
        policy.save(state.putObject("policy"));
    }

    @Override
    protected void loadState(JsonNode state) {
        baseline = state.get("baseline").isNull() ? Double.NaN : state.get("baseline").asDouble();
        pendingChoices.clear();
        state.get("pendingChoices").fields().forEachRemaining(e -> pendingChoices.put(e.getKey(), ints(e.getValue())));
        batchChoices.clear();
        state.get("batchChoices").forEach(c -> batchChoices.add(ints(c)));
        batchRewards.clear();
        state.get("batchRewards").forEach(r -> batchRewards.add(r.asDouble()));
        policy.load(state.get("policy"));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
