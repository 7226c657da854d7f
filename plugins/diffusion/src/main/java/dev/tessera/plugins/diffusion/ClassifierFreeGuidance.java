package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.sampling.ClassifierFree;
import dev.tessera.api.spi.Guidance;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Classifier-free guidance ({@link ClassifierFree}) behind the Guidance SPI, for diffusion pipelines. */
@Extension
public class ClassifierFreeGuidance implements Guidance {
  @Override
  public String name() {
    return "classifier-free";
  }

  @Override
  public String description() {
    return "eps_u + scale * (eps_c - eps_u); needs a model trained with condition dropout";
  }

  @Override
  public Operand<TFloat32> combine(GraphScope scope, Operand<TFloat32> conditional, Operand<TFloat32> unconditional, float scale) {
    return ClassifierFree.combine(scope.tf(), conditional, unconditional, scale);
  }

  @Override
  public float defaultScale() {
    return 2f;
  }
}
