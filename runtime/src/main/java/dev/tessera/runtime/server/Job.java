package dev.tessera.runtime.server;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One queued generation and what became of it. The runner's thread moves it through the states;
 * any thread may read it, ask to cancel it or listen to its changes (server-sent events).
 */
final class Job {
  enum State {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    boolean finished() {
      return this == DONE || this == FAILED || this == CANCELLED;
    }

    String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  final String id;
  final JobRequest request;
  final Path dir;
  final Instant created = Instant.now();
  private final List<Consumer<Job>> listeners = new CopyOnWriteArrayList<>();
  private volatile State state = State.QUEUED;
  private volatile long done;
  private volatile long total;
  private volatile String error;
  private volatile Instant started;
  private volatile Instant finished;
  private volatile int images;
  private volatile boolean cancelRequested;
  private volatile List<String> warnings = List.of();
  private volatile int runJobs;
  private volatile int runImages;

  Job(String id, JobRequest request, Path dir) {
    this.id = id;
    this.request = request;
    this.dir = dir;
  }

  State state() {
    return state;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  Instant finishedAt() {
    return finished;
  }

  Instant startedAt() {
    return started;
  }

  int images() {
    return images;
  }

  /** Asks the job to stop: a queued job will not start, a running one stops at its next progress report. */
  void requestCancel() {
    cancelRequested = true;
  }

  /** Starts the job in a run of {@code jobs} merged jobs drawing {@code images} images in all. */
  void started(int jobs, int images) {
    runJobs = jobs;
    runImages = images;
    started = Instant.now();
    state = State.RUNNING;
    changed();
  }

  void progress(long d, long t) {
    done = d;
    total = t;
    changed();
  }

  void done(int imageCount, List<String> pipelineWarnings) {
    images = imageCount;
    warnings = List.copyOf(pipelineWarnings);
    finish(State.DONE, null);
  }

  void failed(String why) {
    finish(State.FAILED, why);
  }

  void cancelled() {
    finish(State.CANCELLED, "cancelled");
  }

  private void finish(State s, String why) {
    error = why;
    finished = Instant.now();
    state = s;
    changed();
  }

  /** Called on every change from the runner's thread; removed with {@link #unlisten}. */
  void listen(Consumer<Job> l) {
    listeners.add(l);
  }

  void unlisten(Consumer<Job> l) {
    listeners.remove(l);
  }

  private void changed() {
    for (Consumer<Job> l : listeners) {
      try {
        l.accept(this);
      } catch (RuntimeException e) {
        listeners.remove(l); // a client that went away
      }
    }
  }

  /** What {@code GET /v1/jobs/ID} answers. */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("state", state.json());
    m.put("pipeline", request.pipeline());
    m.put("prompt", request.prompt());
    m.put("count", request.count());
    m.put("seed", request.seed());
    m.put("options", request.options());
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("done", done);
    p.put("total", total);
    m.put("progress", p);
    m.put("created", created.toString());
    if (started != null) {
      m.put("started", started.toString());
    }
    if (finished != null) {
      m.put("finished", finished.toString());
    }
    if (error != null) {
      m.put("error", error);
    }
    if (runJobs > 0) {
      m.put("run", Map.of("jobs", runJobs, "images", runImages));
    }
    if (!warnings.isEmpty()) {
      m.put("warnings", warnings);
    }
    if (state == State.DONE) {
      List<String> urls = new java.util.ArrayList<>();
      for (int i = 0; i < images; i++) {
        urls.add("/v1/jobs/" + id + "/images/" + String.format("%04d.png", i));
      }
      m.put("images", urls);
      m.put("grid", "/v1/jobs/" + id + "/grid.png");
      m.put("manifest", "/v1/jobs/" + id + "/manifest.json");
    }
    return m;
  }
}
