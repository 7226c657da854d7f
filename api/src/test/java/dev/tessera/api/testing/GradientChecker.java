package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.train.Gradients;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Checks the analytic gradients TensorFlow builds with {@code Graph.addGradients} (through {@link
 * Gradients#ofOutputs}) against central finite differences, for every input of a graph fragment
 * and every trainable variable it creates.
 *
 * <p>How it works:
 *
 * <ol>
 *   <li>Each input is a placeholder with a fully known static shape, fed with uniform random values
 *       in {@code [inputLow, inputHigh]} (seeded). The {@link LossBuilder} builds any float output
 *       {@code y} from them on a fresh root {@link GraphScope}.
 *   <li>The checker reduces {@code y} to the scalar loss {@code L = sum(y * R)} with a fixed random
 *       {@code R} in [-1, 1], so every element of {@code y} contributes with its own weight (a plain
 *       {@code sum(y)} would miss errors that cancel, such as a gradient routed to the wrong
 *       output position).
 *   <li>Variables start from their initializers ({@code VariableStore.initialize(session, seed)})
 *       plus a small uniform jitter, so constant initial values (GroupNorm's gamma = 1, beta = 0)
 *       cannot hide a broadcasting error.
 *   <li>For at most {@code maxCoordinates} coordinates of each tensor (all of them for small
 *       tensors, else a seeded random subset) the numeric derivative is computed from central
 *       differences {@code c(h) = (L(x + h) - L(x - h)) / 2h}, starting at {@code h = eps}. The
 *       loss for finite differences is summed in double precision in Java from the fetched
 *       float32 {@code y}, which keeps float32 summation noise out of the differences. Variables
 *       are perturbed through {@link VariableStore#assign} and restored afterwards.
 * </ol>
 *
 * <p>A coordinate passes when {@code |analytic - numeric| <= absTolerance + relTolerance *
 * max(|analytic|, |numeric|)}. The numeric value is the Richardson extrapolation {@code c(h/2) +
 * (c(h/2) - c(h)) / 3} of two successive central differences that agree (below).
 *
 * <p><b>Kinks (ReLU, max, leaky ReLU).</b> Where a kink lies within {@code h} of the point, a
 * central difference is wrong, while the analytic gradient is right. For a smooth function two
 * successive central differences {@code c(h)} and {@code c(h/2)} agree to {@code O(h^2)} and the
 * second differences (forward minus backward slope) shrink in proportion to h; across a kink one
 * of the two fails by a fraction of the slope change. While either fails the step is halved (up to
 * {@code maxHalvings} times); a coordinate that never looks smooth is <em>skipped</em> (counted in
 * the report) instead of compared. This decision depends only on the function, never on the
 * analytic gradient, so a wrong gradient cannot be skipped into passing. The smoothness tests use
 * a quarter of the comparison tolerance, so that a kink too small to be detected cannot move the
 * numeric value by the whole tolerance. A tensor where more than {@code maxSkippedFraction} of the
 * sampled coordinates (and more than one) were skipped fails, so a function that is non-smooth
 * everywhere (or inputs placed on the kinks) cannot pass vacuously. With a fixed seed
 * the result is deterministic.
 *
 * <p>Set the system property {@code tessera.gradcheck.verbose=true} to print every report.
 *
 * <p>Everything native (graph, session, tensors, results) is closed before {@code check} returns.
 *
 * <p>Example (from a plugin test):
 *
 * <pre>{@code
 * GradientChecker.assertGradientsMatch(
 *     (scope, in) -> new Conv2d(scope.child("conv"), 2, 3, 3).apply(in.get(0)),
 *     new long[] {1, 5, 5, 2});
 * }</pre>
 */
public final class GradientChecker {
  /**
   * The smoothness tests accept a step only when they agree within this fraction of the
   * comparison tolerance: a kink small enough to slip through then moves the numeric derivative by
   * well under the tolerance (a single kink by at most about a sixth of it), so accumulated
   * undetected kinks do not turn into false mismatches.
   */
  static final double SMOOTHNESS_FRACTION = 0.25;

  private GradientChecker() {}

  /**
   * Builds the graph fragment under test. Returns any float32 output (not necessarily a scalar):
   * the checker reduces it to a scalar loss itself.
   */
  @FunctionalInterface
  public interface LossBuilder {
    /**
     * @param scope a fresh root scope of a new graph; create the layers' variables through it
     * @param inputs one placeholder per input shape given to the checker, in order
     */
    Operand<TFloat32> build(GraphScope scope, List<Operand<TFloat32>> inputs);
  }

  /**
   * Settings of a check. Immutable; start from {@link #defaults()} and change fields with the
   * {@code with...} methods.
   *
   * @param seed seeds inputs, R, variable initialisation and jitter, and the coordinate sample
   * @param epsilon the first finite-difference step (halved while the function does not look
   *     smooth at that scale)
   * @param absTolerance absolute part of the tolerance
   * @param relTolerance relative part of the tolerance
   * @param maxCoordinates coordinates checked per tensor at most (a seeded random subset beyond)
   * @param inputLow lower bound of the uniform random inputs
   * @param inputHigh upper bound of the uniform random inputs
   * @param variableJitter amplitude of the uniform noise added to every trainable variable after
   *     initialisation (0 keeps the initializers' values)
   * @param checkVariables whether to check the trainable variables as well as the inputs
   * @param maxHalvings how many times the step may be halved to get past a kink (the smallest
   *     step is epsilon / 2^maxHalvings)
   * @param maxSkippedFraction largest fraction of a tensor's sampled coordinates that may be
   *     skipped as non-smooth before the tensor fails (one skip is always allowed; a tensor with
   *     no coordinate compared fails)
   */
  public record Options(
      long seed,
      double epsilon,
      double absTolerance,
      double relTolerance,
      int maxCoordinates,
      double inputLow,
      double inputHigh,
      double variableJitter,
      boolean checkVariables,
      int maxHalvings,
      double maxSkippedFraction) {

    public Options {
      if (!(epsilon > 0) || absTolerance < 0 || relTolerance < 0 || maxCoordinates < 1 || !(inputHigh >= inputLow)
          || variableJitter < 0 || maxHalvings < 1 || maxSkippedFraction < 0 || maxSkippedFraction > 1) {
        throw new IllegalArgumentException("invalid gradient checker options: " + this);
      }
    }

    /**
     * eps 1e-2, atol 1e-3, rtol 1e-2, 30 coordinates, inputs in [-1, 1], jitter 0.1, variables
     * checked, step halved at most 3 times (to 1.25e-3), at most 25% skipped. Measured with these
     * (60 seeds, inputs in [-3, 3]): the worst coordinate of any layer in this module used 27% of
     * the tolerance (ResidualBlock, from ReLU kinks; under 8% for the others), while gradients
     * scaled by 2, by -1 or even by 1.1 failed for every layer and seed tried (20 each).
     */
    public static Options defaults() {
      return new Options(42, 1e-2, 1e-3, 1e-2, 30, -1, 1, 0.1, true, 3, 0.25);
    }

    public Options withSeed(long seed) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withEpsilon(double epsilon) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withTolerance(double absTolerance, double relTolerance) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withMaxCoordinates(int maxCoordinates) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withInputRange(double inputLow, double inputHigh) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withVariableJitter(double variableJitter) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withCheckVariables(boolean checkVariables) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withMaxHalvings(int maxHalvings) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    public Options withMaxSkippedFraction(double maxSkippedFraction) {
      return new Options(seed, epsilon, absTolerance, relTolerance, maxCoordinates, inputLow, inputHigh, variableJitter, checkVariables, maxHalvings, maxSkippedFraction);
    }

    /** The tolerance for one coordinate. */
    double tolerance(double a, double b) {
      return absTolerance + relTolerance * Math.max(Math.abs(a), Math.abs(b));
    }
  }

  /** One coordinate whose analytic and numeric derivatives disagree. */
  public record Mismatch(String tensor, long[] coordinate, double analytic, double numeric, double tolerance) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s%s: analytic %.6g, numeric %.6g (|diff| %.3g > tolerance %.3g)",
          tensor, Arrays.toString(coordinate), analytic, numeric, Math.abs(analytic - numeric), tolerance);
    }
  }

  /**
   * The result for one tensor (an input {@code input0, input1, ...} or a variable by its dotted
   * name).
   *
   * @param checked coordinates compared (not counting skipped ones)
   * @param skipped coordinates skipped as non-smooth (a kink within eps)
   * @param maxAbsError largest |analytic - numeric| over the compared coordinates
   * @param maxRelError largest |analytic - numeric| / max(|analytic|, |numeric|, absTolerance)
   * @param toleranceUsed largest |analytic - numeric| / tolerance (above 1 is a mismatch): how
   *     close the tensor came to failing
   * @param mismatches every compared coordinate outside the tolerance
   * @param tooManySkipped more than {@code maxSkippedFraction} of the sampled coordinates (and more
   *     than one) skipped, or none compared
   */
  public record TensorReport(
      String name,
      long[] shape,
      int checked,
      int skipped,
      double maxAbsError,
      double maxRelError,
      double toleranceUsed,
      List<Mismatch> mismatches,
      boolean tooManySkipped) {
    public boolean passed() {
      return mismatches.isEmpty() && !tooManySkipped;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-28s %-16s checked %3d skipped %2d max abs err %.2e max rel err %.2e tolerance used %.3f%s",
          name, Arrays.toString(shape), checked, skipped, maxAbsError, maxRelError, toleranceUsed,
          passed() ? "" : tooManySkipped ? "  FAILED (too many non-smooth coordinates)" : "  FAILED");
    }
  }

  /** The results of one check, inputs first, then variables in creation order. */
  public record Report(List<TensorReport> tensors) {
    public boolean passed() {
      return tensors.stream().allMatch(TensorReport::passed);
    }

    public TensorReport tensor(String name) {
      return tensors.stream().filter(t -> t.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "' in the report"));
    }

    /** Throws an {@link AssertionError} naming each failing tensor and its worst coordinates. */
    public void assertPassed() {
      if (passed()) {
        return;
      }
      StringBuilder sb = new StringBuilder("gradient check failed:\n");
      for (TensorReport t : tensors) {
        if (t.passed()) {
          continue;
        }
        if (t.tooManySkipped()) {
          sb.append("  ").append(t.name()).append(": ").append(t.skipped()).append(" of ")
              .append(t.checked() + t.skipped())
              .append(" sampled coordinates are not smooth at this eps (kinks?); move the inputs or lower eps\n");
        }
        // The worst few are enough to locate the error; the summary below gives the rest.
        t.mismatches().stream()
            .sorted((a, b) -> Double.compare(Math.abs(b.analytic() - b.numeric()), Math.abs(a.analytic() - a.numeric())))
            .limit(5)
            .forEach(m -> sb.append("  ").append(m).append('\n'));
        if (t.mismatches().size() > 5) {
          sb.append("  ... and ").append(t.mismatches().size() - 5).append(" more in ").append(t.name()).append('\n');
        }
      }
      sb.append(this);
      throw new AssertionError(sb.toString());
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (TensorReport t : tensors) {
        sb.append(t).append('\n');
      }
      return sb.toString();
    }
  }

  /** Checks with {@link Options#defaults()}. */
  public static Report check(LossBuilder builder, long[]... inputShapes) {
    return check(Options.defaults(), builder, inputShapes);
  }

  /** Checks with {@link Options#defaults()} and throws an {@link AssertionError} on failure. */
  public static Report assertGradientsMatch(LossBuilder builder, long[]... inputShapes) {
    return assertGradientsMatch(Options.defaults(), builder, inputShapes);
  }

  /** Checks and throws an {@link AssertionError} naming the tensor and coordinate on failure. */
  public static Report assertGradientsMatch(Options options, LossBuilder builder, long[]... inputShapes) {
    Report report = check(options, builder, inputShapes);
    report.assertPassed();
    return report;
  }

  /**
   * Builds the graph, computes analytic and numeric gradients and compares them.
   *
   * @param inputShapes the fully known shape of each input placeholder (may be empty when the
   *     fragment has only variables)
   * @throws IllegalStateException when the output does not depend on an input or a trainable
   *     variable (from {@link Gradients#ofOutputs}; use {@code withCheckVariables(false)} for
   *     fragments that own unused variables)
   */
  public static Report check(Options options, LossBuilder builder, long[]... inputShapes) {
    try (Graph graph = new Graph()) {
      GraphScope scope = GraphScope.root(graph);
      Ops checkerOps = scope.tf().withSubScope("gradient_checker");
      List<Placeholder<TFloat32>> placeholders = new ArrayList<>();
      List<Operand<TFloat32>> inputs = new ArrayList<>();
      for (int i = 0; i < inputShapes.length; i++) {
        for (long d : inputShapes[i]) {
          if (d < 0) {
            throw new IllegalArgumentException("input " + i + " needs a fully known shape: " + Arrays.toString(inputShapes[i]));
          }
        }
        Placeholder<TFloat32> p = checkerOps.withName("input" + i)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputShapes[i])));
        placeholders.add(p);
        inputs.add(p);
      }
      // Identity: TF refuses to fetch a tensor that is also fed, e.g. when y is an input itself.
      Operand<TFloat32> y = checkerOps.withName("output").identity(builder.build(scope, List.copyOf(inputs)));

      // R has no static shape: y's may be unknown until it runs (reshapes with -1).
      Placeholder<TFloat32> weights = checkerOps.withName("weights").placeholder(TFloat32.class);
      Operand<TFloat32> product = checkerOps.math.mul(y, weights);
      Operand<TFloat32> loss =
          checkerOps.reduceSum(product, checkerOps.range(checkerOps.constant(0), checkerOps.rank(product), checkerOps.constant(1)));

      List<VariableStore.Entry> variables = options.checkVariables() ? scope.variables().trainable("") : List.of();
      List<String> names = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      Output<?>[] xs = new Output<?>[inputShapes.length + variables.size()];
      for (int i = 0; i < inputShapes.length; i++) {
        names.add("input" + i);
        shapes.add(inputShapes[i].clone());
        xs[i] = placeholders.get(i).asOutput();
      }
      for (int i = 0; i < variables.size(); i++) {
        names.add(variables.get(i).name());
        shapes.add(variables.get(i).shape().clone());
        xs[inputShapes.length + i] = variables.get(i).variable().asOutput();
      }
      List<Output<TFloat32>> gradients = xs.length == 0 ? List.of() : Gradients.ofOutputs(graph, loss, xs, names);

      try (Session session = new Session(graph)) {
        scope.variables().initialize(session, options.seed());
        SplittableRandom random = new SplittableRandom(options.seed());
        if (options.variableJitter() > 0) {
          for (VariableStore.Entry e : scope.variables().trainable("")) {
            float[] v = scope.variables().read(session, e.name());
            for (int k = 0; k < v.length; k++) {
              v[k] += (float) ((random.nextDouble() * 2 - 1) * options.variableJitter());
            }
            scope.variables().assign(session, e.name(), v);
          }
        }
        float[][] inputValues = new float[inputShapes.length][];
        for (int i = 0; i < inputShapes.length; i++) {
          inputValues[i] = new float[Math.toIntExact(Shape.of(inputShapes[i]).size())];
          for (int k = 0; k < inputValues[i].length; k++) {
            inputValues[i][k] = (float) (options.inputLow() + random.nextDouble() * (options.inputHigh() - options.inputLow()));
          }
        }

        Evaluator eval = new Evaluator(session, placeholders, inputShapes, inputValues, y);
        float[] y0 = eval.forward();
        long[] yShape = eval.lastShape;
        float[] r = new float[y0.length];
        for (int k = 0; k < r.length; k++) {
          r[k] = (float) (random.nextDouble() * 2 - 1);
        }
        eval.weights = r;

        float[][] analytic = analyticGradients(session, placeholders, inputShapes, inputValues, weights, yShape, r, gradients);

        List<TensorReport> reports = new ArrayList<>();
        for (int t = 0; t < xs.length; t++) {
          String name = names.get(t);
          long[] shape = shapes.get(t);
          if (analytic[t].length != Shape.of(shape).size()) {
            throw new AssertionError("gradient of " + name + " has " + analytic[t].length + " elements, expected shape " + Arrays.toString(shape));
          }
          Perturbable target = t < inputShapes.length
              ? new InputTarget(eval, t)
              : new VariableTarget(session, scope.variables(), name);
          reports.add(checkTensor(options, name, shape, analytic[t], target, eval));
        }
        Report report = new Report(List.copyOf(reports));
        if (Boolean.getBoolean("tessera.gradcheck.verbose")) {
          System.out.print(report);
        }
        return report;
      }
    }
  }

  private static float[][] analyticGradients(Session session, List<Placeholder<TFloat32>> placeholders, long[][] inputShapes,
      float[][] inputValues, Placeholder<TFloat32> weights, long[] yShape, float[] r, List<Output<TFloat32>> gradients) {
    float[][] out = new float[gradients.size()][];
    if (gradients.isEmpty()) {
      return out;
    }
    List<TFloat32> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < placeholders.size(); i++) {
        TFloat32 t = Tensors.floats(inputShapes[i], inputValues[i]);
        fed.add(t);
        runner.feed(placeholders.get(i), t);
      }
      TFloat32 w = Tensors.floats(yShape, r);
      fed.add(w);
      runner.feed(weights, w);
      gradients.forEach(runner::fetch);
      try (Result result = runner.run()) {
        for (int i = 0; i < out.length; i++) {
          out[i] = Tensors.toFloats(result.get(i));
        }
      }
    } finally {
      fed.forEach(TFloat32::close);
    }
    return out;
  }

  private static TensorReport checkTensor(Options options, String name, long[] shape, float[] analytic, Perturbable target, Evaluator eval) {
    int[] coordinates = sample(analytic.length, options.maxCoordinates(), new SplittableRandom(options.seed() ^ name.hashCode()));
    float[] base = target.values();
    double l0 = eval.loss();
    int checked = 0;
    int skipped = 0;
    double maxAbs = 0;
    double maxRel = 0;
    double used = 0;
    List<Mismatch> mismatches = new ArrayList<>();
    try {
      for (int k : coordinates) {
        double numeric = numericDerivative(options, target, eval, base, k, l0);
        if (Double.isInfinite(numeric)) {
          skipped++; // a kink closer than the smallest step: the finite difference is unreliable here
          continue;
        }
        double a = analytic[k];
        double diff = Math.abs(a - numeric);
        double tol = options.tolerance(a, numeric);
        checked++;
        maxAbs = Math.max(maxAbs, diff);
        maxRel = Math.max(maxRel, diff / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), options.absTolerance()));
        used = Math.max(used, diff / tol);
        if (!(diff <= tol)) { // also catches NaN
          mismatches.add(new Mismatch(name, unravel(k, shape), a, numeric, tol));
          if (Double.isNaN(diff)) {
            maxAbs = Double.NaN;
            used = Double.NaN;
          }
        }
      }
    } finally {
      target.set(base);
    }
    // One skip is always allowed, so that a 2-element bias feeding many ReLUs (which meets a kink
    // more often than one weight) does not fail on one unlucky coordinate; nothing checked fails.
    boolean tooManySkipped = checked == 0 || skipped > Math.max(1, options.maxSkippedFraction() * coordinates.length);
    return new TensorReport(name, shape.clone(), checked, skipped, maxAbs, maxRel, used, List.copyOf(mismatches), tooManySkipped);
  }

  /**
   * The numeric derivative at coordinate k from two successive steps h, h/2 (h = eps, eps/2, ...)
   * at which the function looks smooth: the Richardson extrapolation {@code c(h/2) + (c(h/2) -
   * c(h)) / 3}, which cancels the h^2 error term. Infinity when no pair looks smooth down to eps /
   * 2^maxHalvings (a kink too close). Halving instead of giving up at once keeps coordinates whose
   * kink lies between the steps, such as a bias feeding many ReLUs.
   *
   * <p>Two tests, both on the function only: the central differences must agree (a kink at a
   * distance d from x shifts c(h) and c(h/2) differently unless d is tiny), and the second
   * differences {@code D(h) = (L(x+h) - 2 L(x) + L(x-h)) / h} must scale like h (for a smooth
   * function D(h/2) = D(h)/2 + O(h^3); with a kink at x itself both equal the slope change, which
   * central differences cannot see).
   */
  private static double numericDerivative(Options options, Perturbable target, Evaluator eval, float[] base, int k, double l0) {
    double h = options.epsilon();
    double[] coarse = differences(target, eval, base, k, h, l0);
    for (int halving = 1; halving <= options.maxHalvings(); halving++) {
      h /= 2;
      double[] fine = differences(target, eval, base, k, h, l0);
      if (Double.isNaN(fine[0])) {
        return Double.NaN; // reported as a mismatch, not hidden as a kink
      }
      double tol = SMOOTHNESS_FRACTION * options.tolerance(coarse[0], fine[0]);
      if (Math.abs(coarse[0] - fine[0]) <= tol && Math.abs(fine[1] - coarse[1] / 2) <= tol) {
        return fine[0] + (fine[0] - coarse[0]) / 3;
      }
      coarse = fine;
    }
    return Double.POSITIVE_INFINITY;
  }

  /**
   * {central difference, second difference / h} at step h, with the loss summed in double
   * precision. Both divide by the float-rounded steps actually taken, not h, which removes the
   * error of rounding x +- h to float.
   */
  private static double[] differences(Perturbable target, Evaluator eval, float[] base, int k, double h, double l0) {
    float[] v = base.clone();
    float plus = (float) (base[k] + h);
    float minus = (float) (base[k] - h);
    v[k] = plus;
    target.set(v);
    double lp = eval.loss();
    v[k] = minus;
    target.set(v);
    double lm = eval.loss(); // the caller restores the base value once per tensor
    double up = (double) plus - base[k];
    double down = (double) base[k] - minus;
    double central = (lp - lm) / (up + down);
    double second = (lp - l0) / up - (l0 - lm) / down; // forward minus backward slope
    return new double[] {central, second};
  }

  /** All indices if n <= max, else max distinct indices drawn with the seeded generator, sorted. */
  static int[] sample(int n, int max, SplittableRandom random) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    if (n <= max) {
      return all;
    }
    for (int i = 0; i < max; i++) { // partial Fisher-Yates shuffle
      int j = i + random.nextInt(n - i);
      int tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    int[] picked = Arrays.copyOf(all, max);
    Arrays.sort(picked);
    return picked;
  }

  /** Row-major flat index to a coordinate, for messages. */
  static long[] unravel(long flat, long[] shape) {
    long[] c = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      c[d] = flat % shape[d];
      flat /= shape[d];
    }
    return c;
  }

  /** Runs the forward pass with the current input values and returns y or sum(y * R). */
  private static final class Evaluator {
    private final Session session;
    private final List<Placeholder<TFloat32>> placeholders;
    private final long[][] shapes;
    private final float[][] values;
    private final Operand<TFloat32> y;
    float[] weights;
    long[] lastShape;

    Evaluator(Session session, List<Placeholder<TFloat32>> placeholders, long[][] shapes, float[][] values, Operand<TFloat32> y) {
      this.session = session;
      this.placeholders = placeholders;
      this.shapes = shapes;
      this.values = values;
      this.y = y;
    }

    float[] forward() {
      List<TFloat32> fed = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        for (int i = 0; i < placeholders.size(); i++) {
          TFloat32 t = Tensors.floats(shapes[i], values[i]);
          fed.add(t);
          runner.feed(placeholders.get(i), t);
        }
        try (Result result = runner.fetch(y).run()) {
          lastShape = result.get(0).shape().asArray();
          return Tensors.toFloats(result.get(0));
        }
      } finally {
        fed.forEach(TFloat32::close);
      }
    }

    double loss() {
      float[] out = forward();
      if (out.length != weights.length) {
        throw new IllegalStateException("the output changed size from " + weights.length + " to " + out.length);
      }
      double sum = 0;
      for (int i = 0; i < out.length; i++) {
        sum += (double) out[i] * weights[i];
      }
      return sum;
    }
  }

  /** A tensor the checker perturbs: an input (a Java array fed each run) or a variable. */
  private interface Perturbable {
    float[] values();

    void set(float[] values);
  }

  private record InputTarget(Evaluator eval, int index) implements Perturbable {
    @Override
    public float[] values() {
      return eval.values[index].clone();
    }

    @Override
    public void set(float[] v) {
      eval.values[index] = v.clone();
    }
  }

  private record VariableTarget(Session session, VariableStore store, String name) implements Perturbable {
    @Override
    public float[] values() {
      return store.read(session, name);
    }

    @Override
    public void set(float[] v) {
      store.assign(session, name, v);
    }
  }
}
