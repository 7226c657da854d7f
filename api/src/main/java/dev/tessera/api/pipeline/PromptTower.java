package dev.tessera.api.pipeline;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.spi.ComponentLookup;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The frozen text encoder a text-conditioned pipeline builds into its graph: the tokenizer and
 * encoder named by the nested encoder config ("text_encoder"), a [-1, text_length] token
 * placeholder, and the embedding operand under the encoder's own scope (so its weights load by
 * name). Prompts are checked ({@link PromptCheck}) before they are fed, their unknown words read
 * through the lexicon where it can ({@link UnknownWordReading}).
 */
public final class PromptTower {
  private final Tokenizer tokenizer;
  private final int textLength;
  private final Placeholder<TInt32> tokens;
  private final Operand<TFloat32> embedding;
  private final VocabularyCheck vocabulary;
  private final Encoder.TextStates states;
  private final String encoderName;
  private final KnownCaptions known;
  private final UnknownWordReading reading; // null: unknown words stay unknown
  // prompt -> how it is read, the least recently used dropped past 1,024 (a server's prompts are unbounded); guarded by itself
  private final java.util.Map<String, UnknownWordReading.Reading> readings = new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, UnknownWordReading.Reading> eldest) {
      return size() > 1024;
    }
  };
  private float[][] knownEmbeddings; // computed on first use, guarded by this

  public PromptTower(GraphScope root, ModelConfig encoderConfig, ComponentLookup components) {
    this(root, encoderConfig, components, false);
  }

  private PromptTower(GraphScope root, ModelConfig encoderConfig, ComponentLookup components, boolean withStates) {
    Encoder encoder = components.encoder(encoderConfig.getString("encoder", "clip"));
    this.tokenizer = components.tokenizer(encoderConfig.getString("tokenizer", "clip"));
    this.textLength = encoderConfig.getPositiveInt("text_length", tokenizer.contextLength());
    this.tokens = root.tf().withName("tokens").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, textLength)));
    GraphScope scope = root.child(encoderConfig.getString("scope", "clip"));
    this.states = withStates ? encoder.encodeTextStates(scope, encoderConfig, tokens) : null;
    this.embedding = withStates ? states.embedding() : encoder.encodeText(scope, encoderConfig, tokens);
    this.vocabulary = new VocabularyCheck(encoder.name(), tokenizer, encoder.knownTokens(encoderConfig), VocabularyCheck.captionWords(encoderConfig));
    this.encoderName = encoder.name();
    this.known = KnownCaptions.of(encoderConfig);
    this.reading = UnknownWordReading.of(vocabulary, known, components.lexicon());
  }

  /** A tower that also gives the per-token states and their mask ({@link #states}), for cross-attention. */
  public static PromptTower withStates(GraphScope root, ModelConfig encoderConfig, ComponentLookup components) {
    return new PromptTower(root, encoderConfig, components, true);
  }

  /** The fed tokens' per-token states, mask and embedding; only from {@link #withStates}. */
  public Encoder.TextStates states() {
    if (states == null) {
      throw new IllegalStateException("this prompt tower was built without per-token states: use PromptTower.withStates");
    }
    return states;
  }

  /**
   * What the text encoder cannot read in the prompt, one line each: the unknown words it reads
   * through the lexicon and what as ({@link #read}), the unknown words it cannot read
   * ({@link VocabularyCheck#warnings}); and, where the prompt as read has no unknown word left,
   * whether it lies far from every caption the encoder was trained on ({@link KnownCaptions};
   * encoders without known captions are not checked). Runs the text tower in {@code session}.
   */
  public java.util.List<String> warnings(Session session, String prompt) {
    UnknownWordReading.Reading r = read(session, prompt);
    String read = r.prompt();
    java.util.List<String> unknown = vocabulary.unknownWords(read);
    java.util.List<String> lines = new java.util.ArrayList<>(reading == null ? vocabulary.warnings(read) : reading.warnings(r));
    if (known == null || !unknown.isEmpty() || read == null || read.isBlank()) {
      return java.util.List.copyOf(lines);
    }
    String far = farPart(session, read);
    if (far != null) {
      lines.add(far);
    }
    return java.util.List.copyOf(lines);
  }

  /**
   * The prompt as the text encoder gets it: its unknown words read through the lexicon
   * ({@link UnknownWordReading}) when the prompt as read lies within the encoder's world (no
   * positively weighted part far from every known caption), else unchanged: a reading that would
   * take the prompt out of that world is not taken, and the word stays unknown. Without a lexicon or
   * known captions: unchanged.
   */
  public UnknownWordReading.Reading read(Session session, String prompt) {
    UnknownWordReading.Reading unchanged = new UnknownWordReading.Reading(prompt, java.util.List.of());
    if (reading == null || prompt == null || prompt.isBlank()) {
      return unchanged;
    }
    synchronized (readings) {
      UnknownWordReading.Reading cached = readings.get(prompt);
      if (cached != null) {
        return cached;
      }
    }
    UnknownWordReading.Reading r = reading.read(prompt);
    // With words left unknown the embedding says little about the world, so the reading is kept.
    boolean outOfWorld = !r.read().isEmpty() && vocabulary.unknownWords(r.prompt()).isEmpty() && farPart(session, r.prompt()) != null;
    if (outOfWorld) {
      r = unchanged;
    }
    synchronized (readings) {
      readings.put(prompt, r);
    }
    return r;
  }

  /** The warning for the first positively weighted part of a prompt that lies far from every known caption, or null. */
  private String farPart(Session session, String prompt) {
    // Each positively weighted part of a weighted prompt ("a sneaker:1|a bag:-0.3") on its own; a
    // prompt that cannot be read (too long, malformed) is left to the pipeline to refuse.
    try {
      dev.tessera.api.types.WeightedPrompts parts = dev.tessera.api.types.WeightedPrompts.parse(prompt);
      for (int i = 0; i < parts.prompts().size(); i++) {
        if (parts.weights()[i] > 0) {
          String far = known.warning(encoderName, nearestKnownCaption(session, parts.prompts().get(i)));
          if (far != null) {
            return parts.prompts().size() == 1 ? far : "\"" + parts.prompts().get(i) + "\": " + far;
          }
        }
      }
    } catch (dev.tessera.api.TesseraException e) {
      // not checked
    }
    return null;
  }

  /** The training caption nearest the prompt (as given: not read); only for an encoder with known captions. */
  public KnownCaptions.Nearest nearestKnownCaption(Session session, String prompt) {
    if (known == null) {
      throw new IllegalStateException("this text encoder lists no known captions");
    }
    float[][] references;
    synchronized (this) {
      if (knownEmbeddings == null) {
        knownEmbeddings = rows(session, known.captions());
      }
      references = knownEmbeddings;
    }
    return known.nearest(rows(session, java.util.List.of(prompt))[0], references);
  }

  /** The embeddings of several prompts as given (not read), one row each. */
  private float[][] rows(Session session, java.util.List<String> prompts) {
    int chunk = 256;
    float[][] out = new float[prompts.size()][];
    for (int from = 0; from < prompts.size(); from += chunk) {
      java.util.List<String> part = prompts.subList(from, Math.min(prompts.size(), from + chunk));
      try (TInt32 t = checkedTokens(part); Result r = session.runner().feed(tokens, t).fetch(embedding).run()) {
        float[] e = Tensors.toFloats(r.get(0));
        int width = e.length / part.size();
        for (int i = 0; i < part.size(); i++) {
          out[from + i] = java.util.Arrays.copyOfRange(e, i * width, (i + 1) * width);
        }
      }
    }
    return out;
  }

  /** [N, E] text embeddings of the fed tokens, for use inside the graph. */
  public Operand<TFloat32> embedding() {
    return embedding;
  }

  /** The prompt's checked, padded ids, its unknown words read ({@link #read}), as a [1, text_length] tensor for {@link #feed}; close it. */
  public TInt32 tokensOf(Session session, String prompt) {
    return checkedTokens(java.util.List.of(read(session, prompt).prompt()));
  }

  /** Several prompts' checked, padded ids, each read ({@link #read}), as a [P, text_length] tensor for {@link #feed}; close it. */
  public TInt32 tokensOf(Session session, java.util.List<String> prompts) {
    return checkedTokens(prompts.stream().map(p -> read(session, p).prompt()).toList());
  }

  private TInt32 checkedTokens(java.util.List<String> prompts) {
    int[] ids = new int[prompts.size() * textLength];
    for (int i = 0; i < prompts.size(); i++) {
      System.arraycopy(PromptCheck.tokens(tokenizer, prompts.get(i), textLength).ids(), 0, ids, i * textLength, textLength);
    }
    return Tensors.ints(new long[] {prompts.size(), textLength}, ids);
  }

  public Session.Runner feed(Session.Runner runner, TInt32 promptTokens) {
    return runner.feed(tokens, promptTokens);
  }

  /** The prompt's embedding, its unknown words read ({@link #read}), [1, E]. */
  public Embedding embed(Session session, String prompt) {
    float[] e = rows(session, java.util.List.of(read(session, prompt).prompt()))[0];
    return new Embedding(1, e.length, e);
  }
}
