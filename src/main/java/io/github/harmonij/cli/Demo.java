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
 * on the 2 mm ICBM152 template, harmonises it with ComBat and with the linear site adjustment, each
 * with its HTML report, and prints where everything went. With a display (and without
 * {@code --no-show}) it opens the results in ImageJ.
 * <p>
 * Without {@code --out} a second demo goes to a new folder ({@code harmonij-demo-2}, ...) rather
 * than refusing: the first is kept, and the user need not know the rule that output folders are
 * never overwritten to see the demo again.
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

	/** The demo's folder when no --out is given (then -2, -3, ... if it is taken). */
	static final String DEFAULT_DIR = "harmonij-demo";

	int run(final String[] args) {
		Path dir = null;
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
					out.println("DIR/regress, each with report.html. DIR must not exist or be " +
						"empty;");
					out.println("without --out: ./harmonij-demo, or harmonij-demo-2, -3, ... if " +
						"taken.");
					out.println("--no-show: do not open the results in ImageJ (without a display " +
						"they are not shown).");
					return 0;
				default:
					throw new InputException("harmonij demo: unknown option \"" + args[i] +
						"\"; see harmonij demo --help.");
			}
		}
		if (dir == null) {
			dir = freshFolder(Paths.get(DEFAULT_DIR));
			if (!dir.equals(Paths.get(DEFAULT_DIR))) err.println(DEFAULT_DIR + " is not empty " +
				"(an earlier demo?) and is kept; this demo goes to " + dir + ".");
		}
		else requireEmpty(dir);
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
			h.put("report", "true");
			h.put("interest", "age");
			h.put("out", dir.resolve(method).toString());
			err.println("Harmonising with " + method + " into " + dir.resolve(method) + " ...");
			run(method, h);
		}
		out.println("Demo finished. Cohort: " + cohort + "; ComBat: " + dir.resolve("combat") +
			"; linear regression: " + dir.resolve("regress") + ".");
		out.println("Reports (open in a web browser): " + dir.resolve("combat/report.html") + ", " +
			dir.resolve("regress/report.html") + ".");
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

	/** @return {@code dir}, or the first of dir-2, dir-3, ... that is free (absent or empty) */
	static Path freshFolder(final Path dir) {
		Path d = dir;
		for (int i = 2; !isFree(d); i++)
			d = dir.resolveSibling(dir.getFileName() + "-" + i);
		return d;
	}

	private static void requireEmpty(final Path dir) {
		if (isFree(dir)) return;
		final Path next = freshFolder(dir);
		throw new InputException(dir + (Files.isDirectory(dir) ? " is not empty (an earlier demo?)"
			: " exists and is not a folder") + "; nothing was overwritten. To run the demo " +
			"again, give another folder (harmonij demo --out " + next + "), or remove this one " +
			"first.");
	}

	/** @return whether dir is absent or an empty folder */
	private static boolean isFree(final Path dir) {
		if (!Files.exists(dir)) return true;
		if (!Files.isDirectory(dir)) return false;
		try (Stream<Path> s = Files.list(dir)) {
			return !s.findAny().isPresent();
		}
		catch (final IOException e) {
			throw new InputException("Cannot read " + dir + ": " + e.getMessage());
		}
	}
}
