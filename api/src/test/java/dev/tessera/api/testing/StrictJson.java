package dev.tessera.api.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The reference reading of a JSON file that a fuzz test compares an accepted file against: UTF-8
 * only, exactly one value, no repeated keys. A reader that accepts what this refuses has taken a
 * damaged file for a good one.
 */
public final class StrictJson {
  private static final ObjectMapper JSON =
      JsonMapper.builder(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private StrictJson() {}

  /**
   * The tree of {@code bytes}.
   *
   * @throws AssertionError if the bytes are not one well-formed JSON value in UTF-8
   */
  public static JsonNode parse(byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("accepted text that is not UTF-8");
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new AssertionError("accepted an empty file");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new AssertionError("accepted text that is not one well-formed JSON value: " + e.getOriginalMessage());
    }
  }
}
