package dev.tessera.runtime.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What {@code GET /metrics} answers, in Prometheus' text exposition format (version 0.0.4):
 * requests by route and status, jobs by final state, images made, the queue's length, the
 * pipelines open, and histograms of job latency (submitted to finished), generation time and
 * images per session run.
 */
final class ServerMetrics {
  private static final double[] SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64};

  private final Map<String, LongAdder> requests = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, LongAdder> jobs = new java.util.concurrent.ConcurrentHashMap<>();
  private final LongAdder images = new LongAdder();
  private final Histogram latency = new Histogram(SECONDS);
  private final Histogram generation = new Histogram(SECONDS);
  private final Histogram batch = new Histogram(SIZES);
  private final Histogram batchJobs = new Histogram(SIZES);
  private final IntSupplier queueLength;
  private final IntSupplier warm;

  ServerMetrics(IntSupplier queueLength, IntSupplier warm) {
    this.queueLength = queueLength;
    this.warm = warm;
  }

  void request(String route, int status) {
    requests.computeIfAbsent("route=\"" + route + "\",status=\"" + status + "\"", k -> new LongAdder()).increment();
  }

  void jobFinished(Job job) {
    jobs.computeIfAbsent("state=\"" + job.state().json() + "\"", k -> new LongAdder()).increment();
    if (job.finishedAt() != null) {
      latency.observe((job.finishedAt().toEpochMilli() - job.created.toEpochMilli()) / 1000.0);
    }
  }

  /** One generation run: the images it drew, for how many jobs, in how many seconds. */
  void generated(int count, int jobs, double seconds) {
    images.add(count);
    generation.observe(seconds);
    batch.observe(count);
    batchJobs.observe(jobs);
  }

  String text() {
    StringBuilder b = new StringBuilder();
    counter(b, "tessera_http_requests_total", "HTTP requests answered, by route and status.", requests);
    counter(b, "tessera_jobs_total", "Jobs finished, by final state.", jobs);
    b.append("# HELP tessera_images_total Images generated.\n# TYPE tessera_images_total counter\n");
    b.append("tessera_images_total ").append(images.sum()).append('\n');
    b.append("# HELP tessera_queue_length Jobs waiting to run.\n# TYPE tessera_queue_length gauge\n");
    b.append("tessera_queue_length ").append(queueLength.getAsInt()).append('\n');
    b.append("# HELP tessera_pipelines_open Pipelines built and kept warm.\n# TYPE tessera_pipelines_open gauge\n");
    b.append("tessera_pipelines_open ").append(warm.getAsInt()).append('\n');
    latency.write(b, "tessera_job_latency_seconds", "Seconds from a job's submission to its end.");
    generation.write(b, "tessera_generation_seconds", "Seconds one generation run took (all the jobs merged into it).");
    batch.write(b, "tessera_batch_images", "Images drawn per generation run.");
    batchJobs.write(b, "tessera_batch_jobs", "Jobs merged into one generation run (dynamic batching).");
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, Map<String, LongAdder> byLabels) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" counter\n");
    new TreeMap<>(byLabels).forEach((labels, n) -> b.append(name).append('{').append(labels).append("} ").append(n.sum()).append('\n'));
  }

  /** A cumulative histogram with fixed upper bounds. */
  static final class Histogram {
    private final double[] bounds;
    private final AtomicLong[] counts;
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds.clone();
      this.counts = new AtomicLong[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        counts[i] = new AtomicLong();
      }
    }

    void observe(double v) {
      for (int i = 0; i < bounds.length; i++) {
        if (v <= bounds[i]) {
          counts[i].incrementAndGet();
        }
      }
      count.increment();
      sum.add(v);
    }

    void write(StringBuilder b, String name, String help) {
      b.append("# HELP ").append(name).append(' ').append(help).append('\n');
      b.append("# TYPE ").append(name).append(" histogram\n");
      for (int i = 0; i < bounds.length; i++) {
        b.append(name).append("_bucket{le=\"").append(format(bounds[i])).append("\"} ").append(counts[i].get()).append('\n');
      }
      b.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
      b.append(name).append("_sum ").append(format(sum.sum())).append('\n');
      b.append(name).append("_count ").append(count.sum()).append('\n');
    }

    private static String format(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
  }
}
