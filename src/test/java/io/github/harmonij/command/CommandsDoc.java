// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.module.ModuleItem;

/**
 * Writes docs/commands.md from the commands' metadata (labels, CLI names, parameters, defaults,
 * choices, descriptions), so the reference cannot drift from the code;
 * {@link CommandsDocTest} fails when the file is out of date. To rewrite it:
 * {@code mvn -q -o test -Dtest=CommandsDocTest -Dharmonij.writeDocs=true}.
 */
public final class CommandsDoc {

	private CommandsDoc() {}

	public static void main(final String[] args) throws IOException {
		final Path out = Paths.get(args.length > 0 ? args[0] : "docs/commands.md");
		Files.write(out, generate().getBytes(StandardCharsets.UTF_8));
	}

	/** @return the Markdown text of docs/commands.md */
	static String generate() {
		final StringBuilder sb = new StringBuilder();
		sb.append("# HarmonIJ commands\n\n");
		sb.append("<!-- Generated from the commands' @Parameter metadata by " +
			"src/test/java/io/github/harmonij/command/CommandsDoc.java; do not edit by hand. -->\n\n");
		sb.append("Every command is one SciJava command with one menu entry under " +
			"**Plugins > HarmonIJ**. The macro keys are the SciJava parameter names; on the " +
			"command line they are flags with `_` written `-`, and the dialog shows each as its " +
			"field name, with the meaning under the field (the dialog's Help button shows the " +
			"command's section of this page). So one line works everywhere:\n\n");
		sb.append("* macro: `run(\"<label>\", \"key=value key=[value with spaces] flag\");` " +
			"(ImageJ 1.x needs the label exactly, with its `...`)\n");
		sb.append("* headless, same options: `harmonij run \"<label>\" \"key=value ...\"`\n");
		sb.append("* command line: `harmonij <cli> --key value --flag` (`--help` lists the " +
			"options)\n");
		sb.append("* script: `#@ CommandService cs` then `cs.run(<Class>, true, \"key\", value, ...)`" +
			" (see [scripting.md](scripting.md))\n\n");
		sb.append("A checkbox is on when its key is present (`mean_only`) and off when it is " +
			"absent. Values given from code are checked inside the command (choices, ranges, " +
			"required files); a bad value stops the command with a message that says what to " +
			"do, and nothing is written.\n\n");
		sb.append("File menu: **File > Import > Open NIfTI...** and **File > Save As > Save " +
			"NIfTI...** read and write `.nii` / `.nii.gz` in ImageJ 1.x.\n\n");
		try (Context context = new Context()) {
			for (final CommandInfo info : Commands.all(context))
				command(sb, info);
		}
		return sb.toString();
	}

	private static void command(final StringBuilder sb, final CommandInfo info) {
		final String label = info.get(Commands.LABEL), cli = info.get(Commands.CLI);
		sb.append("## ").append(label).append("\n\n");
		if (info.getDescription() != null) sb.append(info.getDescription()).append(".\n\n");
		sb.append("* Menu: Plugins > HarmonIJ > ").append(label).append('\n');
		sb.append("* Command line: `harmonij ").append(cli).append("`\n");
		sb.append("* Class: `").append(info.getClassName()).append("`\n\n");
		final Map<String, Object> defaults = Commands.defaults(info);
		if (!Commands.userInputs(info).isEmpty()) {
			sb.append("| macro key | CLI flag | dialog field | meaning | default |\n" +
				"|---|---|---|---|---|\n");
			for (final ModuleItem<?> item : Commands.userInputs(info)) {
				final StringBuilder meaning = new StringBuilder(item.getDescription() == null ? "" :
					item.getDescription());
				if (item.getChoices() != null && !item.getChoices().isEmpty()) meaning.append(
					"; one of ").append(String.join(", ", item.getChoices().stream().map(
						String::valueOf).toArray(String[]::new)));
				if (item.getMinimumValue() != null) meaning.append("; at least ").append(item
					.getMinimumValue());
				if (item.getMaximumValue() != null) meaning.append("; at most ").append(item
					.getMaximumValue());
				final Object def = defaults.get(item.getName());
				final boolean bool = item.getType() == boolean.class;
				final String d = bool ? "off" : def == null || def.toString().isEmpty() ? (item
					.isRequired() ? "(required)" : "") : "`" + def + "`";
				sb.append("| `").append(item.getName()).append("` | `--").append(item.getName()
					.replace('_', '-')).append("` | ").append(item.getLabel().replace("|", "\\|"))
					.append(" | ").append(meaning.toString().replaceFirst("^; ", "").replace("|", "\\|"))
					.append(" | ").append(d).append(" |\n");
			}
			sb.append('\n');
		}
		final String example = example(info);
		sb.append("```\n").append(example).append("\n```\n\n");
	}

	/** The macro line of the command's class javadoc, kept here as data so it is checked. */
	private static String example(final CommandInfo info) {
		final String label = info.get(Commands.LABEL);
		switch (info.get(Commands.CLI)) {
			case "combat":
				return "run(\"" + label + "\", \"manifest=[/d/cohort.csv] batch=site " +
					"covariates=[age,sex] categorical=[sex] mask=[/d/mask.nii.gz] eb=parametric " +
					"out=[/d/out]\");\n// headless: harmonij run \"" + label + "\" \"manifest=[/d/" +
					"cohort.csv] batch=site out=[/d/out]\"";
			case "regress":
				return "run(\"" + label + "\", \"manifest=[/d/cohort.csv] batch=site " +
					"covariates=[age,sex] categorical=[sex] mask=[/d/mask.nii.gz] out=[/d/out]\");";
			case "combat-table":
				return "run(\"" + label + "\", \"table=[/d/volumes.csv] batch=site " +
					"covariates=[age,sex] categorical=sex out=[/d/volumes_harmonised.csv]\");\n" +
					"// with the site tests before and after and report.html in " +
					"/d/volumes_harmonised_report/:\n" +
					"run(\"" + label + "\", \"table=[/d/volumes.csv] batch=site covariates=[age,sex] " +
					"categorical=sex report out=[/d/volumes_harmonised.csv]\");\n" +
					"// the open Results table instead of a file; the result opens as a new table:\n" +
					"run(\"" + label + "\", \"table=[Results] batch=site covariates=[age,sex] " +
					"categorical=sex\");";
			case "regress-table":
				return "run(\"" + label + "\", \"table=[/d/volumes.csv] batch=site " +
					"covariates=[age,sex] categorical=sex out=[/d/volumes_regressed.csv]\");";
			case "compare":
				return "run(\"" + label + "\", \"scan_a=[/d/siteA.nii.gz] scan_b=[/d/siteB.nii.gz] " +
					"mask=[/d/mask.nii.gz] out=[/d/compare]\");";
			case "simulate":
				return "run(\"" + label + "\", \"out=[/d/sim] subjects=60 sites=3 seed=1 " +
					"resolution=2\");";
			case "about":
				return "run(\"" + label + "\");";
			default:
				return "run(\"" + label + "\", \"...\");";
		}
	}
}
