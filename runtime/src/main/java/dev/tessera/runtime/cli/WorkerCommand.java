package dev.tessera.runtime.cli;

import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.WorkerServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tensorflow.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tessera worker --cluster cluster.json --task N}. */
@Command(name = "worker",
    footer = {"", "Examples:",
        "  ./tessera worker --cluster cluster.json --task 0"}, mixinStandardHelpOptions = true,
    description = {"Run one TensorFlow server of a training cluster (job 'worker') until the process is stopped.",
        "The trainer is the client: ./tessera train MODEL --cluster FILE. See docs/distributed.md.",
        "The server listens on ALL interfaces at its port: keep cluster ports behind a firewall."})
final class WorkerCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--cluster", required = true, paramLabel = "FILE",
      description = "Cluster file: {\"worker\": [\"host:port\", ...]}; task i listens at entry i.")
  Path clusterFile;

  @Option(names = "--task", required = true, paramLabel = "N", description = "This worker's task index in the cluster file.")
  int task;

  @Override
  public Integer call() throws InterruptedException {
    ClusterSpec cluster = ClusterSpec.read(clusterFile);
    Server server = WorkerServer.start(cluster, task);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("worker task %d of %d listening on port %d (all interfaces: keep it behind a firewall); stop it with Ctrl-C%n",
        task, cluster.size(), cluster.port(task));
    out.flush();
    server.join();
    return 0;
  }
}
