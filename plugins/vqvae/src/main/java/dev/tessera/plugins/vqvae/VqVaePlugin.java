package dev.tessera.plugins.vqvae;

import org.pf4j.Plugin;

/**
 * PF4J entry point of the VQ-VAE plugin. The components are its extensions:
 * {@link VqVaeEncoder}, {@link VectorQuantizer}, {@link VqVaeDecoder} and the trainable
 * {@link VqVaeModel} that composes them.
 */
public class VqVaePlugin extends Plugin {}
