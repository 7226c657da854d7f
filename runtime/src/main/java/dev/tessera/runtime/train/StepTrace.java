package dev.tessera.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * One training step traced with {@code RunOptions.trace_level = FULL_TRACE} ({@code TESSERA_TRACE_STEP=N}): where
 * the step's wall time went, device by device. On a cluster each task's devices report their ops, so the trace
 * shows what each worker computed, when, and how long it waited for tensors from the others.
 *
 * <p>{@link #write} writes a Chrome trace (open it in chrome://tracing or https://ui.perfetto.dev: one process per
 * device, one row per thread) and returns a summary: per device, when its first op started and its last ended
 * (relative to the earliest op of the step), and its busy time (the union of its ops' intervals).
 */
public final class StepTrace {
  private StepTrace() {}

  /** A device's part of the step, in microseconds from the step's first op. */
  public record Device(String name, long first, long last, long busy, int ops) {}

  /** The devices of a traced run, in the order their first op started. */
  public static List<Device> devices(RunMetadata metadata) {
    long origin = Long.MAX_VALUE;
    for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : d.getNodeStatsList()) {
        origin = Math.min(origin, n.getAllStartMicros());
      }
    }
    List<Device> out = new ArrayList<>();
    for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
      if (d.getNodeStatsCount() == 0) {
        continue;
      }
      List<long[]> spans = new ArrayList<>();
      for (NodeExecStats n : d.getNodeStatsList()) {
        long start = n.getAllStartMicros() - origin;
        spans.add(new long[] {start, start + Math.max(0, n.getAllEndRelMicros())});
      }
      spans.sort(Comparator.comparingLong(s -> s[0]));
      long busy = 0;
      long curStart = spans.get(0)[0];
      long curEnd = spans.get(0)[1];
      long last = curEnd;
      for (long[] s : spans) {
        last = Math.max(last, s[1]);
        if (s[0] > curEnd) {
          busy += curEnd - curStart;
          curStart = s[0];
          curEnd = s[1];
        } else {
          curEnd = Math.max(curEnd, s[1]);
        }
      }
      busy += curEnd - curStart;
      out.add(new Device(d.getDevice(), spans.get(0)[0], last, busy, d.getNodeStatsCount()));
    }
    out.sort(Comparator.comparingLong(Device::first));
    return out;
  }

  /** Writes the Chrome trace of {@code metadata} to {@code file}; returns the summary lines. */
  public static List<String> write(RunMetadata metadata, long wallMicros, Path file) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode events = root.putArray("traceEvents");
    int pid = 0;
    for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
      pid++;
      ObjectNode meta = events.addObject();
      meta.put("name", "process_name").put("ph", "M").put("pid", pid).putObject("args").put("name", d.getDevice());
      for (NodeExecStats n : d.getNodeStatsList()) {
        ObjectNode e = events.addObject();
        e.put("name", n.getNodeName()).put("ph", "X").put("pid", pid).put("tid", n.getThreadId())
            .put("ts", n.getAllStartMicros()).put("dur", Math.max(0, n.getAllEndRelMicros()));
        e.putObject("args").put("label", n.getTimelineLabel());
      }
    }
    try {
      Files.writeString(file, json.writeValueAsString(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the step trace " + file, e);
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "traced step: %.1f ms wall at the client; per device (ms from the step's first op):", wallMicros / 1e3));
    for (Device d : devices(metadata)) {
      lines.add(String.format(Locale.ROOT, "  %-60s first %7.1f  last %7.1f  busy %7.1f  (%d ops)", d.name(), d.first() / 1e3,
          d.last() / 1e3, d.busy() / 1e3, d.ops()));
    }
    return lines;
  }
}
