package dev.tessera.plugins.latentdiffusion;

import org.pf4j.Plugin;

/** PF4J entry point of the latent diffusion plugin. */
public class LatentDiffusionPlugin extends Plugin {}
