package dev.tessera.runtime.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Cluster specs on 127.0.0.1 for tests. Workers run as processes ({@link WorkerProcesses}), not
 * in the test JVM: TensorFlow 2.18 cannot stop a server ("Clean shutdown is not currently
 * implemented"), and a process cannot be killed and restarted as a machine can from inside the test JVM.
 */
public final class LoopbackCluster {
  private LoopbackCluster() {}

  /** {@code n} distinct ports that were free a moment ago. */
  public static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket
        }
      }
    }
  }

  public static ClusterSpec spec(int... ports) {
    String[] addresses = new String[ports.length];
    for (int i = 0; i < ports.length; i++) {
      addresses[i] = "127.0.0.1:" + ports[i];
    }
    return ClusterSpec.of(addresses);
  }
}
