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
 * @param updates ops to run with every step besides the optimizer (EMA updates)
 * @param hook called after some steps, for work done in Java (re-initialising dead codes); may be null
 * @param pretrained weights loaded into the graph after initialisation, for variables of the same
 *     name (frozen parts from other plugins, e.g. a CLIP text encoder); empty for most models
 */
public record TrainingGraph(
    Operand<TFloat32> loss,
    Map<String, Operand<TFloat32>> metrics,
    List<VariableStore.Entry> trainable,
    List<Op> updates,
    StepHook hook,
    List<dev.tessera.api.io.Parameters> pretrained) {

  public TrainingGraph(
      Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> trainable, List<Op> updates, StepHook hook) {
    this(loss, metrics, trainable, updates, hook, List.of());
  }
}
