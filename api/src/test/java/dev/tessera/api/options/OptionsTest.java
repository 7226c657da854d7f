package dev.tessera.api.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An extension's declared options: defaults, values from flags, files and code, and the errors. */
class OptionsTest {
  static final NumberOption STEPS = NumberOption.integer("steps", 1, 100, "sampling steps");
  static final NumberOption SCALE = NumberOption.real("scale", 0, 10, "guidance");
  static final List<OptionSpec> DECLARED = List.of(OptionSpec.integer(STEPS, 50), OptionSpec.number(SCALE, 2),
      OptionSpec.choice("mode", List.of("fast", "slow"), "fast", "how"), OptionSpec.text("name", null, "a name"),
      OptionSpec.bool("clip", false, "clip x0"), OptionSpec.path("init", "a start image"));

  static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  @Test
  void defaultsThenGivenValuesTyped() {
    Options d = Options.of("pipeline 'p'", DECLARED, Map.of());
    assertEquals(50, d.getInt("steps"));
    assertEquals(2.0, d.getDouble("scale"));
    assertEquals("fast", d.getString("mode"));
    assertNull(d.getString("name"));
    assertFalse(d.getBoolean("clip"));
    assertNull(d.getPath("init"));
    assertFalse(d.given("steps"));
    // From the command line everything is text; from code, Java values.
    Options o = Options.of("pipeline 'p'", DECLARED, Map.of("steps", "20", "scale", 1.5f, "mode", "slow", "clip", "true", "init", "a.png"));
    assertEquals(20, o.getInt("steps"));
    assertEquals(1.5, o.getDouble("scale"));
    assertEquals("slow", o.getString("mode"));
    assertTrue(o.getBoolean("clip"));
    assertEquals(Path.of("a.png"), o.getPath("init"));
    assertTrue(o.given("steps"));
  }

  @Test
  void anUndeclaredKeyNamesTheDeclaredOnesAndTheFile() throws Exception {
    TesseraException e = assertThrows(TesseraException.class, () -> Options.of("pipeline 'p'", DECLARED, Map.of("stpes", 3)));
    assertEquals("pipeline 'p' has no option 'stpes' (its options: clip, init, mode, name, scale, steps)", e.getMessage());
    TesseraException f = assertThrows(TesseraException.class,
        () -> Options.of("pipeline 'p'", DECLARED, Map.of("stpes", new FromFile(json("3"), Path.of("/runs"), "p.json"))));
    assertTrue(f.getMessage().startsWith("p.json: pipeline 'p' has no option 'stpes'"), f.getMessage());
    assertEquals("pipeline 'q' has no option 'x' (it takes none)",
        assertThrows(TesseraException.class, () -> Options.of("pipeline 'q'", List.of(), Map.of("x", 1))).getMessage());
  }

  @Test
  void aFilesValuesHaveTheirJsonTypeAndItsPathsAreRelativeToIt() throws Exception {
    Path base = Path.of("/runs/sub");
    Options o = Options.of("p", DECLARED, Map.of("steps", new FromFile(json("7"), base, "p.json"), "init",
        new FromFile(json("\"../a.png\""), base, "p.json"), "clip", new FromFile(json("true"), base, "p.json")));
    assertEquals(7, o.getInt("steps"));
    assertEquals(Path.of("/runs/a.png"), o.getPath("init"));
    assertTrue(o.getBoolean("clip"));
    for (String[] bad : new String[][] {{"steps", "\"7\"", "steps must be an integer in [1, 100] (sampling steps), got \"7\""},
        {"steps", "7.5", "steps (--steps, sampling steps) must be an integer in [1, 100], got 7.5"},
        {"scale", "1e999", "scale (--scale, guidance) must be a number in [0, 10], got Infinity"},
        {"clip", "\"true\"", "clip must be true or false, got \"true\""}, {"mode", "3", "mode must be one of fast, slow, got 3"},
        {"init", "5", "init must be a path, got 5"}, {"init", "\"a\\u0000b\"", "init is not a valid path"}}) {
      TesseraException e = assertThrows(TesseraException.class,
          () -> Options.of("p", DECLARED, Map.of(bad[0], new FromFile(json(bad[1]), base, "p.json"))), bad[1]);
      assertTrue(e.getMessage().startsWith("p.json: " + bad[2]), e.getMessage());
    }
  }

  @Test
  void valuesForEveryExtensionApplyWhereDeclaredAndWinOverTheFile() throws Exception {
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("steps", new FromFile(json("7"), Path.of("/"), "p.json"));
    Options o = Options.of("p", DECLARED, file, Map.of("steps", 9, "top_k", 5));
    assertEquals(9, o.getInt("steps"), "compare --steps 9 over the file's 7");
    assertFalse(o.asMap().containsKey("top_k"), "an undeclared key meant for other extensions is ignored");
    assertThrows(TesseraException.class, () -> Options.of("p", DECLARED, Map.of(), Map.of("steps", 0)), "still range-checked");
  }

  @Test
  void anOutOfRangeOrIllTypedValueFromAFlagNamesKeyAndRange() {
    assertEquals("steps (--steps, sampling steps) must be an integer in [1, 100], got 0",
        assertThrows(TesseraException.class, () -> Options.of("p", DECLARED, Map.of("steps", "0"))).getMessage());
    assertEquals("steps must be an integer in [1, 100] (sampling steps), got 'many'",
        assertThrows(TesseraException.class, () -> Options.of("p", DECLARED, Map.of("steps", "many"))).getMessage());
    assertEquals("mode must be one of fast, slow, got 'medium'",
        assertThrows(TesseraException.class, () -> Options.of("p", DECLARED, Map.of("mode", "medium"))).getMessage());
  }
}
