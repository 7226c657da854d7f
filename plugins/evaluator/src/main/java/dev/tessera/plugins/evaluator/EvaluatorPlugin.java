package dev.tessera.plugins.evaluator;

import org.pf4j.Plugin;

/** PF4J entry point of the evaluator networks. */
public class EvaluatorPlugin extends Plugin {}
