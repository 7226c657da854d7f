package dev.tessera.api.spi;

/**
 * The components of every loaded plugin, by name: how one plugin's model uses another plugin's
 * parts (a diffusion model conditioned by the CLIP text encoder, VQGAN reusing the VQ-VAE
 * quantizer) through the SPIs, without depending on its classes. Unknown names fail with the list
 * of known ones.
 */
public interface ComponentLookup {
  Tokenizer tokenizer(String name);

  Encoder encoder(String name);

  Quantizer quantizer(String name);

  Prior prior(String name);

  Decoder decoder(String name);

  Guidance guidance(String name);

  TrainableModel model(String name);
}
