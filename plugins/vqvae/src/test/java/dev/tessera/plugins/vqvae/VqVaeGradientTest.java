package dev.tessera.plugins.vqvae;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.testing.GradientChecker;
import org.junit.jupiter.api.Test;

/** Numeric gradient checks of the plugin's parts, with the api's checker, on tiny shapes. */
class VqVaeGradientTest {
  private static final ModelConfig TINY = VqVaeModelTest.tiny(false).with("residual_layers", 1);

  @Test
  void encoderGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new VqVaeEncoder().encodeImages(scope.child("enc"), TINY, in.get(0)), new long[] {1, 8, 8, 1});
  }

  @Test
  void decoderGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new VqVaeDecoder().decode(scope.child("dec"), TINY, in.get(0)), new long[] {1, 2, 2, 4});
  }

  // The VQ losses stop gradients on purpose, so each is checked only where its gradient is meant to
  // flow: the commitment loss moves the latents (not the codebook), the codebook loss moves the
  // codebook (not the latents). Elsewhere the forward value changes but the gradient is zero by design.

  @Test
  void commitmentLossGradientWithRespectToTheLatents() {
    GradientChecker.assertGradientsMatch(
        GradientChecker.Options.defaults().withCheckVariables(false),
        (scope, in) -> new VectorQuantizer().quantize(scope.child("vq"), TINY, in.get(0)).commitmentLoss(),
        new long[] {1, 2, 2, 4});
  }

  @Test
  void codebookLossGradientWithRespectToTheCodebook() {
    float[] latents = VqVaeModelTest.images(1, 4, 11); // 16 values in [0, 1): a 1x2x2x4 latent grid
    GradientChecker.assertGradientsMatch(
        (scope, in) -> {
          var z = scope.tf().reshape(scope.tf().constant(latents), scope.tf().constant(new long[] {1, 2, 2, 4}));
          return new VectorQuantizer().quantize(scope.child("vq"), TINY, z).codebookLoss();
        });
  }
}
