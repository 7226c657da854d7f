package dev.tessera.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a running {@code tessera serve} on this machine: {@code clients} threads each submit a
 * single-image job, wait for it to end (its server-sent events), and submit the next, until
 * {@code requests} jobs were sent or {@code seconds} passed. Reports throughput, latency
 * percentiles (submit to done), how many jobs shared each run, and every failure. Loopback only.
 *
 * <pre>java -cp 'runtime/target/dist/tessera-runtime.jar:runtime/target/dist/lib/*' dev.tessera.runtime.server.LoadGenerator \
 *     http://127.0.0.1:8080 clip-gan 16 200 60</pre>
 */
public final class LoadGenerator {
  static final List<String> PROMPTS = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
      "ankle boot").stream().map(c -> "a photo of a " + c).toList();

  /** What one load run measured. */
  public record Result(String pipeline, int clients, int completed, int failed, int refused, double seconds, double imagesPerSecond,
      double p50, double p95, double p99, Map<Integer, Integer> jobsPerRun, List<String> failures) {
    public String summary() {
      return String.format(Locale.ROOT, "%s, %d client(s): %d done, %d failed, %d refused (503) in %.1f s: %.2f images/s; latency p50 %.3f s, "
          + "p95 %.3f s, p99 %.3f s; jobs per run %s", pipeline, clients, completed, failed, refused, seconds, imagesPerSecond, p50, p95, p99,
          jobsPerRun);
    }
  }

  private LoadGenerator() {}

  public static Result run(String base, String pipeline, int clients, int requests, double seconds, Map<String, Object> options) throws Exception {
    URI root = URI.create(base);
    if (!ServerSettings.isLoopback(root.getHost())) {
      throw new TesseraException("the load generator drives servers on this machine only, not " + root.getHost());
    }
    ObjectMapper json = new ObjectMapper();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    AtomicInteger sent = new AtomicInteger();
    AtomicLong seeds = new AtomicLong(1);
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> runs = Collections.synchronizedMap(new TreeMap<>());
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger refused = new AtomicInteger();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end && sent.getAndIncrement() < requests) {
          long seed = seeds.getAndIncrement();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("pipeline", pipeline);
          body.put("prompt", PROMPTS.get((int) (seed % PROMPTS.size())));
          body.put("count", 1);
          body.put("seed", seed);
          body.put("options", options);
          try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(root.resolve("/v1/jobs")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503) {
              refused.incrementAndGet();
              Thread.sleep(100);
              continue;
            }
            if (r.statusCode() != 202) {
              failures.add(r.statusCode() + " " + r.body());
              continue;
            }
            String id = json.readTree(r.body()).get("id").asText();
            JsonNode job = awaitEnd(http, json, root, id);
            if (job.get("state").asText().equals("done")) {
              latencies.add((System.nanoTime() - t0) / 1e9);
              runs.merge(job.path("run").path("jobs").asInt(1), 1, Integer::sum);
            } else {
              failures.add(id + " " + job.get("state").asText() + ": " + job.path("error").asText());
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }, "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return new Result(pipeline, clients, sorted.size(), failures.size(), refused.get(), elapsed, sorted.size() / elapsed, percentile(sorted, 50),
        percentile(sorted, 95), percentile(sorted, 99), new TreeMap<>(runs), List.copyOf(failures));
  }

  /**
   * The job's final state, from its server-sent events (the server pushes; polling from many
   * clients would take the CPU the generation needs on a small machine).
   */
  static JsonNode awaitEnd(HttpClient http, ObjectMapper json, URI root, String id) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(root.resolve("/v1/jobs/" + id + "/events"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    try (java.util.stream.Stream<String> lines = events.body()) {
      boolean end = false;
      for (java.util.Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.equals("event: end")) {
          end = true;
        } else if (end && line.startsWith("data:")) {
          return json.readTree(line.substring(5).strip());
        }
      }
    }
    return json.readTree(http.send(HttpRequest.newBuilder(root.resolve("/v1/jobs/" + id)).build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /** Arguments: URL PIPELINE CLIENTS REQUESTS SECONDS [OPTIONS-JSON]. */
  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: LoadGenerator URL PIPELINE CLIENTS REQUESTS SECONDS [OPTIONS-JSON]");
      System.exit(2);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> options = args.length > 5 ? new ObjectMapper().readValue(args[5], Map.class) : Map.of();
    Result r = run(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]), options);
    System.out.println(r.summary());
    System.out.println(new ObjectMapper().writeValueAsString(r));
    if (!r.failures().isEmpty()) {
      r.failures().stream().limit(10).forEach(f -> System.err.println("failure: " + f));
      System.exit(1);
    }
  }
}
