package dev.tessera.runtime.server;

import dev.tessera.runtime.embed.Generator;
import dev.tessera.runtime.embed.Tessera;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Built pipelines kept open between jobs, one per distinct settings ({@link JobRequest#pipelineKey}),
 * at most {@code capacity}: the least recently used is closed to make room. Used by the runner's
 * thread only (a TensorFlow session is not shared between threads here).
 */
final class WarmPipelines implements AutoCloseable {
  private final Tessera tessera;
  private final int capacity;
  private final Map<String, Generator> open = new LinkedHashMap<>(16, 0.75f, true);
  private volatile long loads;
  private volatile int size;

  WarmPipelines(Tessera tessera, int capacity) {
    this.tessera = tessera;
    this.capacity = capacity;
  }

  /** The open pipeline for these settings, built (and the least recently used closed) when there is none. */
  Generator get(JobRequest request) {
    String key = request.pipelineKey();
    Generator g = open.get(key);
    if (g != null) {
      return g;
    }
    while (open.size() >= capacity) {
      Iterator<Map.Entry<String, Generator>> oldest = open.entrySet().iterator();
      Generator evicted = oldest.next().getValue();
      oldest.remove();
      evicted.close();
    }
    size = open.size();
    g = request.toPipelineRequest(tessera).open();
    loads++;
    open.put(key, g);
    size = open.size();
    return g;
  }

  /** Closes the pipeline for these settings, if open (after it failed in a way that may have left it broken). */
  void drop(JobRequest request) {
    Generator g = open.remove(request.pipelineKey());
    size = open.size();
    if (g != null) {
      g.close();
    }
  }

  /** Pipelines open now (read from any thread). */
  int size() {
    return size;
  }

  long loads() {
    return loads;
  }

  @Override
  public void close() {
    open.values().forEach(Generator::close);
    open.clear();
    size = 0;
  }
}
