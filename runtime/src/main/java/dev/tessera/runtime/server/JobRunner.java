package dev.tessera.runtime.server;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.embed.Generator;
import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.pipeline.GenerationOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The job queue and the one thread that runs it: jobs wait in a bounded queue (full: the submit
 * is refused with 503), run one at a time on warm pipelines ({@link WarmPipelines}) with exactly
 * the call {@code generate} makes (so the images are the same, bit for bit), and write their
 * folder under {@code outputDir/jobs/<id>/} as {@code generate} writes one. A failing job fails
 * alone with its reason; finished jobs and their files are removed after the retention.
 */
final class JobRunner implements AutoCloseable {
  /** Thrown from a progress report when the job was cancelled: stops the pipeline between steps. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  private final Tessera tessera;
  private final ServerSettings settings;
  private final Path jobsDir;
  private final ArrayBlockingQueue<Job> queue;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final WarmPipelines warm;
  private final ServerMetrics metrics;
  private final Thread worker;
  private final SecureRandom random = new SecureRandom();
  private volatile boolean accepting = true;
  private volatile boolean stopping;

  JobRunner(Tessera tessera, ServerSettings settings) {
    this.tessera = tessera;
    this.settings = settings;
    this.jobsDir = settings.outputDir().resolve("jobs");
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.warm = new WarmPipelines(tessera, settings.warmPipelines());
    this.metrics = new ServerMetrics(queue::size, warm::size);
    this.worker = new Thread(this::loop, "tessera-jobs");
    this.worker.setDaemon(true);
  }

  /** Builds the pipelines asked for at start (on the caller's thread, before the worker starts), then starts the worker. */
  void start(List<String> warmAtStart, java.util.function.Consumer<String> log) {
    for (String name : warmAtStart) {
      long t0 = System.nanoTime();
      warm.get(new JobRequest(name, "", 1, 0, new java.util.TreeMap<>()));
      log.accept(String.format(java.util.Locale.ROOT, "pipeline %s ready (%.1f s)", name, (System.nanoTime() - t0) / 1e9));
    }
    worker.start();
  }

  ServerMetrics metrics() {
    return metrics;
  }

  int queued() {
    return queue.size();
  }

  /** Queues a checked request; refused (503) when the queue is full or the server is stopping. */
  Job submit(JobRequest request) {
    if (!accepting) {
      throw new BadRequest(503, null, "the server is stopping and takes no new jobs");
    }
    String id = HexFormat.of().formatHex(bytes());
    Job job = new Job(id, request, jobsDir.resolve(id));
    jobs.put(id, job);
    if (!queue.offer(job)) {
      jobs.remove(id);
      throw new BadRequest(503, null, "the queue is full (" + settings.queueCapacity() + " jobs waiting): try again shortly");
    }
    return job;
  }

