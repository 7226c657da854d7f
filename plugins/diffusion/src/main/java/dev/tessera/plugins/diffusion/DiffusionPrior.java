package dev.tessera.plugins.diffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.TracedRuns;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.sampling.ClassifierFree;
import dev.tessera.api.sampling.SamplingLoop;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.sampling.Schedulers;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.Latents;
import java.util.List;
import java.util.SplittableRandom;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The DALL-E 2 prior behind the Prior SPI: given a CLIP text embedding ({@link Condition#embedding})
 * it samples CLIP image embeddings (unit vectors, [count, dim]) with a scheduler, under
 * classifier-free guidance (the conditional and unconditional halves run in one session run).
 */
@Extension
public class DiffusionPrior implements Prior {
  @Override
  public String name() {
    return "dalle2-prior";
  }

  @Override
  public String description() {
    return "diffusion prior over CLIP image embeddings, conditioned on a CLIP text embedding";
  }

  @Override
  public Sampler build(GraphScope root, ModelConfig config) {
    PriorConfig c = PriorConfig.from(config);
    Ops tf = root.tf();
    Placeholder<TFloat32> x = tf.withName("prior_noisy").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, c.dim())));
    Placeholder<TFloat32> t = tf.withName("prior_timesteps").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> cond = tf.withName("prior_condition").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, c.dim())));
    Placeholder<TFloat32> scale = tf.withName("prior_guidance_scale").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> x2 = tf.concat(List.of(x, x), tf.constant(0));
    Operand<TFloat32> t2 = tf.concat(List.of(t, t), tf.constant(0));
    Operand<TFloat32> c2 = tf.concat(List.of(cond, tf.zerosLike(cond)), tf.constant(0));
    Operand<TFloat32> both = c.denoiser(root.child(config.getString("scope", "prior"))).apply(x2, t2, c2);
    List<org.tensorflow.Output<TFloat32>> halves = tf.split(tf.constant(0), both, 2L).output();
    Operand<TFloat32> eps = ClassifierFree.combine(tf, halves.get(0), halves.get(1), scale);
    return (session, condition, count, options) -> sample(session, c, x, t, cond, scale, eps, condition, count, options);
  }

  private static Latents sample(Session session, PriorConfig c, Placeholder<TFloat32> x, Placeholder<TFloat32> t, Placeholder<TFloat32> cond,
      Placeholder<TFloat32> scale, Operand<TFloat32> eps, Condition condition, int count, SamplingOptions options) {
    Embedding text = condition.embedding();
    if (text == null || text.dim() != c.dim() || (text.count() != 1 && text.count() != count)) {
      throw new TesseraException("the prior takes a text embedding of " + c.dim() + " values, one for all samples or one per sample");
    }
    if (count < 1) {
      throw new TesseraException("the number of samples must be positive, got " + count);
    }
    float[] rows = text.rowsFor(count);
    Scheduler scheduler = Schedulers.create(options.scheduler(), c.schedule(), 0, options.schedulers());
    scheduler.setTimesteps(Math.min(options.steps(), c.timesteps()));
    float[] sampled;
    try (TFloat32 cb = Tensors.floats(new long[] {count, c.dim()}, rows); TFloat32 sb = TFloat32.scalarOf(options.guidanceScale())) {
      sampled = SamplingLoop.run(scheduler, count * c.dim(), (sample, step) -> {
        float[] ts = new float[count];
        java.util.Arrays.fill(ts, step);
        try (TFloat32 xb = Tensors.floats(new long[] {count, c.dim()}, sample); TFloat32 tb = Tensors.floats(new long[] {count}, ts);
            Result r = TracedRuns.run(session.runner().feed(x, xb).feed(t, tb).feed(cond, cb).feed(scale, sb).fetch(eps))) {
          return Tensors.toFloats(r.get(0));
        }
      }, new SplittableRandom(options.seed() ^ 0x9E3779B97F4A7C15L), null);
    }
    // Back to unit vectors, the space CLIP's image embeddings live in.
    for (int i = 0; i < count; i++) {
      double norm = 0;
      for (int k = 0; k < c.dim(); k++) {
        norm += sampled[i * c.dim() + k] * sampled[i * c.dim() + k];
      }
      float inv = (float) (1 / Math.sqrt(Math.max(norm, 1e-24)));
      for (int k = 0; k < c.dim(); k++) {
        sampled[i * c.dim() + k] *= inv;
      }
    }
    return Latents.ofValues(new long[] {count, c.dim()}, sampled);
  }
}
