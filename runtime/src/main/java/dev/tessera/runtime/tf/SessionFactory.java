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
