package dev.tessera.api.graph;

import dev.tessera.api.TesseraException;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * Creates sessions with Tessera's placement policy: ops go where {@code --device} says, with soft
 * placement, so the GPU build still runs (on the CPU) on a machine without a GPU.
 */
public final class SessionFactory {
  private SessionFactory() {}

  public static Session create(Graph graph) {
    GraphBudget.checkActivations(graph);
    NativeOps.available(); // loaded before TensorFlow optimises a graph of ours: keeps its start-up notices off stderr

    return new Session(graph, config());
  }

  /**
   * The session config. Grappler's remapper fails on these graphs ("remapper failed: ... missing
   * node ...", printed at error level on every run) and then leaves them as they were; turning it
   * off keeps the log clean. Thread pools and XLA can be set from the environment for
   * experiments (docs/benchmarks.md): TESSERA_INTRA_OP_THREADS, TESSERA_INTER_OP_THREADS (0 or unset:
   * TensorFlow's choice, one per core) and TESSERA_XLA_JIT (off, on_1, on_2).
   */
  static ConfigProto config() {
    org.tensorflow.proto.GraphOptions.Builder graphOptions = org.tensorflow.proto.GraphOptions.newBuilder()
        .setRewriteOptions(org.tensorflow.proto.RewriterConfig.newBuilder()
            .setRemapping(remapper() ? org.tensorflow.proto.RewriterConfig.Toggle.ON : org.tensorflow.proto.RewriterConfig.Toggle.OFF));
    org.tensorflow.proto.OptimizerOptions.GlobalJitLevel jit = jitLevel();
    if (jit != org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.DEFAULT) {
      graphOptions.setOptimizerOptions(org.tensorflow.proto.OptimizerOptions.newBuilder().setGlobalJitLevel(jit));
    }
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setIntraOpParallelismThreads(threads("TESSERA_INTRA_OP_THREADS"))
        .setInterOpParallelismThreads(threads("TESSERA_INTER_OP_THREADS"))
        .setGraphOptions(graphOptions)
        .setExperimental(ConfigProto.Experimental.newBuilder().setExecutorType(System.getenv().getOrDefault("TESSERA_EXECUTOR", "")))
        .build();
  }

  /** The settings in force, for benchmark headers. */
  public static String describe() {
    ConfigProto c = config();
    return String.format(java.util.Locale.ROOT,
        "intra-op threads %s, inter-op threads %s, XLA jit %s, grappler remapper %s, native kernels %s",
        c.getIntraOpParallelismThreads() == 0 ? "default" : c.getIntraOpParallelismThreads(),
        c.getInterOpParallelismThreads() == 0 ? "default" : c.getInterOpParallelismThreads(),
        jitLevel() == org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.DEFAULT ? "off" : jitLevel().name().toLowerCase(java.util.Locale.ROOT),
        remapper() ? "on" : "off", dev.tessera.api.graph.NativeOps.status());
  }

  /** TESSERA_REMAPPER=on turns grappler's remapper back on (an experiment: see the class comment). */
  private static boolean remapper() {
    return remapper(System.getenv("TESSERA_REMAPPER"));
  }

  static boolean remapper(String v) {
    if (v == null || v.isBlank() || v.equalsIgnoreCase("off")) {
      return false;
    }
    if (v.trim().equalsIgnoreCase("on")) {
      return true;
    }
    throw new TesseraException("TESSERA_REMAPPER must be on or off, got '" + v + "'");
  }

  private static int threads(String variable) {
    String v = System.getenv(variable);
    if (v == null || v.isBlank()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TesseraException(variable + " must be a thread count >= 0 (0: TensorFlow's choice), got '" + v + "'");
  }

  private static org.tensorflow.proto.OptimizerOptions.GlobalJitLevel jitLevel() {
    String v = System.getenv("TESSERA_XLA_JIT");
    if (v == null || v.isBlank() || v.equalsIgnoreCase("off")) {
      return org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.DEFAULT;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "on_1" -> org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1;
      case "on_2" -> org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_2;
      default -> throw new TesseraException("TESSERA_XLA_JIT must be off, on_1 or on_2, got '" + v + "'");
    };
  }

  /**
   * A session with the model weights loaded into the graph's variables (every variable must be in
   * {@code weights}; extra tensors are ignored). If loading fails the session is closed before the
   * error propagates: a graph cannot be closed while a session on it is open (it waits forever).
   */
  public static Session createLoaded(Graph graph, VariableStore variables, dev.tessera.api.io.Parameters weights) {
    Session session = create(graph);
    try {
      variables.load(session, weights, VariableStore.MODEL_WEIGHTS, false);
      return session;
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Parses {@code cpu}, {@code gpu}, {@code gpu:N}. */
  public static DeviceSpec device(String spec) {
    String s = spec == null ? "cpu" : spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("cpu")) {
      return DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
    }
    if (s.equals("gpu") || s.startsWith("gpu:")) {
      int index = 0;
      if (s.startsWith("gpu:")) {
        try {
          index = Integer.parseInt(s.substring(4));
        } catch (NumberFormatException e) {
          throw new TesseraException("bad --device '" + spec + "': expected cpu, gpu or gpu:N");
        }
      }
      return DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(index).build();
    }
    throw new TesseraException("bad --device '" + spec + "': expected cpu, gpu or gpu:N");
  }
}
