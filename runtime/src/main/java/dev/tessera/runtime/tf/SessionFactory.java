package dev.tessera.runtime.tf;

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
    // Grappler's remapper fails on these graphs ("remapper failed: ... missing node ...", printed at
    // error level on every run) and then leaves them as they were; turning it off keeps the log clean.
    ConfigProto config = ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setGraphOptions(org.tensorflow.proto.GraphOptions.newBuilder()
            .setRewriteOptions(org.tensorflow.proto.RewriterConfig.newBuilder()
                .setRemapping(org.tensorflow.proto.RewriterConfig.Toggle.OFF)))
        .build();
    return new Session(graph, config);
  }

  /**
   * A session with the model weights loaded into the graph's variables (every variable must be in
   * {@code weights}; extra tensors are ignored). If loading fails the session is closed before the
   * error propagates: a graph cannot be closed while a session on it is open (it waits forever).
   */
  public static Session createLoaded(Graph graph, dev.tessera.api.graph.VariableStore variables, dev.tessera.api.io.Parameters weights) {
    Session session = create(graph);
    try {
      variables.load(session, weights, dev.tessera.api.graph.VariableStore.MODEL_WEIGHTS, false);
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
