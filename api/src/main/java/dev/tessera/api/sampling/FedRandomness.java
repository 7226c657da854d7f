package dev.tessera.api.sampling;

import dev.tessera.api.graph.Tensors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Feeds the random draws of a graph's guidance from a seeded Java generator (the Guidance SPI's
 * fed-randomness convention: PlaceholderWithDefault ops named {@code random_uniform*} or
 * {@code random_normal*}). Op-seeded TensorFlow random ops do not repeat across runs of a program,
 * so a pipeline whose images depend on them feeds them to keep "same seed, same images" (and the
 * Guidance contract test feeds them to check that a score is deterministic).
 */
public final class FedRandomness {
  private record Draw(Output<TFloat32> placeholder, Shape shape, boolean normal) {}

  private final List<Draw> draws = new ArrayList<>();
  private final SplittableRandom random;

  /** @param batch the size of an unknown leading dimension */
  public FedRandomness(Graph graph, int batch, long seed) {
    this.random = new SplittableRandom(seed);
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      String last = op.name().substring(op.name().lastIndexOf('/') + 1);
      boolean uniform = last.startsWith("random_uniform");
      boolean normal = last.startsWith("random_normal");
      if (op.type().equals("PlaceholderWithDefault") && (uniform || normal)) {
        Shape s = op.output(0).shape();
        long[] dims = new long[s.numDimensions()];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = s.size(i) < 0 ? batch : s.size(i);
        }
        draws.add(new Draw(op.<TFloat32>output(0), Shape.of(dims), normal));
      }
    }
    draws.sort(java.util.Comparator.comparing(d -> d.placeholder().op().name())); // a fixed order of draws
  }

  /** How many random tensors each run feeds. */
  public int count() {
    return draws.size();
  }

  /** Feeds new draws into a runner; close the returned tensors after the run. */
  public List<TFloat32> feed(Session.Runner runner) {
    List<TFloat32> fed = new ArrayList<>();
    for (Draw d : draws) {
      int n = Math.toIntExact(d.shape().size());
      float[] values = d.normal() ? Scheduler.gaussian(n, random) : uniform(n);
      TFloat32 t = Tensors.floats(d.shape().asArray(), values);
      fed.add(t);
      runner.feed(d.placeholder(), t);
    }
    return fed;
  }

  private float[] uniform(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextDouble();
    }
    return out;
  }
}
