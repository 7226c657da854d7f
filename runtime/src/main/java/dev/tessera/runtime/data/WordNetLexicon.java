package dev.tessera.runtime.data;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Lexicon;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * WordNet's nouns as a {@link Lexicon}: a phrase's synsets in common use ({@link WordNet#commonSenses},
 * most frequent first), each
 * synset's hypernyms as its broader senses. Inflected forms are found as WordNet's own "morphy"
 * finds them: the exception list ({@code noun.exc}: "feet" -&gt; "foot") and the regular endings
 * ("-s", "-ses", "-xes", "-zes", "-ches", "-shes", "-men", "-ies"). The database is read on first
 * use (about a second), so a prompt without unknown words never pays for it.
 */
public final class WordNetLexicon implements Lexicon {
  private static final String[][] ENDINGS = {
      {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}, {"s", ""}};

  private final Path folder;
  private WordNet wordNet; // loaded on first use, guarded by this
  private Map<String, List<String>> exceptions;

  public WordNetLexicon(Path folder) {
    this.folder = folder;
  }

  /** Whether {@code folder} holds a WordNet database this lexicon can read. */
  public static boolean installedIn(Path folder) {
    return Files.isRegularFile(folder.resolve("data.noun")) && Files.isRegularFile(folder.resolve("index.noun"));
  }

  @Override
  public String name() {
    return "WordNet";
  }

  @Override
  public List<Sense> senses(String phrase) {
    WordNet w = wordNet();
    List<Sense> out = new ArrayList<>();
    Set<Long> seen = new LinkedHashSet<>();
    for (String lemma : baseForms(phrase.toLowerCase(Locale.ROOT).strip())) {
      for (long offset : w.commonSenses(lemma)) {
        if (seen.add(offset)) {
          out.add(sense(w.synset(offset)));
        }
      }
    }
    return out;
  }

  @Override
  public List<Sense> broader(Sense sense) {
    WordNet w = wordNet();
    List<Sense> out = new ArrayList<>();
    for (long up : w.synset(Long.parseLong(sense.id())).hypernyms()) {
      out.add(sense(w.synset(up)));
    }
    return out;
  }

  /** The phrase itself, then its base forms by the exception list, then by the regular endings (of its last word). */
  List<String> baseForms(String phrase) {
    Set<String> out = new LinkedHashSet<>();
    out.add(phrase);
    out.addAll(exceptions().getOrDefault(phrase, List.of()));
    int space = phrase.lastIndexOf(' ');
    String head = phrase.substring(0, space + 1);
    String last = phrase.substring(space + 1);
    for (String base : exceptions().getOrDefault(last, List.of())) {
      out.add(head + base);
    }
    for (String[] e : ENDINGS) {
      if (last.endsWith(e[0]) && last.length() > e[0].length() + 1) {
        out.add(head + last.substring(0, last.length() - e[0].length()) + e[1]);
      }
    }
    return List.copyOf(out);
  }

  private static Sense sense(WordNet.Synset s) {
    return new Sense(Long.toString(s.offset()), s.lemmas(), s.gloss());
  }

  private synchronized WordNet wordNet() {
    if (wordNet == null) {
      wordNet = WordNet.load(folder);
    }
    return wordNet;
  }

  private synchronized Map<String, List<String>> exceptions() {
    if (exceptions == null) {
      Path file = folder.resolve("noun.exc");
      Map<String, List<String>> map = new HashMap<>();
      if (Files.isRegularFile(file)) {
        try {
          for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            String[] f = line.strip().split(" +");
            if (f.length >= 2) {
              List<String> bases = new ArrayList<>();
              for (int i = 1; i < f.length; i++) {
                bases.add(f[i].replace('_', ' '));
              }
              map.put(f[0].replace('_', ' '), List.copyOf(bases));
            }
          }
        } catch (IOException e) {
          throw new TesseraException("cannot read " + file + ": " + e.getMessage(), e);
        }
      }
      exceptions = Map.copyOf(map);
    }
    return exceptions;
  }
}
