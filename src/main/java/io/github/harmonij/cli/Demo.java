// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.scijava.Context;
import org.scijava.command.CommandInfo;

import io.github.harmonij.command.Commands;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.UserPaths;

/**
 * {@code harmonij demo [--out DIR] [--subjects N] [--no-show]}: simulates a small multi-site cohort
 * on the 2 mm ICBM152 template, harmonises it with ComBat and with the linear site adjustment, and
 * prints where everything went. With a display (and without {@code --no-show}) it opens the results
 * in ImageJ.
 */
final class Demo {

	private final Context context;

	private final PrintStream out;

	private final PrintStream err;

	Demo(final Context context, final PrintStream out, final PrintStream err) {
		this.context = context;
		this.out = out;
		this.err = err;
	}

	int run(final String[] args) {
		Path dir = Paths.get("harmonij-demo");
		String subjects = "60";
		boolean show = true;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--out":
					dir = UserPaths.of("--out", value(args, ++i, "--out"));
					break;
				case "--subjects":
					subjects = value(args, ++i, "--subjects");
					break;
				case "--no-show":
					show = false;
					break;
				case "--help":
				case "-h":
					out.println("Usage: harmonij demo [--out DIR] [--subjects N] [--no-show]");
					out.println("Simulates a multi-site cohort (3 sites, 60 subjects, 2 mm) in DIR/cohort,");
					out.println("harmonises it with ComBat into DIR/combat and with linear regression into");
					out.println("DIR/regress. DIR (default ./harmonij-demo) must not exist or be empty.");
					return 0;
				default:
					throw new InputException("harmonij demo: unknown option \"" + args[i] +
						"\"; see harmonij demo --help.");
			}
		}
		requireEmpty(dir);
		final Path cohort = dir.resolve("cohort");
		final Map<String, String> sim = new LinkedHashMap<>();
		sim.put("out", cohort.toString());
		sim.put("subjects", subjects);
		sim.put("sites", "3");
		sim.put("seed", "1");
		sim.put("resolution", "2");
		err.println("Simulating a cohort in " + cohort + " ...");
		run("simulate", sim);
		for (final String method : new String[] { "combat", "regress" }) {
			final Map<String, String> h = new LinkedHashMap<>();
			h.put("manifest", cohort.resolve("cohort.csv").toString());
			h.put("batch", "site");
			h.put("covariates", "age,sex,group");
			h.put("categorical", "sex,group");
			h.put("mask", cohort.resolve("mask.nii.gz").toString());
			h.put("site_effects", "true");
			h.put("interest", "age");
			h.put("out", dir.resolve(method).toString());
			err.println("Harmonising with " + method + " into " + dir.resolve(method) + " ...");
			run(method, h);
		}
		out.println("Demo finished. Cohort: " + cohort + "; ComBat: " + dir.resolve("combat") +
			"; linear regression: " + dir.resolve("regress") + ".");
		out.println("Compare " + dir.resolve("combat/summary.csv") + " (per-site mean and SD before" +
			" and after) with the site-free truth in " + cohort.resolve("truth") + ".");
		if (show && !java.awt.GraphicsEnvironment.isHeadless()) io.github.harmonij.display.ResultViewer.showDemo(dir);
		return 0;
	}

	private void run(final String cli, final Map<String, String> options) {
		final CommandInfo info = Commands.byCli(context, cli);
		if (info == null) throw new IllegalStateException("no command " + cli);
		new Harmonij(out, err).runCommand(context, info, options);
	}

	private static String value(final String[] args, final int i, final String flag) {
		if (i >= args.length) throw new InputException(flag + " needs a value.");
		return args[i];
	}

	private static void requireEmpty(final Path dir) {
		if (!Files.exists(dir)) return;
		if (!Files.isDirectory(dir)) throw new InputException(dir + " exists and is not a folder;" +
			" choose another --out.");
		try (Stream<Path> s = Files.list(dir)) {
			if (s.findAny().isPresent()) throw new InputException(dir + " is not empty; choose an" +
				" empty or new --out folder (nothing was overwritten).");
		}
		catch (final IOException e) {
			throw new InputException("Cannot read " + dir + ": " + e.getMessage());
		}
	}
}
