package dev.tessera.api.testing;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A damaged file: its bytes and a description of the damage (printed when a fuzz case fails, so
 * the case can be understood without replaying it).
 */
public record Mutation(String description, byte[] bytes) {
  /** This damage followed by more, e.g. {@code m.then(b -> ByteMutations.any(b, random))}. */
  public Mutation then(Function<byte[], Mutation> next) {
    Mutation m = next.apply(bytes);
    return new Mutation(description + "; " + m.description(), m.bytes());
  }

  /** The same bytes under a new description prefix, e.g. the file a folder case damaged. */
  public Mutation describedAs(UnaryOperator<String> rename) {
    return new Mutation(rename.apply(description), bytes);
  }

  @Override
  public String toString() {
    return description + " (" + bytes.length + " bytes)";
  }
}
