package dev.tessera.runtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tessera.api.TesseraException;
import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.pipeline.PipelineProvider;
import dev.tessera.runtime.embed.Tessera;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code tessera serve}: a JSON API over HTTP (Javalin on Jetty) and the web page that uses it,
 * in front of a {@link JobRunner}.
 *
 * <pre>
 * GET    /                      the web page
 * GET    /health                {"status": "ok", ...} (no token needed)
 * GET    /metrics               Prometheus text
 * GET    /v1/pipelines          every pipeline with its options (type, default, range, choices)
 * POST   /v1/jobs               a {@link JobRequest}; 202 with the job, 400 naming the field, 503 when the queue is full
 * GET    /v1/jobs               the newest 100 jobs the server holds
 * GET    /v1/jobs/ID            state, progress, and when done the image, grid and manifest URLs
 * GET    /v1/jobs/ID/events     server-sent events: "progress" on every step, "end" once
 * DELETE /v1/jobs/ID            cancel
 * GET    /v1/jobs/ID/images/NNNN.png, /grid.png, /manifest.json
 * </pre>
 *
 * Every error is JSON ({@code {"error": "...", "field": "..."}}) with a 4xx status for anything a
 * request got wrong; a 500 means a defect of the server.
 */
public final class GenerationServer implements AutoCloseable {
  private static final Pattern IMAGE = Pattern.compile("[0-9]{4}\\.png");
  private static final String WEB = "/dev/tessera/runtime/server/web/";
  /** Jobs {@code GET /v1/jobs} lists, newest first. */
  static final int HISTORY = 100;

  private final Tessera tessera;
  private final ServerSettings settings;
  private final JobRunner runner;
  private final Javalin app;
  private final byte[] token;

