package dev.tessera.runtime.data;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Lexicon;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Which lexicon prompts' unknown words are read through, from {@code TESSERA_LEXICON}: unset or
 * "wordnet", Debian's WordNet ({@link WordNet#DEBIAN}) when it is installed, else none (unset) or an
 * error (asked for by name); "none" to leave unknown words unread; or the folder of a WordNet 3.0
 * database (data.noun, index.noun).
 */
public final class Lexicons {
  /** The environment variable that chooses. */
  public static final String VARIABLE = "TESSERA_LEXICON";

  private Lexicons() {}

  /** The lexicon {@code TESSERA_LEXICON} chooses. */
  public static Lexicon fromEnvironment() {
    return chosen(System.getenv(VARIABLE));
  }

  /** The lexicon a setting chooses (null or blank: the default). */
  public static Lexicon chosen(String setting) {
    if (setting == null || setting.isBlank()) {
      return WordNetLexicon.installedIn(WordNet.DEBIAN) ? new WordNetLexicon(WordNet.DEBIAN) : Lexicon.NONE;
    }
    String s = setting.strip();
    if (s.equalsIgnoreCase("none")) {
      return Lexicon.NONE;
    }
    Path folder;
    try {
      folder = s.equalsIgnoreCase("wordnet") ? WordNet.DEBIAN : Path.of(s);
    } catch (InvalidPathException e) {
      throw new TesseraException(VARIABLE + "='" + s + "' is neither 'wordnet', 'none' nor a folder");
    }
    if (!WordNetLexicon.installedIn(folder)) {
      throw new TesseraException(VARIABLE + "='" + s + "': no WordNet database in " + folder
          + " (expected data.noun and index.noun; apt-get install wordnet-base, or " + VARIABLE + "=none)");
    }
    return new WordNetLexicon(folder);
  }
}
