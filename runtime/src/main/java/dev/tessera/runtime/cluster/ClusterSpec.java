package dev.tessera.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.JobDef;

/**
 * The machines of a training cluster, as TensorFlow's cluster spec names them: one job,
 * {@code worker}, whose task {@code i} listens at {@code addresses[i]} ({@code host:port}).
 * On disk it is the {@code cluster} part of TensorFlow's {@code TF_CONFIG}:
 *
 * <pre>{"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}</pre>
 */
public record ClusterSpec(List<String> addresses, String source) {
  public static final String JOB = "worker";

  public ClusterSpec {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new TesseraException(source + ": job '" + JOB + "' has no tasks");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < addresses.size(); i++) {
      String a = addresses.get(i);
      port(a, source, i);
      if (!seen.add(a)) {
        throw new TesseraException(source + ": task " + i + " repeats the address " + a);
      }
    }
  }

  public static ClusterSpec of(String... addresses) {
    return new ClusterSpec(List.of(addresses), "cluster");
  }

  /** Reads a cluster file; every problem is an error naming the file and what is wrong. */
  public static ClusterSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TesseraException("cannot read the cluster file " + file + ": no such file");
    }
    // The strict reader of every Tessera JSON file: a repeated key or data after the object is an error.
    ModelConfig config;
    try {
      config = ModelConfig.read(file);
    } catch (TesseraException e) {
      throw new TesseraException(e.getMessage().replace("a config must be a JSON object",
          "expected an object like {\"worker\": [\"host:port\", ...]}"), e);
    }
    JsonNode root = config.node(JOB) == null ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.objectNode().set(JOB,
        config.node(JOB));
    for (Iterator<String> names = config.keys(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals(JOB)) {
        throw new TesseraException(file + ": unknown job '" + name + "'; Tessera's clusters have one job, '" + JOB
            + "' (parameter servers are not supported yet, see docs/distributed.md)");
      }
    }
    JsonNode tasks = root.get(JOB);
    if (tasks == null || !tasks.isArray()) {
      throw new TesseraException(file + ": expected \"" + JOB + "\": [\"host:port\", ...]");
    }
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (!tasks.get(i).isTextual()) {
        throw new TesseraException(file + ": task " + i + " of '" + JOB + "' is " + tasks.get(i) + ", expected \"host:port\"");
      }
      addresses.add(tasks.get(i).asText());
    }
    return new ClusterSpec(addresses, file.toString());
  }

  public int size() {
    return addresses.size();
  }

  /** Checks a task index given on the command line. */
  public void checkTask(int task) {
    if (task < 0 || task >= size()) {
      throw new TesseraException("--task " + task + ": " + source + " has tasks 0.." + (size() - 1));
    }
  }

  public String address(int task) {
    return addresses.get(task);
  }

  public String host(int task) {
    String a = address(task);
    return a.substring(0, a.lastIndexOf(':'));
  }

  public int port(int task) {
    return port(address(task), source, task);
  }

  /** The session target of a task's server. */
  public String target(int task) {
    return "grpc://" + address(task);
  }

  /** The device that places ops on a task: {@code /job:worker/replica:0/task:N}. */
  public DeviceSpec device(int task) {
    return DeviceSpec.newBuilder().job(JOB).replica(0).task(task).build();
  }

  public ClusterDef toClusterDef() {
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int i = 0; i < size(); i++) {
      job.putTasks(i, address(i));
    }
    return ClusterDef.newBuilder().addJob(job).build();
  }

  private static int port(String address, String source, int task) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new TesseraException(source + ": task " + task + " address '" + address + "' is not host:port");
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new TesseraException(source + ": task " + task + " address '" + address + "' has no port in 1..65535");
    }
  }
}
