package dev.tessera.runtime.train;

import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingGraph;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What one training step runs, however the graph is laid out: the loss and metrics it fetches
 * (over the whole batch), the optimizer update, and each further phase's.
 *
 * @param model the model's training graph (of the first replica on a cluster): trainable
 *     variables, pretrained weights, updates and hook
 * @param replicas the copies of the model the batch is fed to (one in a single process)
 * @param batchUpdates the model's {@link dev.tessera.api.train.BatchUpdate}s, built once from the whole batch's sums
 * @param hookRows the rows its step hook reads ({@link dev.tessera.api.train.StepHook#rows}), the whole batch's
 */
record StepGraph(TrainingGraph model, Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, AdamOptimizer optimizer,
    List<PhaseStep> phases, List<Replica> replicas, List<org.tensorflow.op.Op> batchUpdates, Map<String, Operand<TFloat32>> hookRows) {

  /** A further phase (a GAN's discriminator): its loss and metrics over the whole batch and its optimizer. */
  record PhaseStep(TrainingGraph.Phase phase, Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics, AdamOptimizer optimizer) {}
}
