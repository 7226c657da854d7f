package dev.tessera.api.testing;

import dev.tessera.api.TesseraException;
import java.util.SplittableRandom;

/**
 * One file format under fuzzing: how to damage a valid file of it, and how the application reads
 * it. {@link FuzzCampaign} runs many seeded cases and judges each outcome.
 *
 * @param <C> one damaged input: usually a {@link Mutation}, or a record that also carries what a
 *     correct read must return
 */
public interface FuzzTarget<C> {
  /** The format's name in reports and failure messages, e.g. "safetensors". */
  String format();

  /** The valid file, undamaged: it must be accepted (and its first read warms the reader up). */
  C intact();

  /** Damages a valid file; everything random comes from {@code random}, so a seed replays the case. */
  C damage(SplittableRandom random) throws Exception;

  /** What was done to the file, for the failure message. */
  String describe(C input);

  /**
   * Writes the input where the reader expects it and reads it the way the application does.
   * Returns normally when the file was accepted, after checking that the result is what the bytes
   * say (an {@link AssertionError} otherwise: a silently wrong result); throws the reader's
   * exception when it was refused.
   */
  void read(C input) throws Exception;

  /** Text every refusal's message must contain: the file (or folder) name. */
  String nameInMessages();

  /** The exception a refusal must be (or extend). */
  default Class<? extends TesseraException> refusal() {
    return TesseraException.class;
  }
}
