package dev.tessera.runtime.pipeline;

import dev.tessera.api.pipeline.GenerationPipeline;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output contract of every pipeline: {@code DIR/images/0000.png ...}, {@code DIR/grid.png}
 * and {@code DIR/manifest.json} (pipeline, prompt, seed, settings, per-image files, timings).
 */
public final class GenerationOutput {
  public static final String MANIFEST = "manifest.json";

  /**
   * Every file {@link #write} (and a vqgan-clip run's {@code frames/}) can leave in its folder,
   * temporary files of a killed run included: what {@code --overwrite} may replace (see {@code OutputFolder}).
   */
  public static final List<String> FILES = List.of(MANIFEST, MANIFEST + ".tmp", "grid.png", ".grid.png.*.tmp", "images/[0-9]*.png",
      "images/.[0-9]*.png.*.tmp", "frames/[0-9]*/[0-9]*.png", "frames/[0-9]*/.[0-9]*.png.*.tmp");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GenerationOutput() {}

  /**
   * What one generate run did, as recorded in the manifest.
   *
   * @param results what the pipeline measured ({@link GenerationPipeline#results}), written as top-level entries
   * @param warnings what the pipeline could not follow in the prompt ({@link GenerationPipeline#warnings}), written as
   *     "warnings" when there are any
   */
  public record Run(String pipeline, String prompt, long seed, Map<String, Object> settings, String weights, long parameters,
      double loadSeconds, double generateSeconds, Map<String, Object> results, List<String> warnings) {
    public Run {
      warnings = List.copyOf(warnings);
    }

    public Run(String pipeline, String prompt, long seed, Map<String, Object> settings, String weights, long parameters, double loadSeconds,
        double generateSeconds) {
      this(pipeline, prompt, seed, settings, weights, parameters, loadSeconds, generateSeconds, Map.of(), List.of());
    }

    /** What a pipeline's last generate call made, as the manifest records it. */
    public static Run of(dev.tessera.api.pipeline.GenerationPipeline p, String prompt, long seed, PipelineSpec spec, double loadSeconds,
        double generateSeconds) {
      return of(p, prompt, seed, spec, loadSeconds, generateSeconds, p.warnings(prompt));
    }

    /** The same with the pipeline's warnings for the prompt already asked for (they were printed before generating). */
    public static Run of(dev.tessera.api.pipeline.GenerationPipeline p, String prompt, long seed, PipelineSpec spec, double loadSeconds,
        double generateSeconds, List<String> warnings) {
      return new Run(p.name(), prompt, seed, p.settings(), spec.weightsDescription(), p.parameterCount(), loadSeconds, generateSeconds,
          p.results(), warnings);
    }
  }

  /** Writes images, grid and manifest; returns the manifest's path. */
  public static Path write(Path dir, Run run, ImageBatch images) {
    return write(dir, run, images, Map.of());
  }

  /**
   * The same, with more entries for the manifest's "timings" (a command's own measurements, such as the seconds from
   * the JVM's start to the first sampling step).
   */
  public static Path write(Path dir, Run run, ImageBatch images, Map<String, Double> moreTimings) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < images.count(); i++) {
      names.add(String.format("%04d.png", i));
    }
    PngImages.writeAll(dir.resolve("images"), images, names);
    PngImages.writeGrid(dir.resolve("grid.png"), images, (int) Math.ceil(Math.sqrt(images.count())));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pipeline", run.pipeline());
    m.put("prompt", run.prompt());
    m.put("seed", run.seed());
    m.put("num_images", images.count());
    m.put("image_size", List.of(images.height(), images.width(), images.channels()));
    m.put("settings", run.settings());
    m.put("weights", run.weights());
    m.put("parameters", run.parameters());
    m.put("images", names.stream().map(n -> "images/" + n).toList());
    m.put("grid", "grid.png");
    if (!run.warnings().isEmpty()) {
      m.put("warnings", run.warnings());
    }
    run.results().forEach((k, v) -> {
      if (m.containsKey(k)) {
        throw new IllegalArgumentException("pipeline result '" + k + "' would overwrite a manifest entry");
      }
      m.put(k, v);
    });
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("load_seconds", round(run.loadSeconds()));
    t.put("generate_seconds", round(run.generateSeconds()));
    t.put("seconds_per_image", round(run.generateSeconds() / images.count()));
    moreTimings.forEach((k, v) -> t.put(k, round(v)));
    m.put("timings", t);
    Path file = dir.resolve(MANIFEST);
    try {
      Path tmp = dir.resolve(MANIFEST + ".tmp");
      JSON.writeValue(tmp.toFile(), m);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /** A manifest as written by {@link #write}: the prompt and the images' paths (resolved), for evaluate and compare. */
  public record Manifest(String pipeline, String prompt, long seed, List<Path> images) {}

  public static Manifest read(Path file) {
    try {
      var root = JSON.readTree(file.toFile());
      if (root == null || !root.isObject() || !root.path("images").isArray() || !root.path("prompt").isTextual()) {
        throw new TesseraException(file + ": not a Tessera manifest (needs 'prompt' and an 'images' array)");
      }
      Path base = file.toAbsolutePath().getParent();
      List<Path> images = new ArrayList<>();
      for (var n : root.get("images")) {
        if (!n.isTextual()) {
          throw new TesseraException(file + ": 'images' must list file names, got " + n);
        }
        Path p = base.resolve(n.asText()).normalize();
        if (!p.startsWith(base)) {
          throw new TesseraException(file + ": image path '" + n.asText() + "' leaves the manifest's folder");
        }
        images.add(p);
      }
      return new Manifest(root.path("pipeline").asText(""), root.get("prompt").asText(), root.path("seed").asLong(0), images);
    } catch (IOException e) {
      throw new TesseraException(file + ": cannot read manifest: " + e.getMessage());
    }
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
