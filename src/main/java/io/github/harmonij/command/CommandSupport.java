// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import net.imglib2.parallel.Parallelization;

import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.service.Service;

import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.io.UserPaths;

/** What HarmonIJ's commands share: option parsing, progress, and error handling. */
final class CommandSupport {

	/**
	 * System property with the number of threads commands use (default: all cores). Results do not depend on it: work is split in fixed voxel blocks.
	 */
	static final String THREADS_PROPERTY = "harmonij.threads";

	private CommandSupport() {}

	/** "age, sex,,group" to [age, sex, group]. */
	static List<String> list(final String text) {
		final List<String> list = new ArrayList<>();
		if (text == null) return list;
		for (final String s : text.split(","))
			if (!s.trim().isEmpty()) list.add(s.trim());
		return list;
	}

	/** @return the value, or null for an empty text */
	static String blankToNull(final String text) {
		return text == null || text.trim().isEmpty() ? null : text.trim();
	}

	/**
	 * The empirical Bayes mode an add-site command asks for: null for "model" (or blank), the
	 * mode the saved model was fitted with.
	 */
	static EmpiricalBayes ebOrModel(final String eb) {
		final String e = blankToNull(eb);
		return e == null || "model".equals(e) ? null : EmpiricalBayes.parse(e);
	}

	/** @throws InputException naming the option when a required file is missing */
	static void require(final Object value, final String key, final String what) {
		if (value == null || value instanceof File && ((File) value).getPath().isEmpty())
			throw new InputException("The option " + key + "=... is required: " + what + ".");
	}

	/**
	 * The cancel flag a command gives the core and its output folder: canceled (Esc, a cancel
	 * from {@link Commands#cancelAll}) or the JVM stopping on a signal ({@link Commands#stopAll}).
	 */
	static BooleanSupplier canceled(final ContextCommand command) {
		return () -> command.isCanceled() || Commands.stopping();
	}

	/** Status messages to the status line; those starting "Warning: " also to the log. */
	static Consumer<String> messages(final StatusService status, final LogService log) {
		return m -> {
			if (m.startsWith(WARNING)) log.warn(m.substring(WARNING.length()));
			status.showStatus(m);
		};
	}

	private static final String WARNING = "Warning: ";

	/** Progress of the core, shown by the StatusService (ImageJ's bar, the CLI's percentages). */
	static Progress progress(final StatusService status) {
		return (done, total) -> status.showProgress((int) (1000 * done / Math.max(1, total)), 1000);
	}

