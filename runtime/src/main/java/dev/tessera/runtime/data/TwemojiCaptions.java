package dev.tessera.runtime.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Captions for Twemoji from each emoji's name and short names ("red apple", "dog face") in a
 * few templates. Flags read "flag of egypt" rather than their short code "flag-eg".
 */
public final class TwemojiCaptions implements Captioner {
  public static final List<String> TEMPLATES = List.of("{}", "an emoji of {}", "{} emoji", "an icon of {}", "a cartoon of {}");

  private final List<Twemoji.Emoji> emoji;

  public TwemojiCaptions(List<Twemoji.Emoji> emoji) {
    this.emoji = List.copyOf(emoji);
  }

  /** The phrases that name an emoji: its name and readable short names. */
  public static List<String> names(Twemoji.Emoji e) {
    List<String> out = new ArrayList<>();
    String name = e.name().toLowerCase(Locale.ROOT);
    if (name.endsWith(" flag")) {
      name = "flag of " + name.substring(0, name.length() - " flag".length());
    }
    out.add(name);
    for (String s : e.shortNames()) {
      if (s.startsWith("flag-") || s.length() <= 2) {
        continue; // country codes say nothing to a text encoder
      }
      String words = s.replace('_', ' ').replace('-', ' ').trim();
      if (!words.isEmpty() && !out.contains(words)) {
        out.add(words);
      }
    }
    return out;
  }

  @Override
  public String caption(Dataset data, int index, SplittableRandom random) {
    List<String> names = names(emoji.get(data.labels()[index]));
    String name = names.get(random.nextInt(names.size()));
    return FashionMnistCaptions.fill(TEMPLATES.get(random.nextInt(TEMPLATES.size())), name);
  }
}
