package dev.tessera.runtime.data;

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

  /** A loaded split: the images (label i is emoji i) and the emoji they show. */
  public record Loaded(Dataset data, List<Emoji> emoji) {
    public TwemojiCaptions captions() {
      return new TwemojiCaptions(emoji);
    }
  }

  /** Loads one split at {@code size} x {@code size} RGB (area-averaged from 64x64). */
  public static Loaded load(Path dir, Split split, int size) {
    Path dirOrDefault = dir != null ? dir : defaultDir();
    List<Emoji> all = readIndex(dirOrDefault);
    Path images = dirOrDefault.resolve("img/twitter/64");
    PngImages.PngFolder folder = PngImages.readFolder(images, size, size, 3, PngImages.ResizeMode.BILINEAR);
    Map<String, Integer> row = new HashMap<>();
    for (int i = 0; i < folder.fileNames().size(); i++) {
      row.put(folder.fileNames().get(i), i);
    }
    List<Integer> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Emoji> kept = new ArrayList<>();
    for (Emoji e : all) {
      Integer r = row.get(e.image());
      if (r == null || heldOut(e.image()) != (split == Split.TEST)) {
        continue;
      }
      rows.add(r);
      names.add(e.name().toLowerCase(Locale.ROOT));
      kept.add(e);
    }
    ImageBatch batch = folder.images().select(rows.stream().mapToInt(Integer::intValue).toArray());
    int[] labels = new int[kept.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i;
    }
    return new Loaded(new Dataset("twemoji-" + split.name().toLowerCase(Locale.ROOT), batch, labels, names), kept);
  }
}
