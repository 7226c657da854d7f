package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import dev.tessera.api.io.PngImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Twemoji from the npm package {@code emoji-datasource-twitter} (images CC-BY 4.0 Twitter,
 * metadata MIT): 64x64 RGBA PNGs under {@code img/twitter/64/} and {@code emoji.json} with
 * each emoji's name, short names, category and subcategory. {@code ./tessera setup twemoji}
 * fetches it with {@code npm pack} into {@link #defaultDir()}; nothing is fetched at run time.
 *
 * <p>Images are composited over a white background (RGB). One example per emoji (skin-tone
 * variants are left out); 10% of the emoji, chosen by a hash of their code points, form the
 * held-out TEST split.
 */
public final class Twemoji {
  public static final String ENV_VAR = "TESSERA_TWEMOJI";
  public static final String PACKAGE = "emoji-datasource-twitter@16.0.0";

  /** One emoji: its image file and the words that describe it. */
  public record Emoji(String image, String name, List<String> shortNames, String category, String subcategory) {}

  public enum Split { TRAIN, TEST }

  private Twemoji() {}

  public static Path defaultDir() {
    String env = System.getenv(ENV_VAR);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "tessera", "twemoji");
  }

  /** Held out when the hash of the code points falls in the last tenth. */
  static boolean heldOut(String image) {
    int h = image.hashCode() * 0x9E3779B1;
    return Integer.remainderUnsigned(h, 10) == 0;
  }

  public static List<Emoji> readIndex(Path dir) {
    Path index = dir.resolve("emoji.json");
    if (!Files.isRegularFile(index)) {
      throw new TesseraException(dir + ": no Twemoji data (emoji.json missing): run ./tessera setup twemoji"
          + " (or set " + ENV_VAR + " to a folder holding emoji.json and img/twitter/64/)");
    }
    JsonNode root;
    try {
      if (Files.size(index) > 64L << 20) {
        throw new DataFormatException(index, "larger than 64 MB");
      }
      root = new ObjectMapper().readTree(index.toFile());
    } catch (IOException e) {
      throw new DataFormatException(index, "not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new DataFormatException(index, "expected a JSON array of emoji");
    }
    List<Emoji> out = new ArrayList<>();
    for (JsonNode e : root) {
      if (!e.path("has_img_twitter").asBoolean(false) || !e.path("image").isTextual() || !e.path("name").isTextual()) {
        continue;
      }
      List<String> shortNames = new ArrayList<>();
      e.path("short_names").forEach(n -> shortNames.add(n.asText()));
      out.add(new Emoji(e.get("image").asText(), e.get("name").asText(), shortNames,
          e.path("category").asText(""), e.path("subcategory").asText("")));
    }
    if (out.isEmpty()) {
      throw new DataFormatException(index, "lists no emoji with a Twitter image");
    }
    return out;
  }

  /** What a loaded split's labels are. */
  public enum Labels {
    /** Label i is emoji i of the split; the class names are the emoji's names. */
    EMOJI,
    /**
     * The emoji's subcategory ("animal-mammal", "country-flag", ... from emoji.json): an index into
     * the subcategories of the TRAIN split, sorted by name, whichever split is loaded, so both
     * splits (and every run) number the classes alike. Emoji without a subcategory, and TEST emoji
     * of a subcategory no TRAIN emoji has, are left out: no class could name them.
     */
    SUBCATEGORY
  }

  /** A loaded split: the images, their labels and class names (see {@link Labels}), and the emoji they show. */
  public record Loaded(Dataset data, List<Emoji> emoji) {
    public TwemojiCaptions captions() {
      return new TwemojiCaptions(emoji);
    }
  }

  /** Loads one split at {@code size} x {@code size} RGB (area-averaged from 64x64), label i being emoji i. */
  public static Loaded load(Path dir, Split split, int size) {
    return load(dir, split, size, Labels.EMOJI);
  }

  /** Loads one split at {@code size} x {@code size} RGB (area-averaged from 64x64) with the given labels. */
  public static Loaded load(Path dir, Split split, int size, Labels labels) {
    Path dirOrDefault = dir != null ? dir : defaultDir();
    List<Emoji> all = readIndex(dirOrDefault);
    Path images = dirOrDefault.resolve("img/twitter/64");
    PngImages.PngFolder folder = PngImages.readFolder(images, size, size, 3, PngImages.ResizeMode.BILINEAR);
    Map<String, Integer> row = new HashMap<>();
    for (int i = 0; i < folder.fileNames().size(); i++) {
      row.put(folder.fileNames().get(i), i);
    }
    List<String> subcategories = labels == Labels.SUBCATEGORY ? trainSubcategories(all, row.keySet()) : List.of();
    List<Integer> rows = new ArrayList<>();
    List<Emoji> kept = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    for (Emoji e : all) {
      Integer r = row.get(e.image());
      if (r == null || heldOut(e.image()) != (split == Split.TEST)) {
        continue;
      }
      if (labels == Labels.SUBCATEGORY) {
        int c = java.util.Collections.binarySearch(subcategories, e.subcategory());
        if (c < 0) {
          continue;
        }
        classes.add(c);
      } else {
        classes.add(kept.size());
      }
      rows.add(r);
      kept.add(e);
    }
    if (kept.isEmpty()) {
      throw new DataFormatException(dirOrDefault.resolve("emoji.json"), "no emoji of the " + split.name().toLowerCase(Locale.ROOT)
          + " split has an image in " + images + (labels == Labels.SUBCATEGORY ? " and a subcategory" : ""));
    }
    ImageBatch batch = folder.images().select(rows.stream().mapToInt(Integer::intValue).toArray());
    int[] labelArray = classes.stream().mapToInt(Integer::intValue).toArray();
    String name = "twemoji-" + (labels == Labels.SUBCATEGORY ? "subcategories-" : "") + split.name().toLowerCase(Locale.ROOT);
    List<String> classNames = labels == Labels.SUBCATEGORY ? subcategories
        : kept.stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    return new Loaded(new Dataset(name, batch, labelArray, classNames), kept);
  }

  /** The distinct non-empty subcategories of the TRAIN emoji that have an image, sorted by name. */
  static List<String> trainSubcategories(List<Emoji> all, java.util.Set<String> imageFiles) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (Emoji e : all) {
      if (imageFiles.contains(e.image()) && !heldOut(e.image()) && !e.subcategory().isBlank()) {
        names.add(e.subcategory());
      }
    }
    return List.copyOf(names);
  }
}
