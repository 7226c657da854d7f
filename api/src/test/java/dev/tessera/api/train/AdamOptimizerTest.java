package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam on loss = ||W - target||^2 + ||other||^2, optimising W only: "other" is a trainable
 * variable of the same graph with a gradient, which the optimizer must leave alone.
 */
class AdamOptimizerTest {
  private static final float[] TARGET = {0.5f, -0.25f, 1f, 0f, -1f, 0.75f};
  private static final double LR = 0.05;

  private Graph graph;
  private Session session;
  private GraphScope root;
  private Operand<TFloat32> wLoss;
  private AdamOptimizer adam;

  @BeforeEach
  void build() {
    graph = new Graph();
    root = GraphScope.root(graph);
    Ops tf = root.tf();
    GraphScope model = root.child("model");
    Variable<TFloat32> w = model.parameter("w", new long[] {2, 3}, Initializers.uniform(1));
    Variable<TFloat32> other = model.parameter("other", new long[] {2}, Initializers.uniform(1));
    Operand<TFloat32> target = tf.reshape(tf.constant(TARGET), tf.constant(new long[] {2, 3}));
    wLoss = tf.reduceSum(tf.math.square(tf.math.sub(w, target)), tf.constant(new int[] {0, 1}));
    Operand<TFloat32> loss = tf.math.add(wLoss, tf.reduceSum(tf.math.square(other), tf.constant(new int[] {0})));
    adam = new AdamOptimizer(root, "optimizer", loss, List.of(root.variables().entry("model.w")), AdamOptimizer.Config.defaults(LR));
    session = new Session(graph);
    root.variables().initialize(session, 11);
  }

  @AfterEach
  void close() {
    session.close();
    graph.close();
  }

  private void step() {
    session.runner().addTarget(adam.update()).run().close();
  }

  private float fetch(Operand<TFloat32> x) {
    try (Result r = session.runner().fetch(x).run()) {
      return Tensors.toScalar(r.get(0));
    }
  }

  private float[] w() {
    return root.variables().read(session, "model.w");
  }

  @Test
  void fiftyStepsReduceTheLoss() {
    float first = fetch(wLoss);
    float halfway = 0;
    for (int i = 1; i <= 50; i++) {
      step();
      if (i == 25) {
        halfway = fetch(wLoss);
      }
    }
    float last = fetch(wLoss);
    assertTrue(first > 0.5f, "the initial weights are not already at the target: " + first);
    assertTrue(halfway < first && last < halfway, first + " -> " + halfway + " -> " + last);
    assertTrue(last < 0.05f * first, first + " -> " + last);
  }

  @Test
  void stepsMatchTheBiasCorrectedAdamFormula() {
    // Textbook Adam (Kingma and Ba, Algorithm 1) in double precision on the same start.
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    float[] start = w();
    double[] theta = new double[start.length];
    double[] m = new double[start.length];
    double[] v = new double[start.length];
    for (int i = 0; i < start.length; i++) {
      theta[i] = start[i];
    }
    for (int t = 1; t <= 3; t++) {
      step();
      float[] actual = w();
      for (int i = 0; i < theta.length; i++) {
        double g = 2 * (theta[i] - TARGET[i]);
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        theta[i] -= LR * mHat / (Math.sqrt(vHat) + eps);
        assertEquals(theta[i], actual[i], 1e-5, "step " + t + " element " + i);
        if (t == 1) {
          // The first bias-corrected step moves every weight by lr towards the target (mHat / sqrt(vHat) = sign(g)).
          assertEquals(start[i] - LR * Math.signum(start[i] - TARGET[i]), actual[i], 1e-6, "first step, element " + i);
        }
      }
    }
  }

  @Test
  void onlyTheGivenVariablesChange() {
    float[] otherBefore = root.variables().read(session, "model.other");
    float[] wBefore = w();
    for (int i = 0; i < 5; i++) {
      step();
    }
    assertArrayEquals(otherBefore, root.variables().read(session, "model.other"), "model.other is not optimised");
    assertFalse(java.util.Arrays.equals(wBefore, w()), "model.w is optimised");
    // Moments exist for the optimised variable only, and are training state, not weights.
    assertTrue(root.variables().contains("model.w.adam_m") && root.variables().contains("model.w.adam_v"));
    assertFalse(root.variables().contains("model.other.adam_m"));
    assertEquals(VariableStore.Kind.TRAINING_STATE, root.variables().entry("model.w.adam_m").kind());
    assertEquals(2, root.variables().trainable("").size(), "the optimizer adds no trainable variables");
  }

