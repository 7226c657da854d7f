package dev.tessera.runtime.data;

import dev.tessera.api.io.PngImages;
import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a {@code --dataset} value: {@code fashion-mnist}, {@code fashion-mnist-wordnet} (the same
 * images, captioned from WordNet and their attributes), {@code twemoji} (label i is emoji i),
 * {@code twemoji-subcategories} (the same images labelled with their subcategory, for the Twemoji
 * classifier), a folder of IDX files, or a folder of PNGs; with the captions that go with it, when
 * it has any.
 */
public final class DataSources {
  /** A data set and its captioner (null when it has no captions). */
  /**
   * @param imagesFile the IDX file the images were read from as they are (cluster workers read it from
   *     their own disks), or null
   */
  public record Source(Dataset data, Captioner captions, Path imagesFile) {
    public Source(Dataset data, Captioner captions) {
      this(data, captions, null);
    }
  }

  /** Fashion-MNIST captioned from WordNet and the images' attributes ({@link FashionMnistWordNetCaptions}). */
  public static final String FASHION_MNIST_WORDNET = "fashion-mnist-wordnet";
  /** Twemoji labelled with each emoji's subcategory ({@link Twemoji.Labels#SUBCATEGORY}). */
  public static final String TWEMOJI_SUBCATEGORIES = "twemoji-subcategories";

  private DataSources() {}

  public static Source open(String spec, boolean training, int size, int channels) {
    FashionMnist.Split split = training ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST;
    if (spec.equals("fashion-mnist")) {
      Dataset d = FashionMnist.load(null, split);
      return new Source(d, new FashionMnistCaptions(), FashionMnist.imagesFile(null, split));
    }
    if (spec.equals(FASHION_MNIST_WORDNET)) {
      Dataset d = FashionMnist.load(null, split);
      return new Source(d, new FashionMnistWordNetCaptions(d, FashionMnistLexicon.build(WordNet.debian())), FashionMnist.imagesFile(null, split));
    }
    if (spec.equals("twemoji") || spec.equals(TWEMOJI_SUBCATEGORIES)) {
      if (channels != 3) {
        throw new TesseraException("twemoji images are RGB: the model must take 3 channels, its config says " + channels);
      }
      Twemoji.Loaded t = Twemoji.load(null, training ? Twemoji.Split.TRAIN : Twemoji.Split.TEST, size,
          spec.equals("twemoji") ? Twemoji.Labels.EMOJI : Twemoji.Labels.SUBCATEGORY);
      return new Source(t.data(), t.captions());
    }
    Path dir = Path.of(spec);
    if (!Files.isDirectory(dir)) {
      throw new TesseraException("--dataset " + spec + ": not fashion-mnist, " + FASHION_MNIST_WORDNET + ", twemoji, " + TWEMOJI_SUBCATEGORIES
          + ", nor a folder");
    }
    String prefix = training ? "train" : "t10k";
    if (Files.exists(dir.resolve(prefix + "-images-idx3-ubyte")) || Files.exists(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
      Dataset d = FashionMnist.load(dir, split);
      return new Source(d, new FashionMnistCaptions(), FashionMnist.imagesFile(dir, split));
    }
    PngImages.PngFolder f = PngImages.readFolder(dir, size, size, channels, PngImages.ResizeMode.ERROR);
    return new Source(Dataset.unlabeled(dir.getFileName().toString(), f.images()), null);
  }
}