  private GenerationServer(Tessera tessera, ServerSettings settings, Consumer<String> log) {
    this.tessera = tessera;
    this.settings = settings;
    this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
    this.runner = new JobRunner(tessera, settings);
    runner.start(settings.warmAtStart(), log);
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.http.maxRequestSize = settings.maxBodyBytes();
      config.jetty.host = settings.host();
      config.jetty.port = settings.port();
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler.Servlet()));
      var r = config.routes;
      r.before(this::authorize);
      r.before("/v1/jobs/{id}/events", ctx -> {
        runner.get(ctx.pathParam("id"));
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
          throw new BadRequest(406, null, "this is a stream of server-sent events: ask with 'Accept: text/event-stream' (EventSource does)");
        }
      });
      r.get("/", ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
      r.get("/app.js", ctx -> resource(ctx, "app.js", "text/javascript; charset=utf-8"));
      r.get("/style.css", ctx -> resource(ctx, "style.css", "text/css; charset=utf-8"));
      r.get("/health", ctx -> json(ctx, 200, Map.of("status", "ok", "queued", runner.queued())));
      r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(runner.metrics().text()));
      r.get("/v1/pipelines", ctx -> json(ctx, 200, Map.of("pipelines", pipelines())));
      r.post("/v1/jobs", this::submit);
      r.get("/v1/jobs", ctx -> json(ctx, 200, Map.of("jobs", runner.list(HISTORY).stream().map(Job::describe).toList())));
      r.get("/v1/jobs/{id}", ctx -> json(ctx, 200, runner.get(ctx.pathParam("id")).describe()));
      r.delete("/v1/jobs/{id}", ctx -> json(ctx, 202, runner.cancel(ctx.pathParam("id")).describe()));
      r.sse("/v1/jobs/{id}/events", this::events);
      r.get("/v1/jobs/{id}/images/{name}", ctx -> {
        Job job = finished(ctx.pathParam("id"));
        String name = ctx.pathParam("name");
        if (!IMAGE.matcher(name).matches() || Integer.parseInt(name.substring(0, 4)) >= job.images()) {
          throw BadRequest.notFound("job " + job.id + " has no image '" + name + "' (it has " + job.images() + ")");
        }
        file(ctx, job.dir.resolve("images").resolve(name), "image/png");
      });
      r.get("/v1/jobs/{id}/grid.png", ctx -> file(ctx, finished(ctx.pathParam("id")).dir.resolve("grid.png"), "image/png"));
      r.get("/v1/jobs/{id}/manifest.json", ctx -> file(ctx, finished(ctx.pathParam("id")).dir.resolve("manifest.json"),
          "application/json"));
      r.exception(BadRequest.class, (e, ctx) -> {
        if (e.status == 503) {
          ctx.header("Retry-After", "5");
        }
        if (e.status == 401) {
          ctx.header("WWW-Authenticate", "Bearer");
        }
        error(ctx, e.status, e.field, e.getMessage());
      });
      r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), null, e.getMessage()));
      r.exception(Exception.class, (e, ctx) -> {
        log.accept("error: " + ctx.method() + " " + ctx.path() + ": " + e);
        error(ctx, 500, null, "internal error: " + e.getClass().getSimpleName());
      });
      r.error(404, ctx -> {
        if (!isJson(ctx)) {
          error(ctx, 404, null, "no such path: " + ctx.method() + " " + ctx.path());
        }
      });
      r.error(405, ctx -> {
        if (!isJson(ctx)) {
          error(ctx, 405, null, ctx.method() + " is not allowed on " + ctx.path());
        }
      });
      r.after(ctx -> runner.metrics().request(route(ctx.path()), ctx.status().getCode()));
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      runner.close();
      throw new TesseraException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + rootCause(e), e);
    }
  }

  /**
   * Starts a server: builds the pipelines asked for at start, then listens. Close it to stop
   * (queued jobs are cancelled, a running one gets the settings' grace time).
   */
  public static GenerationServer start(Tessera tessera, ServerSettings settings, Consumer<String> log) {
    return new GenerationServer(tessera, settings, log);
  }

  /** The port listened on (the one picked when the settings asked for 0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    runner.close(); // first: no new jobs, the running one finishes or is cancelled
    app.stop();
  }

  private void authorize(Context ctx) {
    if (token == null || ctx.path().equals("/health")) {
      return;
    }
    String given = null;
    String header = ctx.header("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      given = header.substring("Bearer ".length()).strip();
    } else if (ctx.queryParam("token") != null) {
      given = ctx.queryParam("token"); // EventSource and <img> cannot set headers
    }
    if (ctx.path().equals("/") || ctx.path().equals("/app.js") || ctx.path().equals("/style.css")) {
      return; // the page itself holds nothing; it asks for the token and sends it with every call
    }
    if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      throw new BadRequest(401, null, "this server needs its token: send 'Authorization: Bearer TOKEN'");
    }
  }

  private void submit(Context ctx) {
    JobRequest request = JobRequest.parse(ctx.body(), settings, tessera);
    Job job = runner.submit(request);
    ctx.header("Location", "/v1/jobs/" + job.id);
    json(ctx, 202, job.describe());
  }

  private void events(SseClient client) {
    Job job = runner.get(client.ctx().pathParam("id"));
    client.keepAlive();
    Consumer<Job> send = new Consumer<>() {
      private boolean ended;

      @Override
      public synchronized void accept(Job j) {
        if (ended) {
          return;
        }
        String data = toJson(j.describe());
        if (j.state().finished()) {
          ended = true;
          client.sendEvent("end", data);
          j.unlisten(this);
          client.close();
        } else {
          client.sendEvent("progress", data);
        }
      }
    };
    client.onClose(() -> job.unlisten(send));
    job.listen(send);
    send.accept(job); // the state now; ends at once for a finished job
  }

  private Job finished(String id) {
    Job job = runner.get(id);
    if (job.state() != Job.State.DONE) {
      throw new BadRequest(409, null, "job " + id + " is " + job.state().json() + ": its files exist once it is done");
    }
    return job;
  }

  private List<Map<String, Object>> pipelines() {
    List<Map<String, Object>> out = new ArrayList<>();
    new java.util.TreeMap<>(tessera.components().pipelines().all()).forEach((name, p) -> out.add(describe(name, p)));
    return out;
  }

  private static Map<String, Object> describe(String name, PipelineProvider p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("description", p.description());
    List<Map<String, Object>> options = new ArrayList<>();
    for (OptionSpec o : p.options()) {
      if (o.type() == OptionSpec.Type.PATH) {
        continue; // requests cannot name files
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("key", o.key());
      d.put("type", o.type().name().toLowerCase(java.util.Locale.ROOT));
      d.put("default", o.defaultValue() instanceof Path path ? path.toString() : o.defaultValue());
      if (o.range() != null) {
        d.put("min", o.range().min());
        d.put("max", o.range().max());
        d.put("min_exclusive", o.range().minExclusive());
      }
      if (!o.choices().isEmpty()) {
        d.put("choices", o.choices());
      }
      d.put("meaning", o.meaning());
      options.add(d);
    }
    m.put("options", options);
    return m;
  }

  private static String route(String path) {
    if (path.startsWith("/v1/jobs/")) {
      String rest = path.substring("/v1/jobs/".length());
      int slash = rest.indexOf('/');
      String tail = slash < 0 ? "" : rest.substring(slash);
      if (tail.startsWith("/images/")) {
        tail = "/images/{name}";
      }
      return switch (tail) {
        case "", "/events", "/images/{name}", "/grid.png", "/manifest.json" -> "/v1/jobs/{id}" + tail;
        default -> "other";
      };
    }
    return switch (path) {
      case "/", "/app.js", "/style.css", "/health", "/metrics", "/v1/pipelines", "/v1/jobs" -> path;
      default -> "other";
    };
  }

  private static void resource(Context ctx, String name, String type) throws IOException {
    try (InputStream in = GenerationServer.class.getResourceAsStream(WEB + name)) {
      if (in == null) {
        throw BadRequest.notFound("no " + name + " in this build");
      }
      ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
    }
  }

  private static void file(Context ctx, Path file, String type) {
    try {
      ctx.contentType(type).result(Files.readAllBytes(file));
    } catch (IOException e) {
      throw BadRequest.notFound("the file is gone (removed after the retention?): " + file.getFileName());
    }
  }

  private static boolean isJson(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith("application/json");
  }

  private static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(toJson(body));
  }

  private static void error(Context ctx, int status, String field, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message == null ? "error" : message);
    if (field != null) {
      m.put("field", field);
    }
    json(ctx, status, m);
  }

  static String toJson(Object o) {
    try {
      return JobRequest.JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
