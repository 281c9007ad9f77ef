// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.log.LogLevel;
import org.scijava.log.LogService;
import org.scijava.module.ModuleItem;

import io.github.harmonij.command.Commands;
import io.github.harmonij.command.MacroOptions;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Names;
import io.github.harmonij.io.UserPaths;
import io.github.harmonij.io.Version;

/**
 * The {@code harmonij} command line. Each subcommand runs one SciJava command headless, with
 * {@code --flag value} options whose names are the command's parameter names ({@code _} written
 * {@code -}); {@code harmonij run "<label>" "<macro options>"} runs any command with the option
 * string an ImageJ macro uses. Exit status 0 on success, 2 on bad input (message on stderr), 1 on
 * an internal error, 130 or 143 when stopped by SIGINT or SIGTERM (the run is canceled, nothing
 * is left). Progress goes to stderr.
 */
public final class Harmonij {

	/** Exit status for bad input. */
	public static final int BAD_INPUT = 2;

	/** The cancel reason of a run stopped by SIGINT or SIGTERM. */
	static final String SIGNAL_REASON = "Stopped by a signal (Ctrl+C or kill); nothing was written.";

	/** How long the signal handler waits for the running command to remove its work area. */
	static final long SIGNAL_WAIT_MS = 1500;

	private final PrintStream out;

	private final PrintStream err;

	/** Whether {@link #err} is a terminal, where a progress line can be rewritten in place. */
	private final boolean terminal;

	public Harmonij(final PrintStream out, final PrintStream err) {
		this(out, err, false);
	}

	/** @param terminal whether {@code err} is a terminal (the launcher tells: {@link #TERMINAL}) */
	Harmonij(final PrintStream out, final PrintStream err, final boolean terminal) {
		this.out = out;
		this.err = err;
		this.terminal = terminal;
	}

	/**
	 * System property the launcher sets when stderr is a terminal (Java cannot tell for stderr
	 * alone: {@code System.console()} asks about stdin and stdout).
	 */
	static final String TERMINAL = "harmonij.terminal";