  @Test
  void stepCounterCountsSteps() {
    assertEquals(0f, fetch(adam.step()));
    step();
    assertEquals(1f, fetch(adam.step()));
    step();
    step();
    assertEquals(3f, fetch(adam.step()));
    assertEquals(3f, root.variables().read(session, "optimizer.step")[0], "stored as optimizer.step");
    assertEquals(VariableStore.Kind.TRAINING_STATE, root.variables().entry("optimizer.step").kind());
  }

  @Test
  void fetchingTheGradientNormDoesNotStep() {
    float[] w = w();
    double sq = 0;
    for (int i = 0; i < w.length; i++) {
      sq += Math.pow(2 * (w[i] - TARGET[i]), 2);
    }
    assertEquals(Math.sqrt(sq), fetch(adam.gradientNorm()), 1e-5 * Math.sqrt(sq));
    assertEquals(0f, fetch(adam.step()));
    assertArrayEquals(w, w());
  }

  @Test
  void aZeroLearningRateLeavesTheWeights() {
    float[] before = w();
    try (TFloat32 zero = TFloat32.scalarOf(0f)) {
      session.runner().feed(adam.learningRate(), zero).addTarget(adam.update()).run().close();
    }
    assertArrayEquals(before, w());
    assertEquals(1f, fetch(adam.step()), "the step still counts");
  }

  /**
   * Optimizers over two copies of a variable that share one learning rate and run together (all-reduce training:
   * one per task) update both copies alike, and one fed rate reaches both.
   */
  @Test
  void optimizersRunTogetherUpdateTheirCopiesAlikeUnderOneRate() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphScope r = GraphScope.root(g);
      GraphScope copies = r.replicaWithOwnVariables("task1", org.tensorflow.DeviceSpec.newBuilder().build());
      Ops tf = r.tf();
      Variable<TFloat32> a = r.parameter("v", new long[] {3}, Initializers.uniform(1));
      Variable<TFloat32> b = copies.parameter("v", new long[] {3}, Initializers.uniform(1));
      Operand<TFloat32> target = tf.constant(new float[] {10f, 20f, 30f}); // far: Adam moves each weight by about the rate per step
      var ga = Gradients.of(g, tf.reduceSum(tf.math.square(tf.math.sub(a, target)), tf.constant(0)), r.variables().trainable(""));
      var gb = Gradients.of(g, tf.reduceSum(tf.math.square(tf.math.sub(b, target)), tf.constant(0)), copies.variables().trainable(""));
      AdamOptimizer first = new AdamOptimizer(r, "optimizer", ga, r.variables().trainable(""), AdamOptimizer.Config.defaults(LR));
      AdamOptimizer second = new AdamOptimizer(copies, "optimizer", gb, copies.variables().trainable(""), AdamOptimizer.Config.defaults(LR),
          first.learningRate());
      AdamOptimizer both = AdamOptimizer.together(tf, List.of(first, second));
      r.variables().initialize(s, 3);
      float[] start = r.variables().read(s, "v");
      try (TFloat32 rate = TFloat32.scalarOf(0.2f)) {
        for (int i = 0; i < 5; i++) {
          s.runner().feed(both.learningRate(), rate).addTarget(both.update()).run().close();
        }
      }
      float[] va;
      float[] vb;
      try (Result res = s.runner().fetch(a).fetch(b).run()) {
        va = Tensors.toFloats((TFloat32) res.get(0));
        vb = Tensors.toFloats((TFloat32) res.get(1));
      }
      assertArrayEquals(va, vb);
      assertEquals(5f, fetch(s, both.step()));
      for (int i = 0; i < 3; i++) {
        // five steps at the fed 0.2, not the default 0.05, on both copies
        assertEquals(1.0, va[i] - start[i], 0.05, "moved " + (va[i] - start[i]));
      }
    }
  }

  private static float fetch(Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return Tensors.toScalar(r.get(0));
    }
  }
}
