package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.types.ImageBatch;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One copy of a model's training graph and the placeholders it is fed: the whole model in one
 * process, or one worker's replica on a cluster.
 *
 * @param images the images fed each step; null where the task holds the data set ({@code data})
 * @param rows the data set's rows of the step's shard, fed where the task holds the data set; else null
 * @param data the data set held on the replica's task, or null
 * @param tokens null when the model reads no text
 */
record Replica(Placeholder<TFloat32> images, Placeholder<TInt32> rows, WorkerData data, Placeholder<TInt32> labels, Placeholder<TInt32> tokens,
    Placeholder<TInt64> randomSeed, TrainingGraph graph) {

  /** This replica with {@code graph} in place of its own. */
  Replica with(TrainingGraph graph) {
    return new Replica(images, rows, data, labels, tokens, randomSeed, graph);
  }

  /**
   * Builds the placeholders in {@code scope} and the model's training graph on them, for part {@code shard} of {@code
   * shards} of each batch; the model sees its inputs only after the ops {@code after} have run. With {@code
   * dataOnTask} the data set's images are held on the scope's device ({@link WorkerData}, uploaded when the run
   * starts) and each step feeds the rows to gather.
   */
  static Replica build(GraphScope scope, int shard, int shards, java.util.List<org.tensorflow.op.Op> after, TrainableModel model,
      ModelConfig config, ImageBatch images, int textLength, ComponentLookup components, boolean dataOnTask) {
    Ops tf = scope.tf();
    Placeholder<TFloat32> fed = null;
    Placeholder<TInt32> rows = null;
    WorkerData data = null;
    Operand<TFloat32> x;
    if (dataOnTask) {
      data = new WorkerData(tf, images);
      rows = tf.withName("rows").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      x = data.gather(tf, rows);
    } else {
      fed = tf.withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, images.height(), images.width(), images.channels())));
      x = fed;
    }
    Placeholder<TInt32> y = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TInt32> text = textLength > 0
        ? tf.withName("tokens").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, textLength)))
        : null;
    Placeholder<TInt64> seed = tf.withName("random_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    TrainingInputs inputs;
    if (after.isEmpty()) {
      inputs = new TrainingInputs(x, y, text, seed, shard, shards);
    } else {
      Ops gated = tf.withControlDependencies(after);
      inputs = new TrainingInputs(gated.identity(x), gated.identity(y), text == null ? null : gated.identity(text), gated.identity(seed),
          shard, shards);
    }
    TrainingGraph tg = model.buildTraining(new TrainingContext(scope, config, inputs, components));
    return new Replica(fed, rows, data, y, text, seed, tg);
  }

  /** Adds this replica's feeds for {@code batch} (its shard) with per-step random seed {@code seed}. */
  void feed(StepFeeds feeds, StepBatch batch, long[] seed) {
    if (rows != null) {
      feeds.add(rows, Tensors.ints(new long[] {batch.size()}, batch.rows()));
    } else {
      feeds.add(images, Tensors.floats(batch.shape(), batch.images()));
    }
    feeds.add(labels, Tensors.ints(new long[] {batch.size()}, batch.labels()));
    feeds.add(randomSeed, TInt64.vectorOf(seed));
    if (tokens != null) {
      feeds.add(tokens, Tensors.ints(new long[] {batch.size(), batch.textLength()}, batch.tokens()));
    }
  }
}
