package dev.tessera.api.graph;

import java.lang.reflect.Constructor;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * Ops whose every operation carries TensorFlow's {@code _XlaCompile} attribute, so that chains of
 * them are compiled by XLA into one fused kernel per chain. This is the per-op form of XLA's
 * auto-clustering: TensorFlow compiles explicitly marked ops on the CPU with no session setting and
 * no TF_XLA_FLAGS. Layers mark only their elementwise work and reductions (normalisations,
 * activations, bias and residual adds); convolutions and matrix products stay unmarked, on
 * TensorFlow's oneDNN kernels, which are faster than XLA's own on this CPU (see docs/benchmarks.md).
 *
 * <p>Gradients built by {@code Graph.addGradients} are not marked: the backward pass runs the
 * ordinary kernels. {@code TESSERA_FUSION=off} in the environment turns marking off (the graphs are
 * then exactly what they were without it).
 */
public final class XlaFusion {
  private static final Constructor<Ops> OPS_OF_SCOPE = opsOfScope();

  private XlaFusion() {}

  /** Whether marking is on: not when TESSERA_FUSION=off, or when this TF Java cannot do it. */
  public static boolean enabled() {
    return OPS_OF_SCOPE != null && !"off".equalsIgnoreCase(System.getenv().getOrDefault("TESSERA_FUSION", "on"));
  }

  /**
   * Values per example (static axes after the first) from which fusing pays. A compiled cluster
   * costs about 0.1 ms per run on this CPU, where one small TensorFlow op costs a few
   * microseconds: a decode step over one position ([B, 1, 256]) got 50% slower when fused, a
   * whole 64-position sequence ([B, 64, 256]) 8% faster (docs/benchmarks.md).
   */
  public static final long MIN_VALUES_PER_EXAMPLE = 4096;

  /**
   * The ops to build the elementwise work on activations {@code x} with: {@link #marked} ops when
   * x has at least {@link #MIN_VALUES_PER_EXAMPLE} values per example (all but its first axis
   * static), else {@code tf}.
   */
  public static Ops forActivations(Ops tf, org.tensorflow.Operand<?> x) {
    long[] dims = x.shape().asArray();
    if (dims == null || dims.length < 2) {
      return tf;
    }
    long values = 1;
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] < 0) {
        return tf;
      }
      values *= dims[i];
    }
    return values >= MIN_VALUES_PER_EXAMPLE ? marked(tf) : tf;
  }

  /** The same ops builder, with every op it builds marked for XLA; {@code tf} itself when off. */
  public static Ops marked(Ops tf) {
    if (!enabled() || tf.scope() instanceof MarkedScope) {
      return tf;
    }
    try {
      return OPS_OF_SCOPE.newInstance(new MarkedScope(tf.scope()));
    } catch (ReflectiveOperationException e) {
      return tf;
    }
  }

  private static Constructor<Ops> opsOfScope() {
    try {
      Constructor<Ops> c = Ops.class.getDeclaredConstructor(Scope.class);
      c.setAccessible(true);
      return c;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** A scope that marks what it builds and stays marked through sub-scopes, names and dependencies. */
  private record MarkedScope(Scope inner) implements Scope {
    @Override
    public ExecutionEnvironment env() {
      return inner.env();
    }

    @Override
    public Scope withSubScope(String name) {
      return new MarkedScope(inner.withSubScope(name));
    }

    @Override
    public Scope withName(String name) {
      return new MarkedScope(inner.withName(name));
    }

    @Override
    public Scope withNameAsSubScope(String name) {
      return new MarkedScope(inner.withNameAsSubScope(name));
    }

    @Override
    public Scope withDevice(DeviceSpec device) {
      return new MarkedScope(inner.withDevice(device));
    }

    @Override
    public Scope withInitScope() {
      return inner.withInitScope();
    }

    @Override
    public String makeOpName(String name) {
      return inner.makeOpName(name);
    }

    @Override
    public String makeUnique(String name) {
      return inner.makeUnique(name);
    }

    @Override
    public void refreshNames() {
      inner.refreshNames();
    }

    @Override
    public Scope withControlDependencyOps(Iterable<Operation> controls) {
      return new MarkedScope(inner.withControlDependencyOps(controls));
    }

    @Override
    public OperationBuilder apply(OperationBuilder builder) {
      return inner.apply(builder).setAttr("_XlaCompile", true);
    }

    @Override
    public String getDeviceString() {
      return inner.getDeviceString();
    }

    @Override
    public boolean isInit() {
      return inner.isInit();
    }
  }
}
