package dev.tessera.plugins.vqgan;

import org.pf4j.Plugin;

/** PF4J entry point of the VQGAN plugin. */
public class VqganPlugin extends Plugin {}
