package dev.tessera.plugins.diffusion;

import org.pf4j.Plugin;

/** PF4J entry point of the diffusion plugin. */
public class DiffusionPlugin extends Plugin {}
