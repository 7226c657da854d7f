package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One graph and its session for contract tests: declare inputs together with the values they are
 * fed, build a component into {@link #root()}, then {@link #fetch} its outputs. Inputs get an
 * unknown batch axis, as in pipelines. The session opens, and every variable is initialised from
 * the seed, at the first fetch; {@link #close} closes everything native.
 *
 * <pre>{@code
 * try (GraphRun run = new GraphRun(7)) {
 *   Placeholder<TFloat32> z = run.input("latents", new long[] {2, 2, 2, 3}, values);
 *   Operand<TFloat32> y = decoder.decode(run.root().child("decoder"), config, z);
 *   GraphRun.Values images = run.fetch(y);
 * }
 * }</pre>
 */
public final class GraphRun implements AutoCloseable {
  /** What one output held: its shape and values (integer outputs converted to float). */
  public record Values(long[] shape, float[] values) {}

  private record Input(Placeholder<?> placeholder, long[] shape, float[] floats, int[] ints) {}

  private final Graph graph = new Graph();
  private final GraphScope root = GraphScope.root(graph);
  private final long seed;
  private final List<Input> inputs = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final Map<Placeholder<?>, Operand<?>> identities = new HashMap<>();
  private Session session;

  /** @param seed initialises the variables */
  public GraphRun(long seed) {
    this.seed = seed;
  }

  public GraphScope root() {
    return root;
  }

  /** A float input of shape [?, shape[1:]...], fed {@code values} of {@code shape}. */
  public Placeholder<TFloat32> input(String name, long[] shape, float[] values) {
    Placeholder<TFloat32> p = root.tf().withName(unique(name)).placeholder(TFloat32.class, Placeholder.shape(Shape.of(TinyBatch.unknownBatch(shape))));
    inputs.add(new Input(p, shape.clone(), values.clone(), null));
    return p;
  }

  /** An int32 input (token ids, codes) of shape [?, shape[1:]...], fed {@code values} of {@code shape}. */
  public Placeholder<TInt32> input(String name, long[] shape, int[] values) {
    Placeholder<TInt32> p = root.tf().withName(unique(name)).placeholder(TInt32.class, Placeholder.shape(Shape.of(TinyBatch.unknownBatch(shape))));
    inputs.add(new Input(p, shape.clone(), null, values.clone()));
    return p;
  }

  /** The name, or the name with a number when an input already has it (op names are unique in a graph). */
  private String unique(String name) {
    String n = name;
    for (int i = 1; !names.add(n); i++) {
      n = name + "_" + i;
    }
    return n;
  }

  /** The session, opened and with every variable initialised from the seed on first use. */
  public Session session() {
    if (session == null) {
      session = new Session(graph);
      root.variables().initialize(session, seed);
    }
    return session;
  }

  /** Feeds more than the declared inputs (e.g. {@code FedRandomness::feed}) and returns the tensors it fed, to be closed after the run. */
  @FunctionalInterface
  public interface ExtraFeeds {
    List<? extends Tensor> feed(Session.Runner runner);
  }

  /** Runs the graph once, feeding every declared input, and returns the outputs in order. */
  public List<Values> fetch(Operand<?>... outputs) {
    return fetch(runner -> List.of(), outputs);
  }

  /** Runs the graph once, feeding every declared input and the extra feeds, and returns the outputs in order. */
  public List<Values> fetch(ExtraFeeds extra, Operand<?>... outputs) {
    Session.Runner runner = session().runner();
    List<Tensor> fed = new ArrayList<>();
    try {
      fed.addAll(extra.feed(runner));
      for (Input in : inputs) {
        Tensor t = in.floats() != null ? Tensors.floats(in.shape(), in.floats()) : Tensors.ints(in.shape(), in.ints());
        fed.add(t);
        runner.feed(in.placeholder(), t);
      }
      // TensorFlow refuses to fetch one output twice: fetch each once and hand it back at every place asked.
      List<Output<?>> distinct = new ArrayList<>();
      for (Operand<?> o : outputs) {
        if (!distinct.contains(o.asOutput())) {
          distinct.add(o.asOutput());
          runner.fetch(fetchable(o));
        }
      }
      try (Result result = runner.run()) {
        List<Values> values = new ArrayList<>();
        for (Operand<?> o : outputs) {
          values.add(values(result.get(distinct.indexOf(o.asOutput()))));
        }
        return values;
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** Runs the graph once and returns one output. */
  public Values fetch(Operand<?> output) {
    return fetch(new Operand<?>[] {output}).get(0);
  }

  /** TensorFlow refuses to fetch a tensor it is fed (a component may return its input): fetch an identity of it. */
  private Operand<?> fetchable(Operand<?> o) {
    for (Input in : inputs) {
      if (in.placeholder().asOutput().equals(o.asOutput())) {
        return identities.computeIfAbsent(in.placeholder(), p -> root.tf().identity(p));
      }
    }
    return o;
  }

  private static Values values(Tensor t) {
    long[] shape = t.shape().asArray();
    if (t instanceof TFloat32) {
      return new Values(shape, Tensors.toFloats(t));
    }
    if (t instanceof TInt32) {
      int[] ints = Tensors.toInts(t);
      float[] v = new float[ints.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = ints[i];
      }
      return new Values(shape, v);
    }
    throw new IllegalArgumentException("cannot fetch a " + t.getClass().getSimpleName() + " tensor");
  }

  @Override
  public void close() {
    if (session != null) {
      session.close(); // before the graph: a graph cannot close while a session on it is open
    }
    graph.close();
  }
}
