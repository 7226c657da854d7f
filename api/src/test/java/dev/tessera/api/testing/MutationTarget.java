package dev.tessera.api.testing;

import dev.tessera.api.TesseraException;
import java.util.SplittableRandom;

/**
 * A {@link FuzzTarget} whose inputs are plain {@link Mutation}s, built from a damage function and
 * a read action, for formats whose correct reading can be checked from the damaged bytes alone.
 */
public record MutationTarget(
    String format, String nameInMessages, Class<? extends TesseraException> refusal, byte[] valid, Damage damager, Read reader)
    implements FuzzTarget<Mutation> {
  /** Damages a valid file. */
  @FunctionalInterface
  public interface Damage {
    Mutation damage(SplittableRandom random) throws Exception;
  }

  /** Writes and reads a damaged file; see {@link FuzzTarget#read}. */
  @FunctionalInterface
  public interface Read {
    void read(Mutation damaged) throws Exception;
  }

  @Override
  public Mutation intact() {
    return new Mutation("intact", valid.clone());
  }

  @Override
  public Mutation damage(SplittableRandom random) throws Exception {
    return damager.damage(random);
  }

  @Override
  public String describe(Mutation input) {
    return input.toString();
  }

  @Override
  public void read(Mutation input) throws Exception {
    reader.read(input);
  }
}
