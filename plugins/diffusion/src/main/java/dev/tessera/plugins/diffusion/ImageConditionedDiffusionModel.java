package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelConfig;
import org.pf4j.Extension;

/**
 * DALL-E 2's decoder ({@code ./tessera train dalle2-decoder}): the same U-Net as
 * {@link DiffusionModel}, conditioned on the CLIP image embedding of the training image instead of
 * its caption, so that at generation time a prior's image embedding steers it.
 */
@Extension
public class ImageConditionedDiffusionModel extends DiffusionModel {
  public static final String SHIPPED = "tessera/weights/diffusion/dalle2-decoder";

  @Override
  public String name() {
    return "dalle2-decoder";
  }

  @Override
  public String description() {
    return "U-Net conditioned on a CLIP image embedding (DALL-E 2 decoder), condition dropout for classifier-free guidance";
  }

  @Override
  public ModelConfig defaultConfig() {
    return super.defaultConfig().with("model", "dalle2-decoder").with("condition", "image");
  }

  @Override
  protected String shippedPrefix() {
    return SHIPPED;
  }

  @Override
  protected java.util.Map<String, String> shippedVariants() {
    return java.util.Map.of();
  }
}
