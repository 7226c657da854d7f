package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.testing.FuzzTarget;
import dev.tessera.api.testing.HostileFileTest;
import dev.tessera.api.testing.Mutation;
import dev.tessera.api.testing.MutationTarget;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Damaged safetensors files ({@link SafeTensorsDamage}), each read from a path and from a stream:
 * both ways give the same contents or the same {@link WeightsFormatException}, and accepted
 * contents are exactly what the header says.
 */
class SafeTensorsFuzzTest extends HostileFileTest {
  private static final String STREAM_NAME = "jar/model.safetensors";

  @Override
  protected int cases() {
    return 250;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) {
    byte[] valid = SafeTensors.toBytes(SafeTensorsTest.sample(), new TreeMap<>(Map.of("format", "pt", "step", "12")));
    Path file = dir.resolve("fuzz.safetensors");
    return new MutationTarget("safetensors", file.toString(), WeightsFormatException.class, valid,
        random -> SafeTensorsDamage.any(valid, random), damaged -> readBothWays(file, damaged));
  }

  private static void readBothWays(Path file, Mutation damaged) throws Exception {
    Files.write(file, damaged.bytes());
    Outcome fromFile = Outcome.of(() -> SafeTensors.read(file));
    Outcome fromStream = Outcome.of(() -> SafeTensors.read(new ByteArrayInputStream(damaged.bytes()), STREAM_NAME));
    for (Outcome o : new Outcome[] {fromFile, fromStream}) {
      if (o.error() != null && !(o.error() instanceof WeightsFormatException)) {
        throw o.error(); // a leak: let the campaign name it
      }
    }
    if (fromFile.error() != null || fromStream.error() != null) {
      String fileProblem = fromFile.problem(file.toString());
      String streamProblem = fromStream.problem(STREAM_NAME);
      assertEquals(fileProblem, streamProblem, "the file and a stream of the same bytes must report the same");
      throw fromFile.error();
    }
    SafeTensorsDamage.assertAsTheHeaderSays(damaged.bytes(), fromFile.contents());
    assertEquals(fromFile.contents(), fromStream.contents(), "the file and a stream of the same bytes");
  }

  /** What one read gave: contents or the exception. */
  private record Outcome(SafeTensors.Contents contents, RuntimeException error) {
    static Outcome of(java.util.function.Supplier<SafeTensors.Contents> read) {
      try {
        return new Outcome(read.get(), null);
      } catch (RuntimeException e) {
        return new Outcome(null, e);
      }
    }

    /** The message without the source name in front ("accepted" when there is none). */
    String problem(String source) {
      return error == null ? "accepted" : error.getMessage().replace(source, "<source>");
    }
  }
}
