package dev.tessera.plugins.clipgan;

import org.pf4j.Plugin;

/** PF4J entry point of the CLIP+GAN plugin. */
public class ClipGanPlugin extends Plugin {}
