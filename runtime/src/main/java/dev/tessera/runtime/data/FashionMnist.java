package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads Fashion-MNIST (70,000 28x28 grayscale clothing images in 10 classes) from its IDX files.
 *
 * <p>The directory is, in order of precedence: an explicit path (the CLI's {@code --dataset DIR}),
 * the environment variable {@value #ENV_VAR}, or {@link #DEFAULT_DIR} where the
 * {@code dataset-fashion-mnist} package installs it. Files may be gzipped or not.
 */
public final class FashionMnist {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Environment variable that overrides {@link #DEFAULT_DIR}. */
  public static final String ENV_VAR = "TESSERA_FASHION_MNIST";

  public static final int NUM_CLASSES = 10;

  /**
   * The ten classes' names, one set wherever Tessera shows or reads them: labels, reports, the
   * evaluator's and CLIP's outputs, and the prompts ("a photo of a ankle boot": the captions' one
   * template article, which the default CLIP was trained on).
   */
  public static final List<String> CLASS_NAMES = List.of(
      "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");

  /** The data set's own label names, which runs trained before 2026-12-07 recorded; read as {@link #CLASS_NAMES}. */
  public static final List<String> ORIGINAL_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** {@code names} with the data set's original label names replaced by the display names (others unchanged). */
  public static List<String> displayNames(List<String> names) {
    return names.equals(ORIGINAL_NAMES) ? CLASS_NAMES : names;
  }

  /** The two standard splits: 60,000 training and 10,000 test images. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    public String imagesFileName() {
      return prefix + "-images-idx3-ubyte";
    }

    public String labelsFileName() {
      return prefix + "-labels-idx1-ubyte";
    }
  }

  private static final String INSTALL_HINT =
      "install it with `apt-get install dataset-fashion-mnist`, set " + ENV_VAR
          + ", or pass --dataset DIR";

  private FashionMnist() {}

  /** The directory to use: {@code explicit} if non-null, else {@value #ENV_VAR}, else the default. */
  public static Path resolveDir(Path explicit) {
    if (explicit != null) {
      return explicit;
    }
    String env = System.getenv(ENV_VAR);
    return env != null && !env.isBlank() ? Path.of(env.trim()) : DEFAULT_DIR;
  }

  /** Loads {@code split} from the default (or environment-configured) directory. */
  public static Dataset load(Split split) {
    return load(null, split);
  }

  /**
   * Loads {@code split} from {@code dir} ({@code null}: see {@link #resolveDir}).
   *
   * @throws DataFormatException if files are missing or malformed, counts differ or a label is
   *     outside 0..9
   */
  public static Dataset load(Path dir, Split split) {
    Path root = resolveDir(dir);
    if (!Files.isDirectory(root)) {
      throw new DataFormatException(
          root, "Fashion-MNIST directory not found; " + INSTALL_HINT);
    }
    Path imagesFile = find(root, split.imagesFileName());
    Path labelsFile = find(root, split.labelsFileName());

    IdxReader.Images images = IdxReader.readImages(imagesFile);
    int[] labels = IdxReader.readLabels(labelsFile);
    if (images.count() != labels.length) {
      throw new DataFormatException(
          imagesFile, "has " + images.count() + " images but " + labelsFile + " has "
              + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= NUM_CLASSES) {
        throw new DataFormatException(
            labelsFile, "label " + labels[i] + " at index " + i + " is outside 0.."
                + (NUM_CLASSES - 1));
      }
    }
    return new Dataset(
        "fashion-mnist-" + split.name().toLowerCase(Locale.ROOT),
        images.toImageBatch(), labels, CLASS_NAMES);
  }

  /** The images file {@link #load(Path, Split)} reads ({@code dir} null: see {@link #resolveDir}). */
  public static Path imagesFile(Path dir, Split split) {
    return find(resolveDir(dir), split.imagesFileName());
  }

  /** {@code name} or {@code name.gz} in {@code dir}, preferring the uncompressed file. */
  private static Path find(Path dir, String name) {
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new DataFormatException(
        dir, "Fashion-MNIST file " + name + "(.gz) not found; " + INSTALL_HINT);
  }
}
