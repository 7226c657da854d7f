package dev.tessera.plugins.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.train.StepHook;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The VQ-VAE on tiny shapes: 8x8 images, 2x2 codes, 16 codes of 4 dimensions. */
class VqVaeModelTest {
  static ModelConfig tiny(boolean ema) {
    return VqVaeConfig.defaults().with("image_size", 8).with("hidden_channels", 8).with("residual_channels", 4)
        .with("residual_layers", 1).with("codebook_size", 16).with("embedding_dim", 4).with("ema", ema)
        .with("dead_code_check_every", 5);
  }

  static float[] images(int n, int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] px = new float[n * size * size];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return px;
  }

  /** Trains on one fixed batch; returns the loss of each step. */
  static float[] trainSteps(ModelConfig config, int steps) {
    return dev.tessera.api.testing.TrainingSteps.run(new VqVaeModel(), config, new long[] {8, 8, 8, 1}, images(8, 8, 1), new int[8], null, 3e-3, steps);
  }

  @Test
  void twentyStepsReduceTheLossWithAnEmaCodebook() {
    float[] l = trainSteps(tiny(true), 20);
    assertTrue(l[19] < 0.8 * l[0], "loss " + l[0] + " -> " + l[19]);
  }

  @Test
  void twentyStepsReduceTheLossWithALearnedCodebook() {
    float[] l = trainSteps(tiny(false), 20);
    assertTrue(l[19] < 0.8 * l[0], "loss " + l[0] + " -> " + l[19]);
  }

  @Test
  void straightThroughGradientReachesTheEncoder() {
    ModelConfig config = tiny(true);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> x = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1)));
      VqVaeModel.Forward f = VqVaeModel.forward(scope, config, x);
      // Reconstruction loss alone: its only path to the encoder is through the quantizer.
      List<Output<TFloat32>> grads = Gradients.of(g, f.mse(), List.of(scope.variables().entry("vqvae.encoder.conv1.kernel")));
      try (Session s = new Session(g); TFloat32 xb = Tensors.floats(new long[] {4, 8, 8, 1}, images(4, 8, 2))) {
        scope.variables().initialize(s, 1);
        try (Result r = s.runner().feed(x, xb).fetch(grads.get(0)).run()) {
          float[] grad = Tensors.toFloats(r.get(0));
          double norm = 0;
          for (float v : grad) {
            assertTrue(Float.isFinite(v));
            norm += v * v;
          }
          assertTrue(norm > 1e-12, "no gradient reached the encoder: |g|^2 = " + norm);
        }
      }
    }
  }

  @Test
  void quantizerPicksTheNearestCodeAndPassesGradientsStraightThrough() {
    ModelConfig config = tiny(false).with("embedding_dim", 2).with("codebook_size", 3);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> z = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 1, 2, 2)));
      Quantization q = new VectorQuantizer().quantize(scope.child("q"), config, z);
      Operand<TFloat32> loss = scope.tf().reduceSum(q.quantized(), scope.tf().constant(new int[] {0, 1, 2, 3}));
      List<Output<TFloat32>> dz = Gradients.ofOutputs(g, loss, new Output<?>[] {z.asOutput()}, List.of("z"));
      try (Session s = new Session(g); TFloat32 zb = Tensors.floats(new long[] {1, 1, 2, 2}, new float[] {0.9f, 1.1f, -2f, -2.2f})) {
        scope.variables().assign(s, "q.codebook", new float[] {0, 0, 1, 1, -2, -2});
        try (Result r = s.runner().feed(z, zb).fetch(q.codes()).fetch(q.quantized()).fetch(dz.get(0)).fetch(q.commitmentLoss()).run()) {
          int[] codes = Tensors.toInts(r.get(0));
          assertEquals(1, codes[0]);
          assertEquals(2, codes[1]);
          float[] zq = Tensors.toFloats(r.get(1));
          assertEquals(1f, zq[0], 1e-6);
          assertEquals(-2f, zq[3], 1e-6);
          for (float v : Tensors.toFloats(r.get(2))) {
            assertEquals(1f, v, 1e-6); // identity gradient: straight through
          }
          // commitment = mean((z - zq)^2) = (0.01 + 0.01 + 0 + 0.04) / 4
          assertEquals(0.015f, Tensors.toScalar(r.get(3)), 1e-6);
        }
      }
    }
  }

  @Test
  void emaUpdateMovesUsedCodesTowardTheirEncoderOutputs() {
    ModelConfig config = tiny(true).with("embedding_dim", 2).with("codebook_size", 2).with("ema_decay", 0.5);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> z = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 1, 1, 2)));
      Quantization q = new VectorQuantizer().quantize(scope.child("q"), config, z);
      java.util.List<org.tensorflow.op.Op> updates = dev.tessera.api.train.BatchUpdate.buildAlone(q.batchUpdates(), scope.tf());
      try (Session s = new Session(g); TFloat32 zb = Tensors.floats(new long[] {1, 1, 1, 2}, new float[] {2f, 2f})) {
        scope.variables().initialize(s, 1);
        scope.variables().assign(s, "q.codebook", new float[] {1, 1, -5, -5});
        scope.variables().assign(s, "q.ema_sum", new float[] {1, 1, -5, -5});
        Session.Runner r = s.runner().feed(z, zb);
        updates.forEach(r::addTarget);
        r.run().close();
        float[] codebook = scope.variables().read(s, "q.codebook");
        // N = (0.5*1 + 0.5*1, 0.5*1 + 0) = (1, 0.5); m0 = 0.5*(1,1) + 0.5*(2,2) = (1.5, 1.5); e0 ~= m0 / N0 (Laplace-smoothed)
        assertEquals(1.5f, codebook[0], 1e-3);
        assertEquals(-5f, codebook[2], 1e-3); // unused code keeps its value: m and N decay together
      }
    }
  }

  @Test
  void deadCodesAreReinitialisedFromEncoderOutputs() {
    ModelConfig config = tiny(true).with("dead_code_threshold", 0.5).with("dead_code_check_every", 1);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> x = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1)));
      Placeholder<TInt32> y = scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      TrainingGraph tg = new VqVaeModel().buildTraining(scope, config, new TrainingInputs(x, y));
      try (Session s = new Session(g); TFloat32 xb = Tensors.floats(new long[] {2, 8, 8, 1}, images(2, 8, 5))) {
        scope.variables().initialize(s, 1);
        float[] before = scope.variables().read(s, "vqvae.quantizer.codebook");
        // usage starts at 0: every code is dead at the first check
        tg.hook().afterStep(new StepHook.Context(1, s, scope.variables(), () -> s.runner().feed(x, xb), new SplittableRandom(1)));
        float[] after = scope.variables().read(s, "vqvae.quantizer.codebook");
        float[] usage = scope.variables().read(s, "vqvae.quantizer.usage");
        assertFalse(java.util.Arrays.equals(before, after));
        for (float u : usage) {
          assertEquals(1f, u);
        }
        try (Result r = s.runner().feed(x, xb).fetch(scope.variables().entry("vqvae.quantizer.codebook").variable()).run()) {
          assertEquals(16 * 4, Tensors.toFloats(r.get(0)).length);
        }
      }
    }
  }

  @Test
  void badConfigsAreClearErrors() {
    TesseraException e = assertThrows(TesseraException.class, () -> VqVaeConfig.from(VqVaeConfig.defaults().with("image_size", 30)));
    assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
    e = assertThrows(TesseraException.class, () -> VqVaeConfig.from(VqVaeConfig.defaults().with("codebook_size", 0)));
    assertTrue(e.getMessage().contains("codebook_size"), e.getMessage());
    e = assertThrows(TesseraException.class, () -> VqVaeConfig.from(VqVaeConfig.defaults().with("ema_decay", 1.5)));
    assertTrue(e.getMessage().contains("ema_decay"), e.getMessage());
  }

  @Test
  void flopCountMatchesTheArchitecture() {
    // Hand count for 28x28, hidden 128, residual 32 x 2, K 512, D 64.
    long enc = 2L * 14 * 14 * 16 * 1 * 64 + 2L * 7 * 7 * 16 * 64 * 128 + 2L * 7 * 7 * 9 * 128 * 128
        + 2 * (2L * 7 * 7 * 9 * 128 * 32 + 2L * 7 * 7 * 32 * 128) + 2L * 7 * 7 * 128 * 64;
    long dec = 2L * 7 * 7 * 9 * 64 * 128 + 2 * (2L * 7 * 7 * 9 * 128 * 32 + 2L * 7 * 7 * 32 * 128)
        + 2L * 7 * 7 * 16 * 64 * 128 + 2L * 14 * 14 * 16 * 1 * 64;
    long vq = 2 * 2L * 49 * 512 * 64;
    assertEquals(enc + dec + vq, new VqVaeModel().forwardFlopsPerExample(VqVaeConfig.defaults()));
  }
}
