package dev.tessera.runtime.server;

import dev.tessera.api.TesseraException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@code tessera serve} runs: where it listens, where job outputs go, and the limits every
 * request is held to.
 *
 * @param host address to listen on; anything but a loopback address needs a {@code token}
 * @param port 0 picks a free port
 * @param outputDir jobs are written to {@code outputDir/jobs/<id>/} as {@code generate} writes a folder
 * @param queueCapacity jobs waiting (not counting the one running); a full queue answers 503
 * @param maxCount images per job
 * @param maxSteps the largest "steps" or "iterations" option a job may ask for
 * @param maxPromptChars characters of a prompt
 * @param maxBodyBytes bytes of a request body
 * @param token bearer token every request must carry (null: none, loopback only)
 * @param retention finished jobs (and their files) are removed this long after they finish
 * @param warmPipelines how many built pipelines stay open (least recently used closed first)
 * @param warmAtStart pipelines built before the server answers
 * @param shutdownGrace how long a running job may go on after a stop is asked for before it is cancelled
 * @param maxBatch images one merged run may draw: queued jobs for the same pipeline and settings
 *     are merged up to this many images (1: no merging)
 * @param maxWait how long a job may wait for others to merge with before its run starts
 */
public record ServerSettings(String host, int port, Path outputDir, int queueCapacity, int maxCount, int maxSteps, int maxPromptChars,
    long maxBodyBytes, String token, Duration retention, int warmPipelines, List<String> warmAtStart, Duration shutdownGrace, int maxBatch,
    Duration maxWait) {

  public ServerSettings {
    warmAtStart = List.copyOf(warmAtStart);
    positive("--queue", queueCapacity);
    positive("--max-count", maxCount);
    positive("--max-steps", maxSteps);
    positive("--max-prompt-chars", maxPromptChars);
    positive("--max-body-bytes", maxBodyBytes);
    positive("--warm", warmPipelines);
    positive("--max-batch", maxBatch);
    if (maxWait.isNegative()) {
      throw new TesseraException("--max-wait-ms must be 0 or more, got " + maxWait.toMillis());
    }
    if (port < 0 || port > 65535) {
      throw new TesseraException("--port must be in [0, 65535], got " + port);
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (token == null && !isLoopback(host)) {
      throw new TesseraException("--host " + host + " is not a loopback address: anyone who can reach it could use the server; pass --token "
          + "(or set $" + ENV_TOKEN + ") so that every request must carry it");
    }
  }

  /** The environment variable a token may come from instead of {@code --token} (kept out of process listings). */
  public static final String ENV_TOKEN = "TESSERA_SERVER_TOKEN";

  /** Loopback only, the defaults of {@code tessera serve}, writing to {@code outputDir}. */
  public static ServerSettings defaults(Path outputDir) {
    return new ServerSettings("127.0.0.1", 8080, outputDir, 32, 16, 1000, 500, 64 * 1024, null, Duration.ofHours(1), 4, List.of(),
        Duration.ofSeconds(30), 16, Duration.ofMillis(50));
  }

  public ServerSettings withPort(int p) {
    return new ServerSettings(host, p, outputDir, queueCapacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, token, retention,
        warmPipelines, warmAtStart, shutdownGrace, maxBatch, maxWait);
  }

  public ServerSettings withQueue(int capacity) {
    return new ServerSettings(host, port, outputDir, capacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, token, retention,
        warmPipelines, warmAtStart, shutdownGrace, maxBatch, maxWait);
  }

  public ServerSettings withToken(String t) {
    return new ServerSettings(host, port, outputDir, queueCapacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, t, retention,
        warmPipelines, warmAtStart, shutdownGrace, maxBatch, maxWait);
  }

  public ServerSettings withRetention(Duration r) {
    return new ServerSettings(host, port, outputDir, queueCapacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, token, r,
        warmPipelines, warmAtStart, shutdownGrace, maxBatch, maxWait);
  }

  public ServerSettings withWarmAtStart(List<String> pipelines) {
    return new ServerSettings(host, port, outputDir, queueCapacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, token, retention,
        warmPipelines, pipelines, shutdownGrace, maxBatch, maxWait);
  }

  public ServerSettings withBatching(int images, Duration wait) {
    return new ServerSettings(host, port, outputDir, queueCapacity, maxCount, maxSteps, maxPromptChars, maxBodyBytes, token, retention,
        warmPipelines, warmAtStart, shutdownGrace, images, wait);
  }

  static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false; // all interfaces
    }
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new TesseraException("--host " + host + ": unknown host");
    }
  }

  private static void positive(String flag, long value) {
    if (value < 1) {
      throw new TesseraException(flag + " must be at least 1, got " + value);
    }
  }
}
