package dev.tessera.plugins.gpt;

import org.pf4j.Plugin;

/** PF4J entry point of the transformer-prior plugin. */
public class GptPlugin extends Plugin {}
