package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import org.pf4j.ExtensionPoint;

/**
 * A model the trainer can train by name ({@code ./tessera train vqvae}). It builds its loss into
 * a graph; the runtime's trainer owns the loop, the optimizer, checkpoints and progress.
 * Its {@code config.json} names the components it is made of ("encoder", "quantizer",
 * "decoder"), so pipelines can compose the trained model's parts by name.
 */
public interface TrainableModel extends ExtensionPoint {
  String name();

  default String description() {
    return "";
  }

  /** Hyper-parameters used when the user gives none; the trainer saves them as config.json. */
  ModelConfig defaultConfig();

  TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs);

  /**
   * Forward-pass FLOPs (2 x multiply-adds of convolutions and matmuls) for one example, or -1 when
   * unknown. Benchmarks divide by measured time to report achieved GFLOP/s.
   */
  default long forwardFlopsPerExample(ModelConfig config) {
    return -1;
  }

  /** The weights shipped inside the plugin, or null when none ship. */
  default ModelWeights shippedWeights() {
    return null;
  }
}
