// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.InstantiableException;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.SciJavaService;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Names;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.UserPaths;

/**
 * Finds HarmonIJ's commands and runs them from option strings. Every user action is one SciJava
 * command; menus (through the ImageJ 1.x shim), macros, {@code harmonij run}, the command line and
 * scripts all come here, so they share one vocabulary: the {@code @Parameter} names.
 * <p>
 * A command takes part when its {@code @Plugin} has the attributes {@code label} (the menu label,
 * e.g. "Harmonise Cohort (ComBat)...") and, optionally, {@code cli} (the {@code harmonij}
 * subcommand, e.g. "combat").
 */
public final class Commands {

	/** Attribute with the menu label that {@code harmonij run} and the ImageJ 1.x shim use. */
	public static final String LABEL = "label";

	/** Attribute with the name of the {@code harmonij} subcommand. */
	public static final String CLI = "cli";

	private Commands() {}

	/** @return every HarmonIJ command known to the context, in menu-label order */
	public static List<CommandInfo> all(final Context context) {
		final List<CommandInfo> list = new ArrayList<>();
		for (final CommandInfo info : context.service(CommandService.class).getCommands())
			if (info.getClassName().startsWith("io.github.harmonij.") && info.get(LABEL) != null)
				list.add(info);
		list.sort((a, b) -> a.get(LABEL).compareTo(b.get(LABEL)));
		return list;
	}

	/**
	 * Finds a command by menu label; "..." at the end and letter case do not matter.
	 *
	 * @throws InputException listing the labels when none matches
	 */
	public static CommandInfo byLabel(final Context context, final String label) {
		final String want = normalise(label);
		final List<String> labels = new ArrayList<>();
		for (final CommandInfo info : all(context)) {
			if (normalise(info.get(LABEL)).equals(want)) return info;
			labels.add(info.get(LABEL));
		}
		throw new InputException("There is no HarmonIJ command \"" + label + "\". Commands: " +
			String.join("; ", labels));
	}

	/** @return the command with subcommand name {@code name}, or null */
	public static CommandInfo byCli(final Context context, final String name) {
		for (final CommandInfo info : all(context))
			if (name.equals(info.get(CLI))) return info;
		return null;
	}

	/** @return the command implemented by {@code c} */
	public static CommandInfo byClass(final Context context,
		final Class<? extends Command> c)
	{
		return context.service(CommandService.class).getCommand(c);
	}