	/**
	 * Runs the body of a command: bad input and cancel become {@code cancel(reason)} (the module
	 * reports it; macros and the CLI print it); nothing else is caught.
	 */
	static <T> T run(final ContextCommand command, final LogService log,
		final StatusService status, final Supplier<T> body)
	{
		// imglib2's default executor is sequential, and its common-pool executor reports one
		// thread fewer than the cores: ask for all cores unless told otherwise. The body runs on a
		// pool thread, so its user errors are caught there (the pool would wrap them).
		final int threads = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime()
			.availableProcessors());
		try {
			return Parallelization.runWithNumThreads(Math.max(1, threads), () -> {
				try {
					checkPaths(command);
					return body.get();
				}
				catch (final InvalidPathException e) {
					// A path made inside the command (a folder joined with a name) that this
					// locale cannot encode: the user's fix is the same as for a parameter.
					final String reason = UserPaths.refusal(null, e.getInput(), e).getMessage();
					log.debug(reason);
					command.cancel(reason);
				}
				catch (final InputException e) {
					// The cancel reason reaches the user: the CLI prints it, ImageJ shows it.
					log.debug(e.getMessage());
					command.cancel(e.getMessage());
				}
				catch (final CancellationException e) {
					// Keep the reason of whoever canceled (ImageJ's Esc says so).
					final String reason = command.getCancelReason() != null ? command
						.getCancelReason() : Commands.stopReason();
					command.cancel(reason != null ? reason : "Canceled; nothing was written.");
				}
				return null;
			});
		}
		finally {
			status.clearStatus();
		}
	}

	/**
	 * A command's input parameters, as the user set them, for run.json: by name (the macro key),
	 * in the order SciJava lists them (declaration order, superclass first). Files are absolute
	 * paths, or "" for none; other values are as set. Services, outputs and messages are not
	 * set by the user and are left out, so a new parameter is recorded without more code.
	 */
	static Map<String, Object> parameters(final ContextCommand command) {
		final Map<String, Object> values = new LinkedHashMap<>();
		for (final Field f : inputs(command)) {
			final Object v = value(f, command);
			if (f.getType() != File.class) values.put(f.getName(), v);
			else values.put(f.getName(), v == null || ((File) v).getPath().isEmpty() ? ""
				: ((File) v).getAbsolutePath());
		}
		return values;
	}

	/** @return the names of a command's file parameters, in the order of {@link #parameters} */
	static Set<String> fileParameters(final ContextCommand command) {
		final Set<String> names = new LinkedHashSet<>();
		for (final Field f : inputs(command))
			if (f.getType() == File.class) names.add(f.getName());
		return names;
	}

	/**
	 * run.json's invocation of a command that records every parameter by itself: the command's
	 * name, then its {@link #parameters}.
	 */
	static Map<String, Object> invocation(final String name, final ContextCommand command) {
		final Map<String, Object> invocation = new LinkedHashMap<>();
		invocation.put("command", name);
		invocation.putAll(parameters(command));
		return invocation;
	}

	/** "batch=site covariates=age,sex": parameters as run.json's options text. */
	static String optionsText(final Map<String, Object> parameters) {
		final StringJoiner text = new StringJoiner(" ");
		for (final Map.Entry<String, Object> e : parameters.entrySet())
			text.add(e.getKey() + "=" + e.getValue());
		return text.toString();
	}

	// -- Helper methods --

	/**
	 * The input parameters' fields, superclass first: what a user sets (not services or the
	 * context, which SciJava fills in, nor outputs or messages).
	 */
	private static List<Field> inputs(final ContextCommand command) {
		final List<Class<?>> classes = new ArrayList<>();
		for (Class<?> c = command.getClass(); c != ContextCommand.class; c = c.getSuperclass())
			classes.add(0, c);
		final List<Field> fields = new ArrayList<>();
		for (final Class<?> c : classes)
			for (final Field f : c.getDeclaredFields()) {
				final Parameter p = f.getAnnotation(Parameter.class);
				if (p == null || p.type() == ItemIO.OUTPUT || p.visibility() == ItemVisibility.MESSAGE ||
					Service.class.isAssignableFrom(f.getType()) || f.getType() == Context.class)
					continue;
				fields.add(f);
			}
		return fields;
	}

	private static Object value(final Field f, final Object command) {
		try {
			f.setAccessible(true);
			return f.get(command);
		}
		catch (final IllegalAccessException e) {
			throw new IllegalStateException("Cannot read the parameter " + f.getName(), e);
		}
	}

	/**
	 * Refuses, before any work, a file parameter that the platform cannot make into a path (a name
	 * with letters the locale's charset lacks), naming the parameter. Macros and the command line
	 * check this while parsing; scripts that set the fields directly are checked here.
	 */
	private static void checkPaths(final Object command) {
		for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass())
			for (final Field f : c.getDeclaredFields()) {
				if (f.getType() != File.class || !f.isAnnotationPresent(Parameter.class)) continue;
				final File file;
				try {
					f.setAccessible(true);
					file = (File) f.get(command);
				}
				catch (final IllegalAccessException | RuntimeException e) {
					continue; // not ours to read: the command itself will use it
				}
				if (file != null) UserPaths.of(f.getName(), file);
			}
	}
}
