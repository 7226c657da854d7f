package dev.tessera.api.types;

/**
 * What a sample is conditioned on. Any part may be absent (null): a class-conditional prior reads
 * {@code classId}, a text-conditional one the prompt's tokens or embedding.
 */
public record Condition(String prompt, TokenIds tokens, Embedding embedding, Integer classId) {
  public static Condition unconditional() {
    return new Condition(null, null, null, null);
  }

  public static Condition prompt(String prompt) {
    return new Condition(prompt, null, null, null);
  }

  public static Condition classId(int id) {
    return new Condition(null, null, null, id);
  }
}