	/** @return the user-facing inputs of a command (services and other framework items left out) */
	public static List<ModuleItem<?>> userInputs(final CommandInfo info) {
		final List<ModuleItem<?>> items = new ArrayList<>();
		for (final ModuleItem<?> item : info.inputs()) {
			final Class<?> t = item.getType();
			if (SciJavaService.class.isAssignableFrom(t) ||
				org.scijava.service.Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t))
				continue;
			items.add(item);
		}
		return items;
	}

	/**
	 * Converts text options (from a macro string or command-line flags) to typed inputs, and
	 * checks them: unknown keys, numbers, booleans, choices and required values.
	 *
	 * @throws InputException listing every problem, with the allowed keys
	 */
	public static Map<String, Object> inputs(final CommandInfo info,
		final Map<String, String> options)
	{
		final Map<String, Object> inputs = new LinkedHashMap<>();
		final List<String> problems = new ArrayList<>();
		final List<ModuleItem<?>> items = userInputs(info);
		final List<String> keys = new ArrayList<>();
		for (final ModuleItem<?> item : items)
			keys.add(item.getName());
		for (final String key : options.keySet()) {
			if (keys.contains(key)) continue;
			final String near = Names.closest(key, keys);
			problems.add("\"" + key + "\" is not an option of " + info.get(LABEL) + (near == null
				? "" : " (did you mean " + near + "?)") + "; its options are: " + String.join(", ",
					keys) + ".");
		}
		for (final ModuleItem<?> item : items) {
			final String key = item.getName();
			final String text = options.get(key);
			final Class<?> t = item.getType();
			if (text == null) {
				// A checkbox left out of a macro string is off; other values keep the command's
				// default, and each command checks its own required values.
				if (t == boolean.class || t == Boolean.class) inputs.put(key, false);
				continue;
			}
			try {
				inputs.put(key, convert(text, t));
				if (t == File.class) UserPaths.of(key + "=", text);
			}
			catch (final NumberFormatException e) {
				problems.add(key + "=" + text + " is not a number.");
				continue;
			}
			catch (final InputException e) {
				problems.add(e.getMessage());
				continue;
			}
			final List<?> choices = item.getChoices();
			if (choices != null && !choices.isEmpty() && !choices.contains(inputs.get(key))) {
				final List<String> names = new ArrayList<>();
				for (final Object c : choices)
					names.add(String.valueOf(c));
				final String near = Names.closest(text, names);
				problems.add(key + "=" + text + " is not one of: " + choices + (near == null ? ""
					: " (did you mean " + near + "?)") + ".");
			}
		}
		InputException.throwIfAny("The options have " + problems.size() + " problems:", problems);
		return inputs;
	}

	/**
	 * Runs a command and waits for it. Inputs are not persisted (a later run never inherits an old
	 * value) and no pre/post-processing UI is involved.
	 *
	 * @throws InputException with the command's cancel reason if it canceled
	 */
	public static CommandModule run(final Context context, final CommandInfo info,
		final Map<String, Object> inputs)
	{
		return run(context, info, inputs, module -> {});
	}

	/**
	 * As {@link #run(Context, CommandInfo, Map)}, telling {@code started} the module before it runs
	 * (the ImageJ 1.x bridge uses it to cancel the run when Esc is pressed).
	 */
	public static CommandModule run(final Context context, final CommandInfo info,
		final Map<String, Object> inputs, final Consumer<CommandModule> started)
	{
		final ModuleService modules = context.service(ModuleService.class);
		final CommandModule module = (CommandModule) modules.createModule(info);
		// In RUNNING before any work, then the stop flag: a stopAll either sees this module in
		// RUNNING (and cancels it) or has set its flag before this check (and nothing starts).
		RUNNING.add(module);
		final String stop = stopping;
		if (stop != null) {
			synchronized (RUNNING) {
				RUNNING.remove(module);
				RUNNING.notifyAll();
			}
			throw new InputException(stop);
		}
		started.accept(module);
		try {
			modules.run(module, false, inputs).get();
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new InputException("Interrupted; nothing was written.");
		}
		catch (final ExecutionException e) {
			final Throwable cause = e.getCause();
			if (cause instanceof InputException) throw (InputException) cause;
			if (cause instanceof RuntimeException) throw (RuntimeException) cause;
			throw new IllegalStateException(cause);
		}
		finally {
			synchronized (RUNNING) {
				RUNNING.remove(module);
				RUNNING.notifyAll();
			}
		}
		// A cancel that arrives after the command finished (Esc pressed as it committed its
		// outputs) does not undo them: the command returned its summary, the results exist.
		if (module.isCanceled() && !finished(module)) {
			final String reason = module.getCancelReason();
			throw new InputException(reason == null ? "Canceled." : reason);
		}
		return module;
	}

	/**
	 * Whether the command ran to its end: every command returns a summary, and one that failed or
	 * was canceled returns none ({@link CommandSupport#run}).
	 */
	static boolean finished(final CommandModule module) {
		return module.getInfo().getOutput(SUMMARY) != null && module.getOutput(SUMMARY) != null;
	}

	/** The output every command returns when it ran to its end. */
	static final String SUMMARY = "summary";

	/**
	 * Asks a running module to stop; its command leaves no partial outputs. The cancel falls
	 * wholly before or after the command's commit of its output folder
	 * ({@link OutputFolder#cancelling}): before, nothing is committed.
	 */
	public static void cancel(final CommandModule module, final String reason) {
		final Object command = module.getDelegateObject();
		if (command instanceof Cancelable) OutputFolder.cancelling(() -> ((Cancelable) command)
			.cancel(reason));
	}

	/**
	 * Cancels every command running through {@link #run} in this JVM (the command line does so
	 * on SIGINT and SIGTERM) and waits until they have ended, that is removed their work areas,
	 * or until {@code waitMillis} have passed.
	 *
	 * @return whether none is running any more
	 */
	public static boolean cancelAll(final String reason, final long waitMillis) {
		final long deadline = System.nanoTime() + waitMillis * 1_000_000L;
		for (final CommandModule module : RUNNING.toArray(new CommandModule[0]))
			cancel(module, reason);
		synchronized (RUNNING) {
			try {
				for (long left = waitMillis; !RUNNING.isEmpty() && left > 0; left = (deadline -
					System.nanoTime()) / 1_000_000L)
					RUNNING.wait(left);
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			return RUNNING.isEmpty();
		}
	}

	/**
	 * Stops this JVM's commands for good (the command line's SIGINT and SIGTERM hook): from now on
	 * no command starts through {@link #run} and none commits its output folder (their cancel flag,
	 * {@link CommandSupport#canceled}, includes this), even one that registers after this call;
	 * then cancels those running as {@link #cancelAll} does.
	 *
	 * @return whether none is running any more
	 */
	public static boolean stopAll(final String reason, final long waitMillis) {
		stop(reason);
		return cancelAll(reason, waitMillis);
	}

	/** The first half of {@link #stopAll}: sets the flag, cancels nothing yet. */
	static void stop(final String reason) {
		// Under the commit lock: a commit in progress ends before, or sees the flag.
		OutputFolder.cancelling(() -> stopping = reason);
	}

	/** @return whether {@link #stopAll} was called: no command may start or commit */
	public static boolean stopping() {
		return stopping != null;
	}

	/** @return the reason given to {@link #stopAll}, or null */
	static String stopReason() {
		return stopping;
	}

	/** For tests only: lets commands start again after {@link #stopAll}. */
	static void resetStopping() {
		stopping = null;
	}

	/** The reason given to {@link #stopAll}, or null. */
	private static volatile String stopping;

	/** The modules running through {@link #run}. */
	private static final Set<CommandModule> RUNNING = ConcurrentHashMap.newKeySet();

	/**
	 * @return each user input's default: the initial value of the command's field (what the
	 *         dialog shows and what a left-out option keeps)
	 */
	public static Map<String, Object> defaults(final CommandInfo info) {
		final Map<String, Object> map = new LinkedHashMap<>();
		final Object command;
		try {
			command = info.createInstance();
		}
		catch (final InstantiableException e) {
			return map;
		}
		for (final ModuleItem<?> item : userInputs(info))
			for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
				try {
					final Field f = c.getDeclaredField(item.getName());
					f.setAccessible(true);
					map.put(item.getName(), f.get(command));
					break;
				}
				catch (final NoSuchFieldException e) {
					// declared in a superclass
				}
				catch (final IllegalAccessException e) {
					break;
				}
			}
		return map;
	}

	// -- Helper methods --

	private static Object convert(final String text, final Class<?> t) {
		if (t == String.class) return text;
		if (t == File.class) return new File(text);
		if (t == boolean.class || t == Boolean.class) {
			final String s = text.trim().toLowerCase(Locale.ROOT);
			if (s.equals("true") || s.equals("yes") || s.equals("1") || s.equals("on")) return true;
			if (s.equals("false") || s.equals("no") || s.equals("0") || s.equals("off")) return false;
			throw new NumberFormatException(text);
		}
		if (t == int.class || t == Integer.class) return Integer.parseInt(text.trim());
		if (t == long.class || t == Long.class) return Long.parseLong(text.trim());
		if (t == double.class || t == Double.class) return Double.parseDouble(text.trim());
		if (t == float.class || t == Float.class) return Float.parseFloat(text.trim());
		return text;
	}

	private static String normalise(final String label) {
		String s = label.trim().toLowerCase(Locale.ROOT);
		while (s.endsWith("."))
			s = s.substring(0, s.length() - 1);
		return s.trim();
	}
}
