package dev.tessera.plugins.clip;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Micro-benchmark of {@link ClipTokenizer#encode}: 10,000 distinct, realistic prompts, encoded with
 * an empty word cache (cold) and again with the cache filled (warm), plus the same work with no
 * cache at all (every word through BPE, the worst case of a stream of new words). Run from the
 * repository root:
 *
 * <pre>
 * mvn -o -q -B -pl plugins/clip test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp plugins/clip/target/test-classes:plugins/clip/target/classes:$(cat plugins/clip/target/test-classpath.txt) \
 *     dev.tessera.plugins.clip.ClipTokenizerBenchmark [prompts]
 * </pre>
 */
public final class ClipTokenizerBenchmark {
  static final String[] ADJECTIVES = {"red", "small", "fluffy", "ancient", "shiny", "wooden", "glowing", "tiny",
      "enormous", "rusty", "golden", "sleepy", "happy", "mysterious", "futuristic", "vintage", "colorful", "dark",
      "snowy", "striped", "transparent", "broken", "elegant", "wild", "cozy", "neon", "marble", "paper", "crystal",
      "muddy"};
  static final String[] NOUNS = {"cat", "dog", "astronaut", "castle", "teapot", "robot", "dragon", "bicycle",
      "lighthouse", "owl", "mushroom", "sneaker", "pullover", "ankle boot", "sailboat", "violin", "cactus", "fox",
      "skyscraper", "waterfall", "bonsai tree", "train", "jellyfish", "cupcake", "knight", "tiger", "umbrella",
      "library", "hot air balloon", "penguin", "guitar", "volcano", "motorcycle", "butterfly", "chess board",
      "coffee cup", "windmill", "submarine", "raccoon", "treehouse"};
  static final String[] PLACES = {"on the moon", "in a forest", "under the sea", "in Paris", "on a beach at sunset",
      "in a busy street", "on a snowy mountain", "in a kitchen", "in outer space", "in the desert", "at night",
      "in the rain", "on a table", "in Tokyo", "in a museum", "next to a river", "in a field of flowers",
      "inside a cave", "on a rooftop", "in New York"};
  static final String[] STYLES = {"digital art", "oil painting", "watercolor", "photorealistic", "pixel art",
      "studio lighting", "4k", "trending on artstation", "by Van Gogh", "low poly", "35mm film", "isometric",
      "anime style", "pencil sketch", "cinematic"};
  static final String[] TEMPLATES = {
      "a photo of a %1$s %2$s",
      "a %1$s %2$s %3$s, %4$s",
      "An illustration of %5$d %1$s %2$ss %3$s",
      "a close-up photo of the %1$s %2$s, %4$s, %6$s",
      "%1$s %2$s %3$s. %4$s, highly detailed",
      "a black and white photo of a %2$s %3$s",
      "A %4$s of a %1$s %2$s playing with a %7$s %3$s",
      "there's a %1$s %2$s %3$s; it's %7$s & %1$s",
  };

  private ClipTokenizerBenchmark() {}

  static List<String> prompts(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Set<String> out = new LinkedHashSet<>();
    while (out.size() < count) {
      String t = TEMPLATES[rng.nextInt(TEMPLATES.length)];
      out.add(String.format(Locale.ROOT, t, pick(rng, ADJECTIVES), pick(rng, NOUNS), pick(rng, PLACES),
          pick(rng, STYLES), 2 + rng.nextInt(99), pick(rng, STYLES), pick(rng, ADJECTIVES)));
    }
    return new ArrayList<>(out);
  }

  private static String pick(SplittableRandom rng, String[] words) {
    return words[rng.nextInt(words.length)];
  }

  /** Encodes every prompt once; returns prompts per second. */
  static double pass(ClipTokenizer tokenizer, List<String> prompts) {
    long sink = 0;
    long start = System.nanoTime();
    for (String p : prompts) {
      sink += tokenizer.encode(p).length();
    }
    long nanos = System.nanoTime() - start;
    if (sink == 42) {
      System.out.print("");
    }
    return prompts.size() / (nanos / 1e9);
  }

  /** Clean-up, pre-tokenising and BPE of every word, without the cache; returns prompts per second. */
  static double uncachedPass(BytePairEncoder bpe, List<String> prompts) {
    long sink = 0;
    long start = System.nanoTime();
    for (String p : prompts) {
      for (String piece : ClipPreTokenizer.split(ClipTextCleaner.clean(p))) {
        sink += bpe.encode(piece.getBytes(java.nio.charset.StandardCharsets.UTF_8)).length;
      }
    }
    long nanos = System.nanoTime() - start;
    if (sink == 42) {
      System.out.print("");
    }
    return prompts.size() / (nanos / 1e9);
  }

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    List<String> prompts = prompts(count, 7);
    long tokens = 0;

    long start = System.nanoTime();
    ClipTokenizer first = new ClipTokenizer();
    first.encode("");
    double loadMs = (System.nanoTime() - start) / 1e6;
    double coldFirst = pass(first, prompts);
    for (String p : prompts) {
      tokens += first.encode(p).length();
    }
    double warmFirst = pass(first, prompts);

    // Again with the JIT warmed up: a fresh tokenizer (empty cache), then warm passes.
    ClipTokenizer second = new ClipTokenizer();
    second.encode("");
    double cold = pass(second, prompts);
    double warm = 0;
    for (int i = 0; i < 5; i++) {
      warm = Math.max(warm, pass(second, prompts));
    }
    BytePairEncoder bpe = ClipTokenizerTest.mergesOf(second);
    double uncached = 0;
    for (int i = 0; i < 3; i++) {
      uncached = Math.max(uncached, uncachedPass(bpe, prompts));
    }
    System.out.printf(Locale.ROOT, "%d distinct prompts, %.1f tokens each on average, %d words cached%n",
        prompts.size(), tokens / (double) prompts.size(), second.cachedWords());
    System.out.printf(Locale.ROOT, "merges loaded in %.0f ms (first use, fresh JVM)%n", loadMs);
    System.out.printf(Locale.ROOT, "fresh JVM:  cold %,.0f prompts/s, warm %,.0f prompts/s%n", coldFirst, warmFirst);
    System.out.printf(Locale.ROOT, "JIT warmed: cold %,.0f prompts/s, warm %,.0f prompts/s (best of 5)%n", cold, warm);
    System.out.printf(Locale.ROOT, "JIT warmed, no cache (BPE of every word): %,.0f prompts/s (best of 3)%n", uncached);
  }
}
