package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Lookup table id -> vector: [...] int ids -> [..., dim]. Initialised N(0, 0.02) as in GPT-2 and CLIP. */
public final class TokenEmbedding {
  private final Ops tf;
  private final Operand<TFloat32> table;

  public TokenEmbedding(GraphScope scope, long vocabulary, long dim) {
    this.tf = scope.tf();
    this.table = scope.weight("weight", new long[] {vocabulary, dim}, Initializers.normal(0.02));
  }

  public Operand<TFloat32> apply(Operand<TInt32> ids) {
    return tf.gather(table, ids, tf.constant(0));
  }

  public Operand<TFloat32> table() {
    return table;
  }
}
