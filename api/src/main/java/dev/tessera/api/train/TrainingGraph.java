package dev.tessera.api.train;

import dev.tessera.api.graph.VariableStore;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * What a model hands the trainer.
 *
 * @param loss scalar to minimise
 * @param metrics scalars to log (name -> value), fetched with the loss
 * @param trainable the variables the optimizer updates (one graph may hold several networks)
 * @param updates ops to run with every step besides the optimizer that read the batch: a cluster cannot
 *     split them over workers and refuses the model; state updated from sums over the batch belongs
 *     in {@code batchUpdates}, which a cluster can split
 * @param hook called after some steps, for work done in Java (re-initialising dead codes); may be null
 * @param pretrained weights loaded into the graph after initialisation, for variables of the same
 *     name (frozen parts from other plugins, e.g. a CLIP text encoder); empty for most models
 * @param phases further losses, each minimised over its own variables with its own optimizer in a
 *     session run of its own after the main one (a GAN's discriminator); empty for most models
 * @param exported what model.safetensors holds instead of a variable: under each key (a variable's
 *     name), the value of the variable it maps to, which is then left out of the file (weights
 *     averaged during training, {@link WeightAverage#exported}, so inference loads the average and
 *     the file holds one copy); the checkpoint keeps both; empty for most models
 * @param averages ops to run with every step that read only variables, not the batch (averages of
 *     the weights, {@link WeightAverage#track}): on a cluster they run once, from the first
 *     replica, and train what one process trains; empty for most models
 * @param batchUpdates state updated from statistics of the whole batch ({@link BatchUpdate}: an EMA
 *     codebook), built once per step by the trainer, from every replica's sums on a cluster; empty
 *     for most models
 * @param wholeBatch the loss as built from the whole batch's rows, for a cluster to rebuild on each
 *     replica from every replica's rows ({@link WholeBatchLoss}); null for a loss that is a mean of
 *     per-example terms (most models)
 */
public record TrainingGraph(
    Operand<TFloat32> loss,
    Map<String, Operand<TFloat32>> metrics,
    List<VariableStore.Entry> trainable,
    List<Op> updates,
    StepHook hook,
    List<dev.tessera.api.io.Parameters> pretrained,
    List<Phase> phases,
    Map<String, String> exported,
    List<Op> averages,
    List<BatchUpdate> batchUpdates,
    WholeBatchLoss wholeBatch) {

  public TrainingGraph {
    exported = Map.copyOf(exported);
    averages = List.copyOf(averages);
    batchUpdates = List.copyOf(batchUpdates);
  }

  public TrainingGraph(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates,
      StepHook hook, List<dev.tessera.api.io.Parameters> pretrained, List<Phase> phases, Map<String, String> exported, List<Op> averages) {
    this(loss, metrics, trainable, updates, hook, pretrained, phases, exported, averages, List.of(), null);
  }

  public TrainingGraph(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates,
      StepHook hook, List<dev.tessera.api.io.Parameters> pretrained, List<Phase> phases, Map<String, String> exported) {
    this(loss, metrics, trainable, updates, hook, pretrained, phases, exported, List.of());
  }

  public TrainingGraph(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates,
      StepHook hook, List<dev.tessera.api.io.Parameters> pretrained, List<Phase> phases) {
    this(loss, metrics, trainable, updates, hook, pretrained, phases, Map.of());
  }

  /** This graph with {@code exported} (see above) in place of its own. */
  public TrainingGraph withExported(Map<String, String> exported) {
    return new TrainingGraph(loss, metrics, trainable, updates, hook, pretrained, phases, exported, averages, batchUpdates, wholeBatch);
  }

  /** This graph with {@code averages} (see above) in place of its own. */
  public TrainingGraph withAverages(List<Op> averages) {
    return new TrainingGraph(loss, metrics, trainable, updates, hook, pretrained, phases, exported, averages, batchUpdates, wholeBatch);
  }

  /** This graph with {@code batchUpdates} (see above) in place of its own. */
  public TrainingGraph withBatchUpdates(List<BatchUpdate> batchUpdates) {
    return new TrainingGraph(loss, metrics, trainable, updates, hook, pretrained, phases, exported, averages, batchUpdates, wholeBatch);
  }

  /** This graph with {@code wholeBatch} (see above) in place of its own. */
  public TrainingGraph withWholeBatch(WholeBatchLoss wholeBatch) {
    return new TrainingGraph(loss, metrics, trainable, updates, hook, pretrained, phases, exported, averages, batchUpdates, wholeBatch);
  }

  /**
   * A loss minimised over its own variables, from step {@code startStep + 1} on. Its optimizer
   * touches only {@code trainable}; the main optimizer never touches them (list them in neither
   * the main trainable list nor another phase's).
   */
  public record Phase(String name, Operand<TFloat32> loss, List<VariableStore.Entry> trainable, long startStep,
      Map<String, Operand<TFloat32>> metrics) {}

  public TrainingGraph(
      Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates, StepHook hook) {
    this(loss, metrics, trainable, updates, hook, List.of(), List.of());
  }

  public TrainingGraph(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates,
      StepHook hook, List<dev.tessera.api.io.Parameters> pretrained) {
    this(loss, metrics, trainable, updates, hook, pretrained, List.of());
  }
}
