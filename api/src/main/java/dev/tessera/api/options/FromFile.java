package dev.tessera.api.options;

import java.nio.file.Path;

/**
 * An option value read from a file ({@code --pipeline-file p.json}): a relative path in it means a
 * path next to the file, so a {@link OptionSpec.Type#PATH} option resolves it against {@code base};
 * an error about the value names the file ({@code source}).
 */
public record FromFile(Object value, Path base, String source) {}
