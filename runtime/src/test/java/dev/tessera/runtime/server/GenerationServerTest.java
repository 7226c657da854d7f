package dev.tessera.runtime.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinySlowPipeline;
import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.testing.TestPluginJars;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation server over HTTP, on the tiny test plugins: what a job gives equals the facade's
 * images byte for byte; bad requests are 4xx naming the field; the queue bounds; cancel, failure,
 * token, retention, metrics, events and the page.
 */
class GenerationServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Tessera tessera;
  GenerationServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void setUp() {
    Path plugins = tmp.resolve("plugins");
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class, TinySlowPipeline.class).bundle(TinyGrayImages.class)
        .writeTo(plugins, "gray.jar");
    tessera = Tessera.open(plugins);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    tessera.close();
  }

  GenerationServer start(Function<ServerSettings, ServerSettings> change) {
    server = GenerationServer.start(tessera, change.apply(ServerSettings.defaults(tmp.resolve("out")).withPort(0)), line -> {});
    return server;
  }

  HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  byte[] bytes(String path) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), path);
    return r.body();
  }

  JsonNode submit(String body) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/jobs", body);
    assertEquals(202, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  JsonNode await(String id, String state) throws Exception {
    long end = System.nanoTime() + 30_000_000_000L;
    JsonNode job;
    do {
      job = JSON.readTree(send("GET", "/v1/jobs/" + id, null).body());
      if (job.get("state").asText().equals(state)) {
        return job;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < end);
    throw new AssertionError("job " + id + " never became " + state + ": " + job);
  }

  @Test
  void aJobGivesTheImagesTheFacadeGivesByteForByte() throws Exception {
    start(s -> s);
    JsonNode job = submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"a gray square\", \"count\": 3, \"seed\": 5, "
        + "\"options\": {\"level\": 0.3, \"size\": 8}}");
    JsonNode done = await(job.get("id").asText(), "done");
    assertEquals(3, done.get("images").size());
    Images alone = tessera.pipeline("tiny-gray").option("level", 0.3).option("size", 8).generate("a gray square", 3, 5);
    Path saved = alone.save(tmp.resolve("alone"));
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(Files.readAllBytes(saved.getParent().resolve(String.format("images/%04d.png", i))),
          bytes(done.get("images").get(i).asText()));
    }
    JsonNode manifest = JSON.readTree(bytes(done.get("manifest").asText()));
    assertEquals("a gray square", manifest.get("prompt").asText());
    assertEquals(5, manifest.get("seed").asLong());
    assertTrue(bytes(done.get("grid").asText()).length > 0);
    assertTrue(Files.isDirectory(tmp.resolve("out/jobs").resolve(job.get("id").asText()).resolve("images")));
  }

  @Test
  void queuedJobsForTheSameSettingsShareARunAndGetTheImagesTheyGetAlone() throws Exception {
    start(s -> s.withBatching(8, Duration.ofMillis(300)));
    String busy = submit("{\"pipeline\": \"tiny-slow\", \"prompt\": \"first\", \"options\": {\"steps\": 10, \"step_millis\": 40}}")
        .get("id").asText();
    await(busy, "running");
    String same = "\"pipeline\": \"tiny-slow\", \"options\": {\"steps\": 3, \"step_millis\": 10}";
    long[] seeds = {11, 12, 13, 14};
    int[] counts = {2, 3, 3, 1}; // 8 images fill a run: the fourth job waits for the next
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(submit("{" + same + ", \"prompt\": \"p" + i + "\", \"count\": " + counts[i] + ", \"seed\": " + seeds[i] + "}").get("id").asText());
    }
    String other = submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"}").get("id").asText(); // other settings: a run of its own
    for (int i = 0; i < 4; i++) {
      JsonNode done = await(ids.get(i), "done");
      assertEquals(i < 3 ? 3 : 1, done.get("run").get("jobs").asInt(), done.toString());
      Images alone = tessera.pipeline("tiny-slow").option("steps", 3).option("step_millis", 10).generate("p" + i, counts[i], seeds[i]);
      Path saved = alone.save(tmp.resolve("alone" + i)).getParent();
      for (int k = 0; k < counts[i]; k++) {
        assertArrayEquals(Files.readAllBytes(saved.resolve(String.format("images/%04d.png", k))), bytes(done.get("images").get(k).asText()));
      }
    }
    assertEquals(1, await(other, "done").get("run").get("jobs").asInt());
    assertTrue(send("GET", "/metrics", null).body().contains("tessera_batch_jobs_bucket{le=\"4\"} 4"), "runs of 1, 3, 1 and 1 jobs");
  }

  @Test
  void pipelinesAreListedWithTheirOptionsButNotPathOptions() throws Exception {
    start(s -> s);
    JsonNode all = JSON.readTree(send("GET", "/v1/pipelines", null).body()).get("pipelines");
    JsonNode gray = null;
    JsonNode slow = null;
    for (JsonNode p : all) {
      gray = p.get("name").asText().equals("tiny-gray") ? p : gray;
      slow = p.get("name").asText().equals("tiny-slow") ? p : slow;
    }
    assertTrue(gray != null && slow != null, all.toString());
    JsonNode level = gray.get("options").get(0);
    assertEquals("level", level.get("key").asText());
    assertEquals("number", level.get("type").asText());
    assertEquals(0.5, level.get("default").asDouble());
    assertEquals(1.0, level.get("max").asDouble());
    assertFalse(slow.get("options").toString().contains("init_image"), slow.toString());
  }

  @Test
  void badRequestsAre4xxNamingTheFieldAndTheServerGoesOn() throws Exception {
    start(s -> s);
    String[][] cases = {
        {"{", "400", null},
        {"[]", "400", null},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"} trailing", "400", null},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"prompt\": \"y\"}", "400", null},
        {"{\"prompt\": \"x\"}", "400", "pipeline"},
        {"{\"pipeline\": \"no-such\", \"prompt\": \"x\"}", "400", "pipeline"},
        {"{\"pipeline\": 3, \"prompt\": \"x\"}", "400", "pipeline"},
        {"{\"pipeline\": \"tiny-gray\"}", "400", "prompt"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"  \"}", "400", "prompt"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": 7}", "400", "prompt"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"" + "x".repeat(501) + "\"}", "400", "prompt"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"count\": 17}", "400", "count"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"count\": 1.5}", "400", "count"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"seed\": \"one\"}", "400", "seed"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"colour\": 1}", "400", "colour"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": []}", "400", "options"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"level\": 2}}", "400", "options.level"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"level\": \"dark\"}}", "400", "options.level"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"levle\": 0.2}}", "400", "options.levle"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"level\": null}}", "400", "options.level"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"weights\": \"/tmp\"}}", "400", "options.weights"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"device\": \"gpu\"}}", "400", "options.device"},
        {"{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"init_image\": \"a.png\"}}", "400", "options.init_image"},
        {"{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 1001}}", "400", "options.steps"},
        {"{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"options\": {\"batch_size\": 65}}", "400", "options.batch_size"},
        {"{\"pipeline\": {\"steps\": 3}, \"prompt\": \"x\"}", "400", "pipeline.pipeline"},
        {"{\"pipeline\": {\"pipeline\": \"tiny-gray\", \"weights\": \"w\"}, \"prompt\": \"x\"}", "400", "pipeline.weights"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = send("POST", "/v1/jobs", c[0]);
      assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
      JsonNode error = JSON.readTree(r.body());
      assertTrue(error.get("error").asText().length() > 5 && !error.get("error").asText().contains("\n"), r.body());
      if (c[2] != null) {
        assertEquals(c[2], error.path("field").asText(), c[0] + " -> " + r.body());
      }
    }
    HttpResponse<String> big = send("POST", "/v1/jobs", "{\"pipeline\": \"tiny-gray\", \"prompt\": \"" + "x".repeat(70_000) + "\"}");
    assertEquals(413, big.statusCode(), big.body());
    assertEquals(404, send("GET", "/v1/jobs/0123456789abcdef", null).statusCode());
    assertEquals(404, send("GET", "/nothing/here", null).statusCode());
    // A pipeline file's content is a request too, its keys options.
    JsonNode job = submit("{\"pipeline\": {\"pipeline\": \"tiny-gray\", \"size\": 6}, \"prompt\": \"x\", \"options\": {\"level\": 0.7}}");
    JsonNode done = await(job.get("id").asText(), "done");
    assertEquals(6, JSON.readTree(bytes(done.get("manifest").asText())).get("settings").get("size").asInt());
  }

  @Test
  void idsAndFileNamesCannotReachOutsideTheOutputFolder() throws Exception {
    start(s -> s);
    Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET-42");
    String id = submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"}").get("id").asText();
    await(id, "done");
    for (String path : List.of("/v1/jobs/..%2F..%2Fsecret.txt/manifest.json", "/v1/jobs/" + id + "/images/..%2F..%2F..%2Fsecret.txt",
        "/v1/jobs/" + id + "/images/0001.png", "/v1/jobs/" + id + "/images/0000.png%00", "/v1/jobs/" + id.toUpperCase() + "/grid.png",
        "/v1/jobs/" + id + "/images/%2e%2e%2fmanifest.json")) {
      HttpResponse<String> r = send("GET", path, null);
      assertTrue(r.statusCode() == 404 || r.statusCode() == 400, path + " -> " + r.statusCode() + " " + r.body());
      assertFalse(r.body().contains("TOP-SECRET"), path);
    }
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAndEveryAcceptedJobCompletes() throws Exception {
    start(s -> s.withQueue(1));
    String slow = "{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 10, \"step_millis\": 50}}";
    String running = submit(slow).get("id").asText();
    await(running, "running");
    String queued = submit(slow).get("id").asText();
    HttpResponse<String> full = send("POST", "/v1/jobs", slow);
    assertEquals(503, full.statusCode(), full.body());
    assertTrue(full.headers().firstValue("Retry-After").isPresent());
    await(running, "done");
    await(queued, "done");
  }

  @Test
  void cancellingStopsARunningJobBetweenStepsAndAQueuedOneAtOnce() throws Exception {
    start(s -> s);
    String slow = "{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 200, \"step_millis\": 20}}";
    String running = submit(slow).get("id").asText();
    await(running, "running");
    String queued = submit(slow.replace("200", "201")).get("id").asText(); // other settings: not merged with the running one
    // Progress arrives as server-sent events.
    HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/jobs/"
        + running + "/events")).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, events.statusCode());
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
        if (line.startsWith("data:") && JSON.readTree(line.substring(5)).get("progress").get("done").asInt() >= 3) {
          break;
        }
      }
    }
    assertTrue(lines.contains("event: progress"), lines.toString());
    assertEquals(202, send("DELETE", "/v1/jobs/" + queued, null).statusCode());
    assertEquals("cancelled", await(queued, "cancelled").get("state").asText());
    send("DELETE", "/v1/jobs/" + running, null);
    JsonNode stopped = await(running, "cancelled");
    assertTrue(stopped.get("progress").get("done").asInt() < 200, stopped.toString());
    assertFalse(Files.exists(tmp.resolve("out/jobs").resolve(running)), "a cancelled job writes nothing");
    // The server goes on.
    await(submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"}").get("id").asText(), "done");
    assertEquals(406, send("GET", "/v1/jobs/" + running + "/events", null).statusCode(), "events need Accept: text/event-stream");
  }

  @Test
  void aJobCancelledInAMergedRunEndsAtOnceAndTheOthersFinish() throws Exception {
    start(s -> s.withBatching(8, Duration.ofMillis(300)));
    String busy = submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\", \"count\": 1}").get("id").asText();
    String slow = "{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 60, \"step_millis\": 20}, \"seed\": ";
    String a = submit(slow + "1}").get("id").asText();
    String b = submit(slow + "2}").get("id").asText();
    await(busy, "done");
    await(a, "running");
    assertEquals(2, JSON.readTree(send("GET", "/v1/jobs/" + a, null).body()).get("run").get("jobs").asInt());
    send("DELETE", "/v1/jobs/" + b, null);
    JsonNode cancelled = await(b, "cancelled");
    assertEquals("running", JSON.readTree(send("GET", "/v1/jobs/" + a, null).body()).get("state").asText(), cancelled.toString());
    await(a, "done");
    assertFalse(Files.exists(tmp.resolve("out/jobs").resolve(b)));
  }

  @Test
  void aFailingPipelineFailsItsJobWithTheReasonAndTheServerGoesOn() throws Exception {
    start(s -> s);
    String id = submit("{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"fail\": true, \"step_millis\": 0}}").get("id").asText();
    JsonNode failed = await(id, "failed");
    assertTrue(failed.get("error").asText().contains("as asked"), failed.toString());
    assertEquals(409, send("GET", "/v1/jobs/" + id + "/grid.png", null).statusCode());
    await(submit("{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"step_millis\": 0}}").get("id").asText(), "done");
    String metrics = send("GET", "/metrics", null).body();
    assertTrue(metrics.contains("tessera_jobs_total{state=\"failed\"} 1"), metrics);
    assertTrue(metrics.contains("tessera_jobs_total{state=\"done\"} 1"), metrics);
    assertTrue(metrics.contains("tessera_http_requests_total{route=\"/v1/jobs\",status=\"202\"} 2"), metrics);
    assertTrue(metrics.contains("tessera_job_latency_seconds_count 2"), metrics);
    assertTrue(metrics.contains("tessera_queue_length 0"), metrics);
  }

  @Test
  void withATokenEveryCallButHealthAndThePageNeedsIt() throws Exception {
    start(s -> s.withToken("s3cret"));
    assertEquals(401, send("GET", "/v1/pipelines", null).statusCode());
    assertEquals(401, send("GET", "/v1/pipelines", null, "Authorization", "Bearer wrong").statusCode());
    assertEquals(200, send("GET", "/v1/pipelines", null, "Authorization", "Bearer s3cret").statusCode());
    assertEquals(200, send("GET", "/v1/pipelines?token=s3cret", null).statusCode());
    assertEquals(401, send("POST", "/v1/jobs", "{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"}").statusCode());
    assertEquals(200, send("GET", "/health", null).statusCode());
    assertEquals(200, send("GET", "/", null).statusCode());
    TesseraException open = assertThrows(TesseraException.class,
        () -> new ServerSettings("0.0.0.0", 0, tmp, 1, 1, 1, 1, 1, null, Duration.ofHours(1), 1, List.of(), Duration.ZERO, 1, Duration.ZERO));
    assertTrue(open.getMessage().contains("--token"), open.getMessage());
  }

  @Test
  void finishedJobsAndOnlyTheirFilesAreRemovedAfterTheRetention() throws Exception {
    start(s -> s.withRetention(Duration.ofMillis(1)));
    Path mine = Files.writeString(Files.createDirectories(tmp.resolve("out")).resolve("notes.txt"), "mine");
    String id = submit("{\"pipeline\": \"tiny-gray\", \"prompt\": \"x\"}").get("id").asText();
    long end = System.nanoTime() + 10_000_000_000L;
    while (send("GET", "/v1/jobs/" + id, null).statusCode() == 200 && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertEquals(404, send("GET", "/v1/jobs/" + id, null).statusCode());
    assertFalse(Files.exists(tmp.resolve("out/jobs").resolve(id)));
    assertEquals("mine", Files.readString(mine));
  }

  @Test
  void thePageIsServed() throws Exception {
    start(s -> s);
    HttpResponse<String> page = send("GET", "/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("<textarea id=\"prompt\""), page.body());
    assertTrue(send("GET", "/app.js", null).body().contains("/v1/jobs"));
    assertEquals("ok", JSON.readTree(send("GET", "/health", null).body()).get("status").asText());
  }

  @Test
  void stoppingCancelsQueuedJobsAndLetsTheRunningOneFinishWithinTheGrace() throws Exception {
    start(s -> s);
    String slow = "{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 10, \"step_millis\": 30}}";
    String running = submit(slow).get("id").asText();
    await(running, "running");
    String queued = submit(slow).get("id").asText();
    server.close();
    server = null;
    assertTrue(Files.exists(tmp.resolve("out/jobs").resolve(running).resolve("manifest.json")), "the running job finished");
    assertFalse(Files.exists(tmp.resolve("out/jobs").resolve(queued)), "the queued one was cancelled");
  }

  @Test
  void theLoadGeneratorCountsEveryJobAndSeesMergedRuns() throws Exception {
    start(s -> s.withBatching(8, Duration.ofMillis(100)));
    LoadGenerator.Result r = LoadGenerator.run("http://127.0.0.1:" + server.port(), "tiny-slow", 4, 12, 60,
        java.util.Map.of("steps", 3, "step_millis", 20));
    assertEquals(12, r.completed(), r.summary());
    assertEquals(0, r.failed(), r.failures().toString());
    assertEquals(12, r.jobsPerRun().entrySet().stream().mapToInt(e -> e.getValue()).sum());
    assertTrue(r.jobsPerRun().keySet().stream().anyMatch(k -> k > 1), "concurrent clients share runs: " + r.jobsPerRun());
    assertTrue(r.p50() <= r.p95() && r.p95() <= r.p99());
    assertThrows(TesseraException.class, () -> LoadGenerator.run("http://10.1.2.3:80", "tiny-gray", 1, 1, 1, java.util.Map.of()));
  }
}
