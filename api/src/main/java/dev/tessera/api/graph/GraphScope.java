package dev.tessera.api.graph;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.tessera.api.TesseraException;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Where a component builds its part of a graph: the {@code Ops} to build with (sub-scoped by
 * component name, so op names read like the model's structure) and a dotted parameter path.
 * Components from different plugins share one graph through scopes of one {@link VariableStore}.
 */
public final class GraphScope {
  private final Graph graph;
  private final Ops tf;
  private final VariableStore variables;
  private final String path;
  /** Whether this scope builds a replica for TensorFlow's distributed runtime (see {@link #addBias}). */
  private final boolean distributed;
  /** In a replica on another task than the variables': each variable's copy on this task, by op name ({@link #read}); else null. */
  private final java.util.Map<String, org.tensorflow.op.core.Identity<TFloat32>> cachedReads;

  private GraphScope(Graph graph, Ops tf, VariableStore variables, String path, boolean distributed,
      java.util.Map<String, org.tensorflow.op.core.Identity<TFloat32>> cachedReads) {
    this.graph = graph;
    this.tf = tf;
    this.variables = variables;
    this.path = path;
    this.distributed = distributed;
    this.cachedReads = cachedReads;
  }

  /**
   * Whether roots name operations with TensorFlow Java's own scopes (whose sub-scopes scan the whole
   * graph) instead of {@link IndexedScope}: only for measuring the difference
   * ({@code ./tessera bench --workloads pipeline_open}); the names come out the same.
   */
  private static volatile boolean tensorFlowNaming = false;

  /** See {@link #tensorFlowNaming}; for benchmarks. */
  public static void useTensorFlowNaming(boolean on) {
    tensorFlowNaming = on;
  }

  private static Ops ops(Graph graph) {
    return tensorFlowNaming ? Ops.create(graph) : IndexedScope.ops(graph);
  }

  /** A root scope over a graph; variables go into a new store. */
  public static GraphScope root(Graph graph) {
    Ops tf = ops(graph);
    return new GraphScope(graph, tf, new VariableStore(tf), "", false, null);
  }

  /** A root scope whose ops are placed on a device (soft placement falls back to the CPU). */
  public static GraphScope root(Graph graph, org.tensorflow.DeviceSpec device) {
    Ops tf = ops(graph).withDevice(device);
    return new GraphScope(graph, tf, new VariableStore(tf), "", false, null);
  }

  /**
   * A scope for one data-parallel replica of a model: its ops are named under {@code name} and
   * placed on {@code device}; its variables are this scope's (the same store, the same dotted
   * names), so every replica reads and trains the one copy of each variable. Its layers add their
   * biases with {@code Add} rather than {@code BiasAdd} ({@link #addBias}).
   */
  public GraphScope replica(String name, org.tensorflow.DeviceSpec device) {
    return replica(name, device, false);
  }

  /**
   * The same, and with {@code cacheReads} the replica reads each variable through one copy on its own device
   * ({@link #read}; TensorFlow 1's "caching device"): for a replica on another task than the variables, so that
   * each variable crosses the network once per step, before the replica's computation needs it, and the copies
   * can be waited for ({@link #cachedReads}).
   */
  public GraphScope replica(String name, org.tensorflow.DeviceSpec device, boolean cacheReads) {
    if (name == null || !VariableStore.NAME.matcher(name).matches()) {
      throw new TesseraException("invalid replica name " + name);
    }
    return new GraphScope(graph, tf.withSubScope(name).withDevice(device), variables, path, true,
        cacheReads ? new java.util.LinkedHashMap<>() : null);
  }

  /**
   * A scope for one data-parallel replica with its own copy of every variable on {@code device}
   * ({@link VariableStore#placedOn}): what it creates or looks up by name is that copy, so the replica
   * computes, and its optimizer updates, without reading another task's variables (all-reduce training).
   * Writes through the store set every copy.
   */
  public GraphScope replicaWithOwnVariables(String name, org.tensorflow.DeviceSpec device) {
    if (name == null || !VariableStore.NAME.matcher(name).matches()) {
      throw new TesseraException("invalid replica name " + name);
    }
    return new GraphScope(graph, tf.withSubScope(name).withDevice(device), variables.placedOn(name, device), path, true, null);
  }

  /**
   * The value of {@code variable} as this scope's computation reads it: the variable itself, or in a replica that
   * caches reads, the replica's copy of it (made on first use). Layers read their parameters through this
   * ({@link #weight}); a read that bypasses it is still correct, it just crosses the network on its own.
   */
  public Operand<TFloat32> read(Variable<TFloat32> variable) {
    if (cachedReads == null) {
      return variable;
    }
    return cachedReads.computeIfAbsent(variable.op().name(), k -> tf.identity(variable));
  }

  /** The copies a caching replica has made so far ({@link #replica(String, org.tensorflow.DeviceSpec, boolean)}); empty otherwise. */
  public java.util.List<org.tensorflow.op.Op> cachedReads() {
    return cachedReads == null ? java.util.List.of() : java.util.List.copyOf(cachedReads.values());
  }

  /**
   * The child scope {@code path.name}.
   *
   * @throws TesseraException for a name TensorFlow would refuse; names often come from a
   *     config.json ("scope", "model"), so this is a user error, not a programming one
   */
  public GraphScope child(String name) {
    if (name == null || !VariableStore.NAME.matcher(name).matches()) {
      throw new TesseraException("invalid scope name " + (name == null ? "null" : TextNode.valueOf(name))
          + ": use letters, digits, '_', '-' and '.' (is a 'scope' or 'model' in config.json damaged?)");
    }
    return new GraphScope(graph, tf.withSubScope(name), variables, qualify(name), distributed, cachedReads);
  }

  /** The scope a dotted path names below this one: {@code descend("gan.generator_ema")} is {@code child("gan").child("generator_ema")}. */
  public GraphScope descend(String dottedPath) {
    GraphScope s = this;
    for (String part : dottedPath.split("\\.", -1)) {
      s = s.child(part);
    }
    return s;
  }

  public Ops tf() {
    return tf;
  }

  /**
   * {@code x} [..., C] plus a bias [C]: {@code BiasAdd}, which oneDNN fuses into the convolution
   * before it, except in a {@link #replica} for TensorFlow's distributed runtime, where it is an
   * {@code Add}. With oneDNN's rewrites on, TensorFlow 2.18's distributed steps whose graph holds
   * a {@code BiasAdd} never finish (docs/distributed.md); with {@code Add} they do, and the
   * workers keep oneDNN.
   */
  public Operand<TFloat32> addBias(Operand<TFloat32> x, Operand<TFloat32> bias) {
    return distributed ? tf.math.add(x, bias) : tf.nn.biasAdd(x, bias);
  }

  public Graph graph() {
    return graph;
  }

  public VariableStore variables() {
    return variables;
  }

  /** Dotted path of this scope ("" at the root). */
  public String path() {
    return path;
  }

  public String qualify(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A trainable parameter {@code path.name}. */
  public Variable<TFloat32> parameter(String name, long[] shape, Initializer initializer) {
    return variables.variable(qualify(name), shape, initializer, VariableStore.Kind.PARAMETER);
  }

  /** A trainable parameter {@code path.name}, as this scope reads it ({@link #read}): what layers compute with. */
  public Operand<TFloat32> weight(String name, long[] shape, Initializer initializer) {
    return read(parameter(name, shape, initializer));
  }

  /** Model state saved with the weights but not trained by gradients (for example an EMA). */
  public Variable<TFloat32> buffer(String name, long[] shape, Initializer initializer) {
    return variables.variable(qualify(name), shape, initializer, VariableStore.Kind.BUFFER);
  }

  /** Training-only state saved in checkpoints, not in the model weights. */
  public Variable<TFloat32> trainingState(String name, long[] shape, Initializer initializer) {
    return variables.variable(qualify(name), shape, initializer, VariableStore.Kind.TRAINING_STATE);
  }

  /** Static size of one dimension, failing clearly when it is unknown at graph-build time. */
  public static long staticDim(Operand<?> x, int axis) {
    long d = x.shape().size(axis);
    if (d < 0) {
      throw new IllegalArgumentException("dimension " + axis + " of " + x.shape() + " must be known when building the graph");
    }
    return d;
  }
}
