package dev.tessera.runtime.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** One command run through picocli as a user runs it, against a given plugins folder: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun run(Path plugins, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TesseraCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--plugins-dir";
    all[1] = plugins.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int exit = cl.execute(all);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
