package dev.tessera.api.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Quantizer;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * How a model uses a trained, frozen vector-quantised autoencoder of another plugin (VQ-VAE,
 * VQGAN): images -> code grids for training a prior over codes, and code grids -> images for
 * sampling. The autoencoder's config is nested under "autoencoder" and names its "encoder",
 * "quantizer" and "decoder" components; they are built under its "scope" with the child scopes
 * "encoder", "quantizer" and "decoder", the layout VQ-VAE and VQGAN train with, so their weights
 * load by name. Works with any Quantizer: a prior only sees codes.
 */
public final class FrozenAutoencoder {
  public static final String KEY = "autoencoder";
  public static final NestedModel MODEL = new NestedModel(KEY, "autoencoder_model", "vqvae", "autoencoder");

  private FrozenAutoencoder() {}

  private static GraphScope scope(GraphScope root, ModelConfig ae) {
    return root.child(ae.getString("scope", ae.getString("model", "vqvae")));
  }

  private static void requireComponents(ComponentLookup components, ModelConfig ae) {
    if (components == null) {
      throw new TesseraException("the autoencoder '" + ae.getString("model", "?") + "' is not loaded: no plugins were given");
    }
  }

  /** Images [N, S, S, C] -> code grid [N, G, G] (no gradient flows back). */
  public static Operand<TInt32> codes(GraphScope root, ModelConfig ae, ComponentLookup components, Operand<TFloat32> images) {
    Operand<TFloat32> latents = latents(root, ae, components, images);
    return quantizer(ae, components).quantize(quantizerScope(root, ae), ae, root.tf().stopGradient(latents)).codes();
  }

  /** Images [N, S, S, C] in [0, 1] -> the encoder's continuous latents [N, G, G, D], before quantisation. */
  public static Operand<TFloat32> latents(GraphScope root, ModelConfig ae, ComponentLookup components, Operand<TFloat32> images) {
    requireComponents(components, ae);
    return components.encoder(ae.getString("encoder", "vqvae")).encodeImages(scope(root, ae).child("encoder"), ae, images);
  }

  /** Code vectors [N, G, G, D] (continuous, e.g. optimised by VQGAN-CLIP) -> images [N, S, S, C]. */
  public static Operand<TFloat32> decodeVectors(GraphScope root, ModelConfig ae, ComponentLookup components, Operand<TFloat32> vectors) {
    requireComponents(components, ae);
    return components.decoder(ae.getString("decoder", "vqvae")).decode(scope(root, ae).child("decoder"), ae, vectors);
  }

  /** Code grid [N, G, G] -> images [N, S, S, C]. */
  public static Operand<TFloat32> decode(GraphScope root, ModelConfig ae, ComponentLookup components, Operand<TInt32> codes) {
    requireComponents(components, ae);
    Quantizer quantizer = components.quantizer(ae.getString("quantizer", "vector-quantizer"));
    Operand<TFloat32> vectors = quantizer.embed(scope(root, ae).child("quantizer"), ae, codes);
    return decodeVectors(root, ae, components, vectors);
  }

  /** The quantizer of the nested autoencoder, to quantise vectors in the forward pass. */
  public static Quantizer quantizer(ModelConfig ae, ComponentLookup components) {
    requireComponents(components, ae);
    return components.quantizer(ae.getString("quantizer", "vector-quantizer"));
  }

  public static GraphScope quantizerScope(GraphScope root, ModelConfig ae) {
    return scope(root, ae).child("quantizer");
  }

  /** Side of the code grid: image_size over the encoder's downsampling (4 unless "downsampling" says otherwise). */
  public static int gridSize(ModelConfig ae) {
    int image = ae.getPositiveInt("image_size", 28);
    int down = ae.getPositiveInt("downsampling", 4);
    if (image % down != 0) {
      throw new TesseraException(ae.source() + ": image_size " + image + " is not a multiple of the downsampling " + down);
    }
    return image / down;
  }

  public static int codebookSize(ModelConfig ae) {
    return ae.getPositiveInt("codebook_size", 512);
  }

  public static int embeddingDim(ModelConfig ae) {
    return ae.getPositiveInt("embedding_dim", 64);
  }
}
