package dev.tessera.plugins.clip;

import org.pf4j.Plugin;

/** PF4J entry point of the CLIP plugin. */
public class ClipPlugin extends Plugin {}
