// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.util.function.Supplier;

import org.scijava.Context;

/**
 * The one SciJava {@link Context} that HarmonIJ's ImageJ 1.x entry points share in a JVM.
 * <p>
 * ImageJ 1.x loads jars from {@code plugins/} with its own class loader, while SciJava discovers
 * plugins through the thread's context class loader; without setting it, the context finds no
 * services ("Class pool is empty"). Every call here sets it to the loader of HarmonIJ's classes
 * and restores it afterwards. In Fiji, where an ImageJ2 context already exists, that context is
 * used instead (through {@code net.imagej.legacy.IJ1Helper.getLegacyContext}, by reflection), so
 * commands see the same services as the rest of Fiji.
 */
public final class HarmonijContext {

	private static Context context;

	private HarmonijContext() {}

	/** @return the shared context, created on first use */
	public static synchronized Context get() {
		if (context == null) context = withClassLoader(HarmonijContext::create);
		return context;
	}

	/** Runs {@code task} with the thread context class loader set to HarmonIJ's loader. */
	public static <T> T withClassLoader(final Supplier<T> task) {
		final Thread t = Thread.currentThread();
		final ClassLoader old = t.getContextClassLoader();
		t.setContextClassLoader(HarmonijContext.class.getClassLoader());
		try {
			return task.get();
		}
		finally {
			t.setContextClassLoader(old);
		}
	}

	private static Context create() {
		final Context fiji = fijiContext();
		return fiji != null ? fiji : new Context();
	}

	/** Fiji keeps its context in ImageJ2's legacy hooks; reuse it when it is there. */
	private static Context fijiContext() {
		try {
			final Class<?> legacy = Class.forName("net.imagej.legacy.IJ1Helper", false,
				HarmonijContext.class.getClassLoader());
			final Object service = legacy.getMethod("getLegacyContext").invoke(null);
			return service instanceof Context ? (Context) service : null;
		}
		catch (final ReflectiveOperationException | LinkageError | RuntimeException e) {
			return null; // plain ImageJ 1.x
		}
	}
}
