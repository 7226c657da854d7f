package dev.tessera.runtime.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Session;

/**
 * A training run's folder: {@code checkpoint.safetensors} (every variable, optimizer state
 * included, plus the step in its metadata), {@code model.safetensors} + {@code config.json} (the
 * weights alone, what inference loads). Every file is written to a temporary file and renamed,
 * so a crash mid-save leaves the previous checkpoint readable.
 */
public final class Checkpoint {
  public static final String CHECKPOINT_FILE = "checkpoint.safetensors";

  /** Every file a training run writes in its folder, temporaries included (for {@code OutputFolder} and {@code --overwrite}). */
  public static final java.util.List<String> FILES = files();

  private static java.util.List<String> files() {
    java.util.List<String> f = new java.util.ArrayList<>(dev.tessera.api.io.ModelWeights.FILES);
    f.addAll(java.util.List.of(CHECKPOINT_FILE, CHECKPOINT_FILE + ".tmp-*", "train-log.csv", "train-log.csv.tmp", "trace-step-[0-9]*.json"));
    return java.util.List.copyOf(f);
  }
  static final String STEP_KEY = "step";

  private Checkpoint() {}

  public static Path file(Path dir) {
    return dir.resolve(CHECKPOINT_FILE);
  }

  public static boolean exists(Path dir) {
    return Files.isRegularFile(file(dir));
  }

  /**
   * Saves the full training state and the model weights at {@code step}. {@code leftOut} names
   * tensors kept in the checkpoint but not in model.safetensors (frozen parts another model ships,
   * listed in the config under {@link ModelWeights#WEIGHTS_FROM_KEY}); model.safetensors holds,
   * under each key of {@code exported}, the value of the variable it maps to (a training-time
   * average of that weight), which is itself left out of the file
   * ({@link dev.tessera.api.train.TrainingGraph#exported}).
   */
  public static void save(Path dir, Session session, VariableStore variables, ModelConfig config, String model, long step, long seed,
      java.util.Set<String> leftOut, java.util.Map<String, String> exported) {
    Parameters all = variables.snapshot(session, VariableStore.EVERYTHING);
    all.metadata().put(STEP_KEY, Long.toString(step));
    all.metadata().put("seed", Long.toString(seed));
    all.metadata().put("model", model);
    Parameters weights = exportAverages(variables.snapshot(session, VariableStore.MODEL_WEIGHTS).without(leftOut), exported);
    weights.metadata().put(STEP_KEY, Long.toString(step));
    weights.metadata().put("model", model);
    // Weights first: if we crash in between, the checkpoint (what --resume reads) is still the old, consistent one.
    new ModelWeights(config, weights).save(dir);
    all.save(file(dir));
  }

  static Parameters exportAverages(Parameters weights, java.util.Map<String, String> exported) {
    if (exported.isEmpty()) {
      return weights;
    }
    Parameters out = weights.without(new java.util.HashSet<>(exported.values()));
    exported.forEach((name, average) -> {
      if (weights.find(name) == null || weights.find(average) == null) {
        throw new TesseraException("cannot export '" + average + "' as '" + name + "': "
            + (weights.find(name) == null ? name : average) + " is not among the model's weights");
      }
      out.put(name, weights.get(average));
    });
    return out;
  }

  /**
   * Deletes the temporary files a save killed mid-write leaves behind ({@code NAME.tmp-HEX} next to
   * the file it was going to replace) and returns how many there were. The files they were to
   * replace are untouched: renaming is the last thing a save does.
   */
  public static int removeStaleTemporaries(Path dir) {
    int removed = 0;
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        // Only the temporaries of the files a save writes: any other file in the folder is the user's.
        boolean ours = name.startsWith(CHECKPOINT_FILE + ".tmp-") || name.startsWith(dev.tessera.api.io.ModelWeights.CONFIG_FILE + ".tmp-")
            || name.startsWith(dev.tessera.api.io.ModelWeights.WEIGHTS_FILE + ".tmp-");
        if (ours && name.matches(".+\\.tmp-[0-9a-f]+") && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
          removed++;
        }
      }
    } catch (java.io.IOException e) {
      throw new TesseraException(dir + ": cannot clean up temporary files: " + e.getMessage(), e);
    }
    return removed;
  }

  /** What {@link #restore} found: the step, and how many averages it started from their weights. */
  public record Restored(long step, int averagesStarted) {}

  /**
   * Loads the full state saved by {@link #save}. For a model that exports averages ({@code exported}: weight name -> average name),
   * an average the checkpoint lacks (a run resumed with an average it did not track before)
   * starts as a copy of its restored weight, as a new average starts from the initial weights.
   */
  public static Restored restore(Path dir, Session session, VariableStore variables, java.util.Map<String, String> exported) {
    Parameters all = Parameters.load(file(dir));
    int started = 0;
    for (java.util.Map.Entry<String, String> e : exported.entrySet()) {
      if (all.find(e.getValue()) == null && all.find(e.getKey()) != null) {
        all.put(e.getValue(), all.get(e.getKey()));
        started++;
      }
    }
    String step = all.metadata().get(STEP_KEY);
    if (step == null) {
      throw new TesseraException(file(dir) + ": not a Tessera checkpoint (no '" + STEP_KEY + "' in its metadata)");
    }
    long parsed;
    try {
      parsed = Long.parseLong(step);
    } catch (NumberFormatException e) {
      throw new TesseraException(file(dir) + ": bad step '" + step + "' in metadata");
    }
    if (parsed < 0) {
      throw new TesseraException(file(dir) + ": bad step " + parsed + " in metadata (a checkpoint's step is 0 or more)");
    }
    variables.load(session, all, VariableStore.EVERYTHING, true);
    return new Restored(parsed, started);
  }
}
