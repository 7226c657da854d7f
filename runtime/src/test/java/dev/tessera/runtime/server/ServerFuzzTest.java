package dev.tessera.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.testing.JsonMutations;
import dev.tessera.api.testing.Mutation;
import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinySlowPipeline;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.testing.TestPluginJars;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 hostile requests against a running server: damaged job bodies (wrong types and ranges,
 * missing, repeated and unknown keys, deep nesting, trailing data, invalid UTF-8, huge strings),
 * hostile paths (traversal, encoded bytes, unknown ids, long paths) and methods on every route.
 * Every answer must be a 2xx or a 4xx with a one-line JSON error (503 only for a full queue), never
 * a 5xx; every accepted job must end; the server must still answer /health and serve a job.
 */
class ServerFuzzTest {
  static final int CASES = 10_000;
  static final String VALID = """
      {"pipeline": "tiny-gray", "prompt": "a gray square", "count": 2, "seed": 3, "options": {"level": 0.4, "size": 6}}""";
  static final Set<Integer> ALLOWED = Set.of(200, 202, 400, 401, 404, 405, 406, 409, 413, 415, 503);
  static final String[] SEGMENTS = {"..", "%2e%2e", "..%2F..%2F", "%00", "%ff%fe", "0123456789abcdef", "ffffffffffffffff", "images",
      "grid.png", "manifest.json", "events", "0000.png", "9999.png", "-1.png", "%2F", "a%20b", "x".repeat(300), "%C3%A9", "v1", "jobs",
      "..;", "~", "$", "*", "%5C..%5C"};
  @TempDir Path tmp;

  static boolean bodyTooLarge(HttpRequest request) {
    return request.bodyPublisher().map(p -> p.contentLength() > ServerSettings.defaults(Path.of("x")).maxBodyBytes()).orElse(false);
  }

  @Test
  void tenThousandHostileRequestsGetNoServerErrorAndLeaveNoStuckJob() throws Exception {
    Path plugins = tmp.resolve("plugins");
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class, TinySlowPipeline.class).bundle(TinyGrayImages.class)
        .writeTo(plugins, "gray.jar");
    ObjectMapper json = new ObjectMapper();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> accepted = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int retried = 0;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (Tessera tessera = Tessera.open(plugins);
        GenerationServer server = GenerationServer.start(tessera, ServerSettings.defaults(tmp.resolve("out")).withPort(0).withQueue(256),
            line -> {})) {
      URI base = URI.create("http://127.0.0.1:" + server.port());
      SplittableRandom random = new SplittableRandom(27_000);
      String knownId = json.readTree(http.send(HttpRequest.newBuilder(base.resolve("/v1/jobs")).POST(HttpRequest.BodyPublishers.ofString(VALID))
          .build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();
      for (int i = 0; i < CASES; i++) {
        HttpRequest request;
        String what;
        int pick = random.nextInt(100);
        if (pick < 60) {
          Mutation m = JsonMutations.any(VALID, random);
          what = "POST /v1/jobs: " + m.description();
          request = HttpRequest.newBuilder(base.resolve("/v1/jobs")).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(m.bytes())).build();
        } else if (pick < 90) {
          StringBuilder path = new StringBuilder("/v1/jobs");
          int depth = random.nextInt(4);
          for (int d = 0; d < depth; d++) {
            path.append('/').append(d == 0 && random.nextBoolean() ? knownId : SEGMENTS[random.nextInt(SEGMENTS.length)]);
          }
          String method = List.of("GET", "DELETE", "POST", "PUT", "PATCH").get(random.nextInt(5));
          what = method + " " + path;
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.toString())).method(method,
              method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
          if (path.toString().endsWith("events") && random.nextBoolean()) {
            continue; // an event stream stays open; its route is fuzzed without the Accept header below
          }
          request = b.build();
        } else {
          String path = List.of("/", "/health", "/metrics", "/v1/pipelines", "/app.js", "/style.css", "/nothing", "/v2/jobs", "/v1",
              "/v1/jobs/" + knownId + "/events").get(random.nextInt(10));
          String method = List.of("GET", "POST", "DELETE", "PUT", "HEAD").get(random.nextInt(5));
          what = method + " " + path;
          request = HttpRequest.newBuilder(base.resolve(path)).method(method, method.equals("POST") || method.equals("PUT")
              ? HttpRequest.BodyPublishers.ofString(JsonMutations.hostileValue(random)) : HttpRequest.BodyPublishers.noBody()).build();
        }
        HttpResponse<String> r;
        try {
          r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
          if (bodyTooLarge(request)) {
            continue; // a body over the limit may be answered 413 or cut off mid-upload: both refuse it
          }
          try {
            // The server may have closed a kept-alive connection the client reused (after refusing
            // a body mid-upload): a client sends again on a new one, as browsers do.
            r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            retried++;
          } catch (java.io.IOException again) {
            problems.add("case " + i + ": " + what + " -> no answer: " + again.getMessage());
            continue;
          }
        }
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (!ALLOWED.contains(r.statusCode())) {
          problems.add("case " + i + ": " + what + " -> " + r.statusCode() + " " + JsonMutations.abbreviate(r.body()));
        } else if (r.statusCode() >= 400 && !request.method().equals("HEAD")) {
          JsonNode error;
          try {
            error = json.readTree(r.body());
          } catch (java.io.IOException notJson) {
            error = null;
          }
          if (error == null || !error.has("error") || error.get("error").asText().contains("\n")) {
            problems.add("case " + i + ": " + what + " -> " + r.statusCode() + " without a one-line JSON error: " + JsonMutations.abbreviate(r.body()));
          }
        } else if (r.statusCode() == 202 && request.method().equals("POST") && request.uri().getPath().equals("/v1/jobs")) {
          accepted.add(json.readTree(r.body()).get("id").asText());
        }
        if (problems.size() > 5) {
          break;
        }
      }
      assertTrue(problems.isEmpty(), String.join("\n", problems));
      // Every accepted job ends.
      long end = System.nanoTime() + 60_000_000_000L;
      for (String id : accepted) {
        String state;
        do {
          state = json.readTree(http.send(HttpRequest.newBuilder(base.resolve("/v1/jobs/" + id)).build(), HttpResponse.BodyHandlers.ofString())
              .body()).get("state").asText();
          if (state.equals("queued") || state.equals("running")) {
            Thread.sleep(10);
          }
        } while ((state.equals("queued") || state.equals("running")) && System.nanoTime() < end);
        assertTrue(state.equals("done") || state.equals("failed") || state.equals("cancelled"), id + " is stuck: " + state);
      }
      assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      System.out.println("server fuzz: " + CASES + " cases, statuses " + statuses + ", " + accepted.size() + " accepted jobs ended, "
          + retried + " sent again on a new connection");
    }
  }
}