	public static void main(final String[] args) {
		if (System.getProperty("java.awt.headless") == null &&
			(System.getenv("DISPLAY") == null || System.getenv("DISPLAY").isEmpty()))
			System.setProperty("java.awt.headless", "true");
		// SIGINT and SIGTERM cancel the running command as Esc does in ImageJ: nothing is
		// committed after the signal and the work area is removed before the JVM exits (130 or
		// 143). Without this, SciJava's own shutdown hook waits up to 5 s for the command's
		// thread (ThreadService.dispose), which meanwhile could finish and commit its folder.
		// A signal before the command is registered (while the Context starts or the options are
		// read) stops it too: Commands.stopAll sets a flag that no command starts or commits past.
		final CountDownLatch ended = new CountDownLatch(1);
		final Thread hook = new Thread(() -> {
			final long t0 = System.nanoTime();
			Commands.stopAll(SIGNAL_REASON, SIGNAL_WAIT_MS);
			try { // and let the main thread print the reason
				ended.await(Math.max(0, SIGNAL_WAIT_MS - (System.nanoTime() - t0) / 1_000_000L) +
					200, TimeUnit.MILLISECONDS);
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}, "HarmonIJ signal");
		Runtime.getRuntime().addShutdownHook(hook);
		final int status;
		try {
			status = new Harmonij(System.out, System.err, Boolean.getBoolean(TERMINAL)).execute(
				args);
		}
		finally {
			System.err.flush();
			ended.countDown();
		}
		// When a command opened ImageJ (the demo with a display), it lives until the user quits it,
		// and the commands the user starts from its menus are ImageJ's to stop (Esc), not the
		// hook's: quitting ImageJ would otherwise cancel them as a signal. A hook that has begun
		// cannot be removed: then this JVM is stopping on a signal.
		final boolean handOver = status == 0 && !java.awt.GraphicsEnvironment.isHeadless() && ij.IJ
			.getInstance() != null && releaseHook(hook);
		// Stopping on a signal: the JVM exits with 130 or 143 when the hooks are done. Calling
		// System.exit now could slip in between the hooks' end and that exit, with our status.
		if (!handOver && Commands.stopping()) try {
			Thread.sleep(Long.MAX_VALUE);
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (handOver) ij.IJ.getInstance().exitWhenQuitting(true);
		else System.exit(status);
	}

	/**
	 * Removes the signal hook before the JVM is handed over to ImageJ.
	 *
	 * @return false if the JVM is already shutting down (the hook has begun, or is done)
	 */
	static boolean releaseHook(final Thread hook) {
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
			return !Commands.stopping();
		}
		catch (final IllegalStateException e) {
			return false; // shutdown in progress
		}
	}

	/** Runs one command line; returns the exit status. Never calls System.exit. */
	public int execute(final String... args) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") ||
			args[0].equals("help"))
		{
			try (Context context = new Context()) {
				usage(context);
			}
			return args.length == 0 ? BAD_INPUT : 0;
		}
		if (args[0].equals("--version")) {
			out.println("HarmonIJ " + Version.get());
			return 0;
		}
		int first = 0;
		if (args[0].equals("--threads")) {
			if (args.length < 3 || !args[1].matches("[1-9][0-9]*")) {
				err.println("harmonij: --threads needs a positive number, before the subcommand: " +
					"harmonij --threads 4 combat ...");
				return BAD_INPUT;
			}
			System.setProperty("harmonij.threads", args[1]);
			first = 2;
		}
		final String sub = args[first];
		final String[] rest = Arrays.copyOfRange(args, first + 1, args.length);
		try (Context context = CliStatusService.newContext()) {
			// Messages reach the user through stderr (status lines, warnings among them) and the
			// summary; the log would repeat them.
			context.service(LogService.class).setLevel(LogLevel.ERROR);
			final StatusPrinter progress = CliStatusService.printTo(context, new StatusPrinter(err,
				terminal, System::nanoTime));
			try {
				switch (sub) {
					case "run":
						return runLabel(context, rest);
					case "demo":
						return new Demo(context, out, err).run(rest);
					default:
						return runSubcommand(context, sub, rest);
				}
			}
			catch (final InputException e) {
				progress.finish();
				err.println(e.getMessage());
				return BAD_INPUT;
			}
		}
		catch (final RuntimeException e) {
			// A signal while the Context starts fails it (Java refuses new shutdown hooks then):
			// not a bug; the JVM exits with 130 or 143.
			if (Commands.stopping()) {
				err.println(SIGNAL_REASON);
				return 1;
			}
			// A path this locale cannot encode, made where no flag names it: bad input, not a bug.
			for (Throwable t = e; t != null; t = t.getCause())
				if (t instanceof InvalidPathException) {
					final InvalidPathException p = (InvalidPathException) t;
					err.println(UserPaths.refusal(null, p.getInput(), p).getMessage());
					return BAD_INPUT;
				}
			err.println("harmonij: internal error (please report it): " + e);
			e.printStackTrace(err);
			return 1;
		}
	}

	// -- Helper methods --

	private int runLabel(final Context context, final String[] args) {
		if (args.length == 0 || args[0].equals("--help")) {
			out.println("Usage: harmonij run \"<command label>\" \"<macro options>\"");
			out.println("Runs a HarmonIJ command headless with the option string an ImageJ macro " +
				"uses, e.g.");
			out.println("  harmonij run \"Harmonise Cohort (ComBat)\" \"manifest=[/d/cohort.csv] " +
				"batch=site out=[/d/out]\"");
			out.println("Commands:");
			for (final CommandInfo info : Commands.all(context))
				out.println("  " + info.get(Commands.LABEL));
			return args.length == 0 ? BAD_INPUT : 0;
		}
		if (args.length > 2) throw new InputException("harmonij run takes two arguments, the " +
			"label and the options in one quoted string; got " + args.length + ".");
		final CommandInfo info = Commands.byLabel(context, args[0]);
		final Map<String, String> options = MacroOptions.parse(args.length > 1 ? args[1] : "");
		return runCommand(context, info, options);
	}

	private int runSubcommand(final Context context, final String sub, final String[] args) {
		final CommandInfo info = Commands.byCli(context, sub);
		if (info == null) {
			final List<String> subs = new ArrayList<>(List.of("--version", "demo", "run", "gui",
				"macro"));
			for (final CommandInfo c : Commands.all(context))
				if (c.get(Commands.CLI) != null) subs.add(c.get(Commands.CLI));
			final String near = Names.closest(sub, subs);
			err.println("harmonij: unknown subcommand \"" + sub + "\"" + (near == null ? "" :
				" (did you mean " + near + "?)") + "; the subcommands are:");
			usage(context);
			return BAD_INPUT;
		}
		if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
			help(info);
			return 0;
		}
		try {
			return runCommand(context, info, flags(info, args));
		}
		catch (final InputException e) {
			throw new InputException(flagWords(info, e.getMessage()), e);
		}
	}

	/**
	 * A message in the words of the command line: the command's options, which messages name as
	 * macros write them ({@code out=...}, {@code eb=Parametric}, {@code q=[0.05]}), become flags
	 * ({@code --out}, {@code --eb Parametric}, {@code --q 0.05}). Only the command's own option
	 * names are rewritten, and only where they begin a word, so paths and values stay as they are.
	 */
	static String flagWords(final CommandInfo info, final String message) {
		if (message == null) return null;
		String s = message;
		for (final ModuleItem<?> item : Commands.userInputs(info)) {
			final String key = item.getName();
			final Matcher m = Pattern.compile("(?<![\\w/.=-])" + Pattern.quote(key) +
				"=(\\.\\.\\.|\\[([^\\]]*)\\]|([^\\s,;)\\]]*[^\\s,;).\\]]))?").matcher(s);
			final StringBuffer sb = new StringBuffer();
			while (m.find()) {
				final String value = m.group(2) != null ? m.group(2) : m.group(3);
				m.appendReplacement(sb, Matcher.quoteReplacement("--" + key.replace('_', '-') +
					(value == null || value.isEmpty() ? "" : " " + value)));
			}
			m.appendTail(sb);
			s = sb.toString();
		}
		return s;
	}

	int runCommand(final Context context, final CommandInfo info,
		final Map<String, String> options)
	{
		final CommandModule module = Commands.run(context, info, Commands.inputs(info, options));
		for (final ModuleItem<?> item : info.outputs()) {
			final Object value = item.getValue(module);
			if (value instanceof String) out.println(value);
		}
		return 0;
	}

	/**
	 * {@code --mean-only --eb none --out=x} to {mean_only=true, eb=none, out=x}.
	 *
	 * @throws InputException naming every unknown flag (with the known flag it resembles) and any
	 *           path the platform cannot name
	 */
	static Map<String, String> flags(final CommandInfo info, final String[] args) {
		final Map<String, Class<?>> types = new LinkedHashMap<>();
		for (final ModuleItem<?> item : Commands.userInputs(info))
			types.put(item.getName(), item.getType());
		final String sub = info.get(Commands.CLI);
		final Map<String, String> map = new LinkedHashMap<>();
		final List<String> unknown = new ArrayList<>();
		final List<String> problems = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			final String a = args[i];
			if (!a.startsWith("--")) throw new InputException("Unexpected argument \"" + a +
				"\": options are written --name value. See harmonij " + sub + " --help.");
			String name = a.substring(2);
			String value = null;
			final int eq = name.indexOf('=');
			if (eq >= 0) {
				value = name.substring(eq + 1);
				name = name.substring(0, eq);
			}
			name = name.replace('-', '_');
			final Class<?> t = types.get(name);
			if (t == null) {
				// Unknown: take the next word as its value if it is not a flag, so that the flags
				// after it are still read, and name it (not the word after it) in the message.
				unknown.add(unknownFlag(name, types.keySet()));
				if (value == null && i + 1 < args.length && !args[i + 1].startsWith("--")) i++;
				continue;
			}
			final boolean bool = t == boolean.class || t == Boolean.class;
			if (value == null) {
				if (bool && (i + 1 >= args.length || args[i + 1].startsWith("--") ||
					!isBooleanWord(args[i + 1]))) value = "true";
				else if (i + 1 < args.length) value = args[++i];
				else throw new InputException("--" + name.replace('_', '-') + " needs a value.");
			}
			if (t == java.io.File.class) {
				try {
					UserPaths.of("--" + name.replace('_', '-'), value);
				}
				catch (final InputException e) {
					problems.add(e.getMessage());
				}
			}
			map.put(name, value);
		}
		if (!unknown.isEmpty()) {
			final List<String> known = new ArrayList<>();
			for (final String k : types.keySet())
				known.add("--" + k.replace('_', '-'));
			problems.add(0, (problems.isEmpty() ? "harmonij " + sub + ": " : "") + String.join("; ",
				unknown) + ". Its options are: " + String.join(", ", known) + " (harmonij " + sub +
				" --help).");
		}
		InputException.throwIfAny("harmonij " + sub + ": the options have " + problems.size() +
			" problems:", problems);
		// Two outputs in one file, or an output over an input: refused before any work.
		final Map<String, java.io.File> outputs = new LinkedHashMap<>();
		final Map<String, java.io.File> inputs = new LinkedHashMap<>();
		for (final Map.Entry<String, String> e : map.entrySet())
			if (types.get(e.getKey()) == java.io.File.class) (isOutput(e.getKey()) ? outputs
				: inputs).put("--" + e.getKey().replace('_', '-'), new java.io.File(e.getValue()));
		UserPaths.checkDistinct(outputs, inputs);
		return map;
	}

	/** "unknown option --mean-onyl (did you mean --mean-only?)" */
	private static String unknownFlag(final String name, final java.util.Collection<String> keys) {
		final String flag = "--" + name.replace('_', '-');
		final String near = Names.closest(name, keys);
		return "unknown option " + flag + (near == null ? "" : " (did you mean --" + near.replace(
			'_', '-') + "?)");
	}

	/** Outputs are named out or *_out (model_out); every other file option is read. */
	private static boolean isOutput(final String name) {
		return name.equals("out") || name.endsWith("_out");
	}

	private static boolean isBooleanWord(final String s) {
		return Arrays.asList("true", "false", "yes", "no").contains(s.toLowerCase());
	}

	private void usage(final Context context) {
		out.println("Usage: harmonij [--threads N] <subcommand> [options]   " +
			"(harmonij <subcommand> --help)");
		out.println();
		for (final CommandInfo info : Commands.all(context))
			if (info.get(Commands.CLI) != null) out.println(String.format("  %-15s %s", info.get(
				Commands.CLI), info.getDescription() != null ? info.getDescription() : info.get(
					Commands.LABEL)));
		out.println(String.format("  %-15s %s", "demo",
			"simulate a small cohort, harmonise it, and show the results"));
		out.println(String.format("  %-15s %s", "run",
			"run any command by menu label with macro options: run \"<label>\" \"<options>\""));
		out.println(String.format("  %-15s %s", "gui", "start ImageJ with HarmonIJ's menus"));
		out.println(String.format("  %-15s %s", "macro",
			"run an ImageJ macro file with HarmonIJ installed (needs a display)"));
		out.println(String.format("  %-15s %s", "--version", "print HarmonIJ's version"));
	}

	private void help(final CommandInfo info) {
		out.println("Usage: harmonij " + info.get(Commands.CLI) + " [options]");
		if (info.getDescription() != null) out.println(info.getDescription());
		out.println("Same command as the menu item Plugins > HarmonIJ > " + info.get(Commands.LABEL) +
			"; macro keys are the option names with _ for -.");
		out.println();
		final Map<String, Object> defaults = Commands.defaults(info);
		for (final ModuleItem<?> item : Commands.userInputs(info)) {
			final Class<?> t = item.getType();
			final boolean bool = t == boolean.class || t == Boolean.class;
			final StringBuilder sb = new StringBuilder();
			sb.append(String.format("  --%-16s", item.getName().replace('_', '-') + (bool ? "" :
				" " + valueName(t))));
			// as docs/commands.md words them: "Subjects: at least 2 per site; at least 4"
			sb.append(' ').append(item.getLabel());
			final List<String> notes = new ArrayList<>();
			if (item.getDescription() != null && !item.getDescription().isEmpty()) notes.add(item
				.getDescription());
			if (item.getChoices() != null && !item.getChoices().isEmpty()) notes.add("one of " +
				String.join(", ", strings(item.getChoices())));
			if (item.getMinimumValue() != null) notes.add("at least " + item.getMinimumValue());
			if (item.getMaximumValue() != null) notes.add("at most " + item.getMaximumValue());
			if (!notes.isEmpty()) sb.append(": ").append(String.join("; ", notes));
			final Object def = defaults.get(item.getName());
			if (def != null && !bool && !def.toString().isEmpty()) sb.append(" [default: ").append(
				def).append(']');
			out.println(sb);
		}
	}

	private static String valueName(final Class<?> t) {
		if (t == java.io.File.class) return "PATH";
		if (t == int.class || t == long.class || t == Integer.class) return "N";
		if (t == double.class || t == float.class || t == Double.class) return "X";
		return "TEXT";
	}

	private static List<String> strings(final List<?> list) {
		final List<String> s = new ArrayList<>();
		for (final Object o : list)
			s.add(String.valueOf(o));
		return s;
	}
}
