package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.types.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class ClipGuidanceTest {
  /** The tiny CLIP with the real tokenizer's ids for the words used here. */
  static ModelConfig tiny() {
    return ClipModelTest.tiny().with("vocabulary", null).with("cutouts", 4);
  }

  @Test
  void gradientAscentOnPixelsRaisesTheSimilarity() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Placeholder<TFloat32> x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 12, 12, 3)));
      Operand<TFloat32> score = new ClipGuidance().score(root.child("clip"), tiny(), x, Condition.prompt("a red apple"));
      Operand<TFloat32> total = root.tf().reduceSum(score, root.tf().constant(0));
      List<Output<TFloat32>> grad = Gradients.ofOutputs(g, total, new Output<?>[] {x.asOutput()}, List.of("images"));
      float[] pixels = new float[12 * 12 * 3];
      java.util.Arrays.fill(pixels, 0.5f);
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 3);
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 30; step++) {
          try (TFloat32 in = Tensors.floats(new long[] {1, 12, 12, 3}, pixels);
              Result r = s.runner().feed(x, in).fetch(total).fetch(grad.get(0)).run()) {
            last = Tensors.toScalar(r.get(0));
            if (step == 0) {
              first = last;
            }
            float[] d = Tensors.toFloats(r.get(1));
            for (int i = 0; i < pixels.length; i++) {
              pixels[i] = Math.min(1f, Math.max(0f, pixels[i] + 0.5f * Math.signum(d[i]) * 0.05f));
            }
          }
        }
        assertTrue(last > first + 0.05, "similarity " + first + " -> " + last);
      }
    }
  }

  @Test
  void aNegativeWeightFlipsTheScore() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Operand<TFloat32> img = root.tf().reshape(root.tf().constant(ClipModelTest.images()), root.tf().constant(new long[] {4, 8, 8, 1}));
      ModelConfig c = tiny().with("views_noise", 0.0);
      Operand<TFloat32> pos = new ClipGuidance().score(root.child("clip"), c, img, Condition.prompt("a photo of a cat:1"));
      Operand<TFloat32> neg = new ClipGuidance().score(root.child("clip"), c, img, Condition.prompt("a photo of a cat:-1"));
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 3);
        try (Result r = s.runner().fetch(pos).fetch(neg).run()) {
          float[] p = Tensors.toFloats(r.get(0));
          float[] n = Tensors.toFloats(r.get(1));
          assertEquals(4, p.length);
          for (int i = 0; i < 4; i++) {
            assertTrue(Math.abs(p[i]) <= 1.0001);
            assertTrue(Math.signum(p[i]) == -Math.signum(n[i]) || Math.abs(p[i]) < 0.2, p[i] + " vs " + n[i]);
          }
        }
      }
    }
  }
}
