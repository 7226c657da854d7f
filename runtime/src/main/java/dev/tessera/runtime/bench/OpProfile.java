package dev.tessera.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.graph.TracedRuns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Per-op time of session runs traced with {@code RunOptions.trace_level = FULL_TRACE}: the
 * step_stats of each run's RunMetadata, summed by op type and by node name. Op time is a node's
 * {@code all_end_rel_micros} (scheduling to end of its outputs); ops run in parallel on the
 * thread pools, so their sum can exceed the wall time.
 */
public final class OpProfile implements TracedRuns.Listener {
  /** Summed time of one op type or node: microseconds and how many executions. */
  public record Entry(String key, long micros, long count) {}

  private final Graph graph;
  private final Map<String, long[]> byType = new HashMap<>();
  private final Map<String, long[]> byNode = new HashMap<>();
  private long runs;
  private long wallMicros;

  /** @param graph the graph whose ops are traced (to name op types); null: types from the timeline labels */
  public OpProfile(Graph graph) {
    this.graph = graph;
  }

  /** A traced run reported by {@link TracedRuns}: its step stats and wall time. */
  @Override
  public void ran(RunMetadata metadata, long nanos) {
    add(metadata, nanos / 1000);
  }

  /** Adds the step stats of one traced run and its wall time. */
  public void add(RunMetadata metadata, long runMicros) {
    runs++;
    wallMicros += runMicros;
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        long micros = node.getAllEndRelMicros();
        accumulate(byNode, node.getNodeName(), micros);
        accumulate(byType, opType(node), micros);
      }
    }
  }

  private static void accumulate(Map<String, long[]> map, String key, long micros) {
    long[] v = map.computeIfAbsent(key, k -> new long[2]);
    v[0] += micros;
    v[1]++;
  }

  /**
   * The kernel that ran, from the timeline label "name = Type(inputs)": graph rewrites rename
   * ops (oneDNN runs Conv2D + BiasAdd as one _MklNativeConv2DWithBias under the BiasAdd's name),
   * so the graph's own op type can mislead. Else the graph's op type, else the node name.
   */
  private String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq >= 0 && paren > eq) {
      return label.substring(eq + 3, paren);
    }
    GraphOperation op = graph == null ? null : graph.operation(node.getNodeName());
    return op != null ? op.type() : node.getNodeName();
  }

  public long runs() {
    return runs;
  }

  public List<Entry> topTypes(int n) {
    return top(byType, n);
  }

  public List<Entry> topNodes(int n) {
    return top(byNode, n);
  }

  private static List<Entry> top(Map<String, long[]> map, int n) {
    List<Entry> all = new ArrayList<>();
    map.forEach((k, v) -> all.add(new Entry(k, v[0], v[1])));
    all.sort(Comparator.comparingLong(Entry::micros).reversed().thenComparing(Entry::key));
    return all.subList(0, Math.min(n, all.size()));
  }

  private long totalMicros() {
    long t = 0;
    for (long[] v : byType.values()) {
      t += v[0];
    }
    return t;
  }

  /** Writes {@code DIR/<workload>.txt} and {@code DIR/<workload>.json} with the ten most expensive op types and nodes. */
  public void write(Path dir, String workload) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(workload + ".txt"), text(workload));
      Files.writeString(dir.resolve(workload + ".json"), json(workload));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the profile of " + workload + " to " + dir, e);
    }
  }

  String text(String workload) {
    long total = totalMicros();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s: %d traced session run(s), %.2f ms wall, %.2f ms summed op time%n",
        workload, runs, wallMicros / 1e3, total / 1e3));
    section(b, "op type", topTypes(10), total);
    section(b, "node", topNodes(10), total);
    return b.toString();
  }

  private static void section(StringBuilder b, String what, List<Entry> entries, long total) {
    b.append(String.format(Locale.ROOT, "%nten most expensive by %s:%n%10s %6s %7s  %s%n", what, "ms", "share", "count", what));
    for (Entry e : entries) {
      b.append(String.format(Locale.ROOT, "%10.3f %5.1f%% %7d  %s%n", e.micros() / 1e3, total == 0 ? 0 : 100.0 * e.micros() / total, e.count(), e.key()));
    }
  }

  String json(String workload) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("workload", workload);
    root.put("runs", runs);
    root.put("wall_ms", wallMicros / 1e3);
    root.put("op_time_ms", totalMicros() / 1e3);
    entries(root.putArray("top_op_types"), topTypes(10));
    entries(root.putArray("top_nodes"), topNodes(10));
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void entries(ArrayNode array, List<Entry> entries) {
    for (Entry e : entries) {
      array.addObject().put("name", e.key()).put("ms", e.micros() / 1e3).put("count", e.count());
    }
  }
}
