package dev.tessera.runtime.evaluation;

import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.runtime.data.ImageAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a generator follows attribute words: for each class and each of brightness, pattern and
 * size ({@link ImageAttributes}), the images for "a photo of a dark coat" against those for "a
 * photo of a light coat". A row passes when the generated images differ in the measured direction
 * by at least {@link #REQUIRED_SHARE} of the difference between the real training images that
 * carry those two words in their captions (the class's lowest and highest quarter,
 * {@link ImageAttributes#quartiles}).
 */
public final class AttributeControl {
  /** Share of the real images' difference the generated images must reach. */
  public static final double REQUIRED_SHARE = 0.5;

  /**
   * One class and attribute: mean measures of the real images with the low and the high word, and
   * of the images generated for each word.
   */
  public record Row(int classId, int attribute, double realLow, double realHigh, double generatedLow, double generatedHigh) {
    public double realDifference() {
      return realHigh - realLow;
    }

    public double generatedDifference() {
      return generatedHigh - generatedLow;
    }

    /** Generated difference over real difference: 1 matches the data, 0 ignores the words, negative reverses them. */
    public double ratio() {
      return generatedDifference() / realDifference();
    }

    public boolean passes() {
      return ratio() >= REQUIRED_SHARE;
    }

    public String className() {
      return FashionMnistCaptions.CLASS_PROMPT_NAMES.get(classId);
    }

    public String attributeName() {
      return ImageAttributes.NAMES[attribute];
    }
  }

  private AttributeControl() {}

  /** "a photo of a dark coat": {@code end} 0 for the low word, 1 for the high one. */
  public static String prompt(int classId, int attribute, int end) {
    return "a photo of a " + ImageAttributes.WORDS[attribute][end] + " " + FashionMnistCaptions.CLASS_PROMPT_NAMES.get(classId);
  }

  /** Every class's low and high prompt of every attribute: 60 prompts. */
  public static List<String> prompts() {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < FashionMnistCaptions.CLASS_PROMPT_NAMES.size(); c++) {
      for (int a = 0; a < ImageAttributes.NAMES.length; a++) {
        out.add(prompt(c, a, 0));
        out.add(prompt(c, a, 1));
      }
    }
    return List.copyOf(out);
  }

  /** Mean measures of the real images carrying each attribute word, by [class][attribute][0 low, 1 high]; NaN where none do. */
  public record Reference(double[][][] means) {}

  /** The real side: each class's images in its lowest and highest quarter of each attribute. */
  public static Reference reference(Dataset train) {
    ImageAttributes.Measures[] measures = ImageAttributes.measureAll(train.images());
    int[] labels = train.labels();
    int classes = FashionMnistCaptions.CLASS_PROMPT_NAMES.size();
    double[][][] q = ImageAttributes.quartiles(measures, labels, classes);
    double[][][] sum = new double[classes][3][2];
    int[][][] count = new int[classes][3][2];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        continue;
      }
      for (int a = 0; a < 3; a++) {
        String word = ImageAttributes.word(measures[i], a, q[labels[i]][a]);
        if (word != null) {
          int end = word.equals(ImageAttributes.WORDS[a][0]) ? 0 : 1;
          sum[labels[i]][a][end] += measures[i].get(a);
          count[labels[i]][a][end]++;
        }
      }
    }
    for (int c = 0; c < classes; c++) {
      for (int a = 0; a < 3; a++) {
        for (int end = 0; end < 2; end++) {
          sum[c][a][end] = count[c][a][end] == 0 ? Double.NaN : sum[c][a][end] / count[c][a][end];
        }
      }
    }
    return new Reference(sum);
  }

  /**
   * The rows for the prompts of {@link #prompts} that {@code generated} (prompt: mean measures of its
   * images) has both ends of, in class and attribute order; none when it has no pair.
   */
  public static List<Row> rows(Reference reference, Map<String, ImageAttributes.Measures> generated) {
    List<Row> rows = new ArrayList<>();
    double[][][] real = reference.means();
    for (int c = 0; c < real.length; c++) {
      for (int a = 0; a < 3; a++) {
        ImageAttributes.Measures low = generated.get(prompt(c, a, 0));
        ImageAttributes.Measures high = generated.get(prompt(c, a, 1));
        if (low == null || high == null || Double.isNaN(real[c][a][0]) || Double.isNaN(real[c][a][1])) {
          continue; // not asked, or the data has only one end of it
        }
        rows.add(new Row(c, a, real[c][a][0], real[c][a][1], low.get(a), high.get(a)));
      }
    }
    return List.copyOf(rows);
  }

  /** The mean measures of a batch's images. */
  public static ImageAttributes.Measures mean(dev.tessera.api.types.ImageBatch images) {
    double[] s = new double[3];
    ImageAttributes.Measures[] all = ImageAttributes.measureAll(images);
    for (ImageAttributes.Measures m : all) {
      for (int a = 0; a < 3; a++) {
        s[a] += m.get(a);
      }
    }
    int n = Math.max(1, all.length);
    return new ImageAttributes.Measures(s[0] / n, s[1] / n, s[2] / n);
  }

  /** A markdown table of the rows, one per class and attribute, and how many pass. */
  public static String markdown(List<Row> rows) {
    StringBuilder sb = new StringBuilder("| class | attribute | real: low / high | generated: low / high | generated / real difference | passes |\n"
        + "|---|---|---|---|---:|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s (%s / %s) | %.3f / %.3f | %.3f / %.3f | %.2f | %s |%n", r.className(), r.attributeName(),
          ImageAttributes.WORDS[r.attribute()][0], ImageAttributes.WORDS[r.attribute()][1], r.realLow(), r.realHigh(), r.generatedLow(),
          r.generatedHigh(), r.ratio(), r.passes() ? "yes" : "**no**"));
    }
    long passed = rows.stream().filter(Row::passes).count();
    sb.append(String.format(Locale.ROOT, "%n%d of %d rows pass (generated difference >= %.1f x the real one, same direction).%n", passed,
        rows.size(), REQUIRED_SHARE));
    return sb.toString();
  }
}
