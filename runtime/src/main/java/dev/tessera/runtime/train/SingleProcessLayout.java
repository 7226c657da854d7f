package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.graph.SessionFactory;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** The model's graph once, in this process, on {@code --device}: the default. */
final class SingleProcessLayout implements TrainingLayout {
  private final String device;

  SingleProcessLayout(String device) {
    this.device = device;
  }

  @Override
  public void checkReady() {
    // nothing to wait for
  }

  @Override
  public GraphScope root(Graph graph) {
    return GraphScope.root(graph, SessionFactory.device(device));
  }

  @Override
  public StepGraph build(GraphScope root, ReplicaBuilder replica, AdamOptimizer.Config adam) {
    Replica r = replica.build(root, 0, 1, List.of());
    TrainingGraph tg = r.graph();
    AdamOptimizer optimizer = new AdamOptimizer(root, "optimizer", tg.loss(), tg.trainable(), adam);
    // Each further phase (a GAN's discriminator) has its own optimizer over its own variables.
    List<StepGraph.PhaseStep> phases = new ArrayList<>();
    for (TrainingGraph.Phase phase : tg.phases()) {
      phases.add(new StepGraph.PhaseStep(phase, phase.loss(), phase.metrics(),
          new AdamOptimizer(root, "optimizer_" + phase.name(), phase.loss(), phase.trainable(), adam)));
    }
    List<org.tensorflow.op.Op> batchUpdates = dev.tessera.api.train.BatchUpdate.buildAlone(tg.batchUpdates(), root.tf());
    java.util.Map<String, org.tensorflow.Operand<org.tensorflow.types.TFloat32>> rows =
        tg.hook() == null || tg.hook().rows() == null ? java.util.Map.of() : tg.hook().rows();
    return new StepGraph(tg, tg.loss(), tg.metrics(), optimizer, phases, List.of(r), batchUpdates, rows);
  }

  @Override
  public Session open(Graph graph) {
    return SessionFactory.create(graph);
  }

  @Override
  public StepFeeds feed(StepGraph graph, StepBatch batch, long seed, long step) {
    StepFeeds feeds = new StepFeeds();
    graph.replicas().get(0).feed(feeds, batch, TrainingInputs.stepSeed(seed, step));
    return feeds;
  }

  @Override
  public RuntimeException failure(RuntimeException error, long step, String kept) {
    return error;
  }
}
