package dev.tessera.runtime.cluster;

import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.tensorflow.Server;
import org.tensorflow.proto.ServerDef;

/**
 * One task of a cluster: a TensorFlow server (job {@code worker}) that runs the parts of the
 * graph the trainer places on it. It only serves; the trainer is the client. It listens on all
 * interfaces at its port (TensorFlow has no bind-address option): keep the port behind a firewall.
 */
public final class WorkerServer {
  private WorkerServer() {}

  /** Starts task {@code task} of {@code cluster}; the server runs until the process ends. */
  public static Server start(ClusterSpec cluster, int task) {
    cluster.checkTask(task);
    int port = cluster.port(task);
    checkPortFree(port, task, cluster);
    // A client's graph may hold Tessera's own ops (the 3x3 convolution, group norm, ...): the
    // worker's TensorFlow must know them before it runs a step.
    dev.tessera.api.graph.NativeOps.available();
    ServerDef def = ServerDef.newBuilder()
        .setCluster(cluster.toClusterDef())
        .setJobName(ClusterSpec.JOB)
        .setTaskIndex(task)
        .setProtocol("grpc")
        // Task 0 resolves the groups of collective ops (all-reduce training, --exchange all-reduce).
        .setDefaultSessionConfig(dev.tessera.runtime.tf.Collectives.withLeader(
            org.tensorflow.proto.ConfigProto.newBuilder().setInterOpParallelismThreads(interOpThreads()).build()))
        .build();
    Server server = new Server(def);
    server.start();
    return server;
  }

  /**
   * The worker's inter-op threads: {@code TESSERA_INTER_OP_THREADS} if set, else one per core the process may run
   * on, and at least two. TensorFlow's own choice is one per core; on a worker pinned to one core that single thread
   * ran the replica's ops and the other tasks' tensor transfers one after the other, and a second thread made
   * pinned two-worker steps 1.10x faster (docs/distributed.md, "Where a step's time goes").
   */
  static int interOpThreads() {
    String set = System.getenv("TESSERA_INTER_OP_THREADS");
    if (set != null && !set.isBlank()) {
      try {
        return Math.max(0, Integer.parseInt(set.strip()));
      } catch (NumberFormatException e) {
        throw new TesseraException("TESSERA_INTER_OP_THREADS is '" + set + "': give a number of threads");
      }
    }
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** TensorFlow's own error for a taken port is a native log line; this names the task and port. */
  static void checkPortFree(int port, int task, ClusterSpec cluster) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(port));
    } catch (BindException e) {
      throw new TesseraException("task " + task + " (" + cluster.address(task) + "): port " + port
          + " is in use; is a worker already running there? Stop it or change the port in " + cluster.source());
    } catch (IOException e) {
      throw new TesseraException("task " + task + " (" + cluster.address(task) + "): cannot listen on port " + port + ": " + e.getMessage());
    }
  }
}