  private byte[] bytes() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return b;
  }

  /** The job with this id; a malformed or unknown id is a 404 (ids never reach the file system unchecked). */
  Job get(String id) {
    Job job = id != null && id.matches("[0-9a-f]{16}") ? jobs.get(id) : null;
    if (job == null) {
      String shown = id == null ? "" : id.replaceAll("\\p{Cntrl}", "?");
      throw BadRequest.notFound("no job '" + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown) + "'");
    }
    return job;
  }

  /** The newest {@code limit} jobs the server still holds, newest first. */
  List<Job> list(int limit) {
    List<Job> all = new ArrayList<>(jobs.values());
    all.sort(Comparator.comparing((Job j) -> j.created).reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  /** Cancels a job: a queued one at once, a running one at its next step; a finished one stays as it is. */
  Job cancel(String id) {
    Job job = get(id);
    if (!job.state().finished()) {
      job.requestCancel();
      if (queue.remove(job)) {
        job.cancelled();
        metrics.jobFinished(job);
      }
    }
    return job;
  }

  private void loop() {
    while (true) {
      Job job;
      try {
        job = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      removeExpired();
      if (job == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      run(job);
    }
  }

  private void run(Job first) {
    if (first.cancelRequested()) {
      first.cancelled();
      metrics.jobFinished(first);
      return;
    }
    JobRequest r = first.request;
    Generator generator;
    try {
      generator = warm.get(r);
    } catch (RuntimeException e) {
      first.started(1, first.request.count());
      first.failed(e instanceof TesseraException ? e.getMessage() : "the pipeline could not be built: " + e);
      metrics.jobFinished(first);
      return;
    }
    List<Job> group = generator.mergesRequests() ? gather(first) : List.of(first);
    int runImages = group.stream().mapToInt(j -> j.request.count()).sum();
    group.forEach(j -> j.started(group.size(), runImages));
    try {
      long t0 = System.nanoTime();
      List<GenerationPipeline.Request> requests = group.stream().map(j -> new GenerationPipeline.Request(j.request.prompt(),
          j.request.count(), j.request.seed())).toList();
      List<Images> images = generator.generateAll(requests, (done, total) -> {
        for (Job j : group) {
          if (j.cancelRequested() && !j.state().finished()) {
            j.cancelled(); // at once; the run goes on for the others and its images are dropped
          }
        }
        if (group.stream().allMatch(Job::cancelRequested)) {
          throw new Cancelled();
        }
        group.forEach(j -> {
          if (!j.state().finished()) {
            j.progress(done, total);
          }
        });
      });
      int drawn = images.stream().mapToInt(Images::count).sum();
      metrics.generated(drawn, group.size(), (System.nanoTime() - t0) / 1e9);
      for (int i = 0; i < group.size(); i++) {
        Job job = group.get(i);
        if (job.cancelRequested()) {
          if (!job.state().finished()) {
            job.cancelled();
          }
          continue;
        }
        try {
          Files.createDirectories(job.dir);
          GenerationOutput.write(job.dir, images.get(i).run(), images.get(i).batch());
          job.done(images.get(i).count(), images.get(i).run().warnings());
        } catch (IOException | TesseraException e) {
          job.failed("cannot write the job's folder: " + e.getMessage());
        }
      }
    } catch (Cancelled e) {
      group.stream().filter(j -> !j.state().finished()).forEach(Job::cancelled);
    } catch (TesseraException e) {
      group.forEach(j -> finishFailed(j, e.getMessage()));
    } catch (RuntimeException | OutOfMemoryError e) {
      group.forEach(j -> finishFailed(j, "the pipeline failed: " + e));
      warm.drop(r); // it may be left in a bad state: build it afresh next time
    }
    group.forEach(metrics::jobFinished);
  }

  private static void finishFailed(Job job, String why) {
    if (job.state().finished()) {
      return;
    }
    if (job.cancelRequested()) {
      job.cancelled();
    } else {
      job.failed(why);
    }
  }

  /**
   * The first job and those queued for the same pipeline and settings, up to the merged run's
   * image limit, waiting up to the settings' wait for more to arrive (dynamic batching).
   */
  private List<Job> gather(Job first) {
    List<Job> group = new ArrayList<>(List.of(first));
    int images = first.request.count();
    long deadline = System.nanoTime() + settings.maxWait().toNanos();
    String key = first.request.pipelineKey();
    while (images < settings.maxBatch()) {
      boolean added = false;
      for (Job j : List.copyOf(queue)) {
        if (images + j.request.count() <= settings.maxBatch() && j.request.pipelineKey().equals(key) && !j.cancelRequested()
            && queue.remove(j)) {
          group.add(j);
          images += j.request.count();
          added = true;
        }
      }
      long left = deadline - System.nanoTime();
      if (added || left <= 0 || stopping) {
        if (left <= 0 || stopping || images >= settings.maxBatch()) {
          break;
        }
        continue;
      }
      try {
        Thread.sleep(Math.min(5, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return group;
  }

  /** Removes jobs finished more than the retention ago, and the files they wrote (nothing else). */
  private void removeExpired() {
    Instant limit = Instant.now().minus(settings.retention());
    for (Job job : List.copyOf(jobs.values())) {
      if (job.state().finished() && job.finishedAt() != null && job.finishedAt().isBefore(limit)) {
        jobs.remove(job.id);
        deleteFiles(job);
      }
    }
  }

  private static void deleteFiles(Job job) {
    if (!Files.isDirectory(job.dir)) {
      return;
    }
    try {
      OutputFolder.at(job.dir, "job " + job.id, true, GenerationOutput.FILES).prepare();
      Files.deleteIfExists(job.dir);
    } catch (TesseraException | IOException e) {
      // Something not written by the job is in its folder: it stays.
    }
  }

  /**
   * Stops taking jobs, cancels the queued ones, lets the running one finish within {@code grace}
   * (then cancels it), and closes the pipelines.
   */
  @Override
  public void close() {
    accepting = false;
    List<Job> waiting = new ArrayList<>();
    queue.drainTo(waiting);
    for (Job j : waiting) {
      j.cancelled();
      metrics.jobFinished(j);
    }
    stopping = true;
    try {
      worker.join(Math.max(1, settings.shutdownGrace().toMillis()));
      if (worker.isAlive()) {
        jobs.values().forEach(Job::requestCancel);
        worker.join(Duration.ofSeconds(30).toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!worker.isAlive()) {
      warm.close(); // never while the worker may still use a session
    }
  }
}
