package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.data.FashionMnist.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  /** A fake dataset: train split gzipped, test split plain, tiny 6x5 images. */
  private void writeFakeDataset(int trainImages, int[] trainLabels) {
    IdxTestFiles.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), trainImages, 6, 5, true);
    IdxTestFiles.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), trainLabels, true);
    IdxTestFiles.writeImages(dir.resolve("t10k-images-idx3-ubyte"), 2, 6, 5, false);
    IdxTestFiles.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {9, 0}, false);
  }

  private static void assertContains(String message, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(message.contains(phrase), "expected '" + phrase + "' in: " + message);
    }
  }

  @Test
  void loadsBothSplitsGzippedOrNot() {
    writeFakeDataset(4, new int[] {3, 1, 4, 1});

    Dataset train = FashionMnist.load(dir, Split.TRAIN);
    assertEquals("fashion-mnist-train", train.name());
    assertEquals(4, train.size());
    assertArrayEquals(new long[] {4, 6, 5, 1}, train.images().shape());
    assertArrayEquals(new int[] {3, 1, 4, 1}, train.labels());
    assertEquals(FashionMnist.CLASS_NAMES, train.classNames());
    assertEquals((7 * 31 & 0xff) / 255f, train.images().get(1, 0, 1, 0));

    Dataset test = FashionMnist.load(dir, Split.TEST);
    assertEquals(2, test.size());
    assertArrayEquals(new int[] {9, 0}, test.labels());
  }

  @Test
  void classNames() {
    assertEquals(10, FashionMnist.CLASS_NAMES.size());
    assertEquals("t-shirt", FashionMnist.CLASS_NAMES.get(0));
    assertEquals("ankle boot", FashionMnist.CLASS_NAMES.get(9));
    assertEquals(FashionMnist.CLASS_NAMES, FashionMnistCaptions.CLASS_PROMPT_NAMES, "one set of names: shown and prompted");
    assertEquals(FashionMnist.CLASS_NAMES, FashionMnist.displayNames(FashionMnist.ORIGINAL_NAMES), "older runs' names read as today's");
    assertEquals(List.of("a", "b"), FashionMnist.displayNames(List.of("a", "b")));
  }

  @Test
  void countMismatchNamesBothFiles() {
    writeFakeDataset(4, new int[] {1, 2, 3});
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> FashionMnist.load(dir, Split.TRAIN));
    assertContains(e.getMessage(), "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "4 images", "3 labels");
  }

  @Test
  void labelOutOfRange() {
    writeFakeDataset(2, new int[] {1, 10});
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> FashionMnist.load(dir, Split.TRAIN));
    assertContains(e.getMessage(), "train-labels-idx1-ubyte.gz", "label 10 at index 1");
  }

  @Test
  void missingDirectorySaysHowToInstall() {
    Path missing = dir.resolve("no-such-dir");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> FashionMnist.load(missing, Split.TEST));
    assertContains(e.getMessage(), missing.toString(),
        "apt-get install dataset-fashion-mnist", "--dataset DIR");
  }

  @Test
  void missingFileSaysHowToInstall() {
    IdxTestFiles.writeImages(dir.resolve("t10k-images-idx3-ubyte"), 2, 6, 5, false);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> FashionMnist.load(dir, Split.TEST));
    assertContains(e.getMessage(), "t10k-labels-idx1-ubyte", "apt-get install");
  }

  @Test
  void explicitDirectoryWins() {
    assertEquals(dir, FashionMnist.resolveDir(dir));
  }

  @Test
  void loadsRealTestSplitIfInstalled() {
    Path real = FashionMnist.DEFAULT_DIR;
    assumeTrue(Files.exists(real.resolve("t10k-images-idx3-ubyte.gz"))
        || Files.exists(real.resolve("t10k-images-idx3-ubyte")), "Fashion-MNIST not installed");

    Dataset test = FashionMnist.load(real, Split.TEST);

    assertEquals(10_000, test.size());
    assertArrayEquals(new long[] {10_000, 28, 28, 1}, test.images().shape());
    int[] perClass = new int[10];
    for (int label : test.labels()) {
      assertTrue(label >= 0 && label < 10);
      perClass[label]++;
    }
    for (int n : perClass) {
      assertEquals(1000, n); // the test split is balanced
    }
    for (float v : test.images().data()) {
      assertTrue(v >= 0f && v <= 1f);
    }
  }
}
