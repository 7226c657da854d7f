package dev.tessera.runtime.data;

import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The nouns of WordNet 3.0 (Princeton; the Debian package {@code wordnet-base}, in
 * {@code /usr/share/wordnet}), read from its {@code data.noun} file: each synset's lemmas, gloss,
 * hypernyms ("@", "@i") and hyponyms ("~", "~i"). A real lexical database, so that captions can
 * name the kinds of coat, bag or shoe and define them in words nobody wrote for this project.
 *
 * <p>Format ({@code wndb(5)}): {@code offset lex_filenum ss_type w_cnt(hex) [word lex_id]...
 * p_cnt(3 digits) [symbol offset pos source/target]... | gloss}; lines starting with two spaces are
 * the licence header.
 */
public final class WordNet {
  /** Where Debian's wordnet-base puts the database. */
  public static final Path DEBIAN = Path.of("/usr/share/wordnet");

  /**
   * One synset.
   *
   * @param offset its byte offset in data.noun: the synset's id
   * @param lemmas its words, lower case, underscores as spaces ("trench coat")
   * @param gloss its definition, without the example sentences
   */
  public record Synset(long offset, List<String> lemmas, String gloss, List<Long> hypernyms, List<Long> hyponyms) {}

  private final Map<Long, Synset> synsets;
  private final Map<String, List<Long>> senses;
  private final Map<String, Integer> tagged;
  private final Path source;

  private WordNet(Map<Long, Synset> synsets, Map<String, List<Long>> senses, Map<String, Integer> tagged, Path source) {
    this.synsets = synsets;
    this.senses = senses;
    this.tagged = tagged;
    this.source = source;
  }

  /** The nouns of the database in {@code folder} (holding data.noun and index.noun). */
  public static WordNet load(Path folder) {
    Path file = folder.resolve("data.noun");
    List<String> lines = lines(folder, "data.noun");
    List<String> index = lines(folder, "index.noun");
    Map<Long, Synset> synsets = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("  ") || line.isBlank()) {
        continue; // licence header
      }
      try {
        Synset s = parse(line);
        synsets.put(s.offset(), s);
      } catch (RuntimeException e) {
        throw new TesseraException(file + " line " + (i + 1) + ": not a WordNet synset (" + e.getMessage() + ")", e);
      }
    }
    Map<String, List<Long>> senses = new HashMap<>();
    Map<String, Integer> tagged = new HashMap<>();
    for (int i = 0; i < index.size(); i++) {
      String line = index.get(i);
      if (line.startsWith("  ") || line.isBlank()) {
        continue;
      }
      try {
        // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
        String[] f = line.strip().split(" +");
        int count = Integer.parseInt(f[2]);
        List<Long> offsets = new ArrayList<>();
        for (int k = f.length - count; k < f.length; k++) {
          offsets.add(Long.parseLong(f[k]));
        }
        String lemma = f[0].replace('_', ' ').toLowerCase(Locale.ROOT);
        senses.put(lemma, List.copyOf(offsets));
        tagged.put(lemma, Integer.parseInt(f[f.length - count - 1]));
      } catch (RuntimeException e) {
        throw new TesseraException(folder.resolve("index.noun") + " line " + (i + 1) + ": not a WordNet index entry (" + e.getMessage() + ")", e);
      }
    }
    return new WordNet(Map.copyOf(synsets), Map.copyOf(senses), Map.copyOf(tagged), file);
  }

  private static List<String> lines(Path folder, String name) {
    Path file = folder.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new TesseraException("no WordNet in " + folder + " (expected " + name + "): apt-get install wordnet-base");
    }
    try {
      return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new TesseraException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The synsets a lemma names, most frequent sense first (index.noun's order); empty when WordNet
   * does not know it as a noun.
   */
  public List<Long> senses(String lemma) {
    return senses.getOrDefault(lemma.toLowerCase(Locale.ROOT), List.of());
  }

  /**
   * The senses of a lemma in common use: where WordNet counted the lemma's senses in its tagged
   * texts (index.noun's tagsense_cnt), only the senses it found there, most frequent first ("cat":
   * the feline, not "a spiteful woman gossip"); else all of them.
   */
  public List<Long> commonSenses(String lemma) {
    List<Long> all = senses(lemma);
    int counted = tagged.getOrDefault(lemma.toLowerCase(Locale.ROOT), 0);
    return counted > 0 && counted < all.size() ? all.subList(0, counted) : all;
  }

  /** The database at {@link #DEBIAN}. */
  public static WordNet debian() {
    return load(DEBIAN);
  }

  static Synset parse(String line) {
    int bar = line.indexOf(" | ");
    String head = bar < 0 ? line : line.substring(0, bar);
    String gloss = bar < 0 ? "" : line.substring(bar + 3).strip();
    int quote = gloss.indexOf("; \"");
    if (quote >= 0) {
      gloss = gloss.substring(0, quote); // example sentences follow the definition
    }
    String[] f = head.strip().split(" +");
    long offset = Long.parseLong(f[0]);
    if (!f[2].equals("n")) {
      throw new IllegalArgumentException("synset type '" + f[2] + "', expected n");
    }
    int words = Integer.parseInt(f[3], 16);
    List<String> lemmas = new ArrayList<>();
    int at = 4;
    for (int w = 0; w < words; w++) {
      String lemma = f[at].replaceAll("\\(.*\\)$", ""); // adjective markers such as (a) never occur in nouns, but are allowed
      lemmas.add(lemma.replace('_', ' ').toLowerCase(Locale.ROOT));
      at += 2;
    }
    int pointers = Integer.parseInt(f[at++]);
    List<Long> up = new ArrayList<>();
    List<Long> down = new ArrayList<>();
    for (int p = 0; p < pointers; p++) {
      String symbol = f[at];
      long target = Long.parseLong(f[at + 1]);
      String pos = f[at + 2];
      if (pos.equals("n")) {
        if (symbol.equals("@") || symbol.equals("@i")) {
          up.add(target);
        } else if (symbol.equals("~") || symbol.equals("~i")) {
          down.add(target);
        }
      }
      at += 4;
    }
    return new Synset(offset, List.copyOf(lemmas), gloss, List.copyOf(up), List.copyOf(down));
  }

  /** The synset at {@code offset}; an error naming the file when there is none. */
  public Synset synset(long offset) {
    Synset s = synsets.get(offset);
    if (s == null) {
      throw new TesseraException(source + " has no noun synset at offset " + String.format("%08d", offset));
    }
    return s;
  }

  /** How many noun synsets the database holds. */
  public int size() {
    return synsets.size();
  }

  /**
   * The synsets below {@code offset}, down to {@code depth} levels of hyponyms (1: its direct
   * hyponyms), each once, nearest first; the synset itself is not included.
   */
  public List<Synset> hyponyms(long offset, int depth) {
    return hyponyms(offset, depth, Set.of());
  }

  /** As {@link #hyponyms(long, int)}, leaving out the synsets of {@code excluded} and everything below them. */
  public List<Synset> hyponyms(long offset, int depth, Set<Long> excluded) {
    Set<Long> seen = new LinkedHashSet<>();
    Deque<long[]> queue = new ArrayDeque<>();
    queue.add(new long[] {offset, 0});
    List<Synset> out = new ArrayList<>();
    while (!queue.isEmpty()) {
      long[] next = queue.poll();
      if (next[1] >= depth) {
        continue;
      }
      for (long child : synset(next[0]).hyponyms()) {
        if (!excluded.contains(child) && seen.add(child)) {
          out.add(synset(child));
          queue.add(new long[] {child, next[1] + 1});
        }
      }
    }
    return out;
  }
}
