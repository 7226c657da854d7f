package dev.tessera.plugins.clipvae;

import org.pf4j.Plugin;

/** PF4J entry point of the CLIP+VAE plugin. */
public class ClipVaePlugin extends Plugin {}
