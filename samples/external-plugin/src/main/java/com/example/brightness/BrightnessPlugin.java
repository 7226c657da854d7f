package com.example.brightness;

import org.pf4j.Plugin;

/** PF4J entry point. Nothing happens at start or stop: the component is the @Extension class of this jar. */
public class BrightnessPlugin extends Plugin {}
