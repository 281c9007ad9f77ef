// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The status and progress of a command on the command line's stderr. Each step's message gets a
 * line; a step that has run for {@link #QUIET_NANOS} or more also shows its progress, on one line
 * that updates: in a terminal the step's own line, rewritten in place ({@code Reading 60 images
 * 40 %}); in a file or pipe, where lines cannot be rewritten, one line below the step that grows
 * by tens ({@code   10 % 20 % 30 %}) and ends at 100 %. A step that ends within that time prints
 * no percentages: a table job of 0.06 s is not worth "20 % 50 % 70 % 100 %".
 * <p>
 * Thread-safe: the engine reports progress from its worker threads. Percentages never go back
 * within a step, since workers may report their blocks slightly out of order.
 */
final class StatusPrinter {

	/** How long a step runs before its progress is shown. */
	static final long QUIET_NANOS = 1_000_000_000L;

	private final PrintStream err;

	private final boolean terminal;

	private final LongSupplier clock;

	/** The current step's message, or null before the first. */
	private String step;

	/** When the current step began ({@link #clock}). */
	private long stepStart;

	/** The percentage (terminal) or tens of percent (file) shown for this step; -1 for none. */
	private int shown = -1;

	/** Whether the last line written has no line end yet. */
	private boolean open;

	/**
	 * @param terminal whether {@code err} is a terminal (lines may be rewritten with a carriage
	 *          return)
	 * @param clock nanoseconds, as {@link System#nanoTime}
	 */
	StatusPrinter(final PrintStream err, final boolean terminal, final LongSupplier clock) {
		this.err = err;
		this.terminal = terminal;
		this.clock = clock;
		stepStart = clock.getAsLong();
	}

	/** A new step (a status message); empty and repeated messages are ignored. */
	synchronized void status(final String message) {
		if (message == null || message.isEmpty() || message.equals(step)) return;
		endLine();
		step = message;
		stepStart = clock.getAsLong();
		shown = -1;
		if (terminal) {
			err.print(message);
			open = true;
		}
		else err.println(message);
		err.flush();
	}

	/** Progress of the current step: {@code done} of {@code total}. */
	synchronized void progress(final long done, final long total) {
		if (total <= 0 || clock.getAsLong() - stepStart < QUIET_NANOS) return;
		final int percent = (int) Math.max(0, Math.min(100, 100 * done / total));
		if (terminal) {
			if (percent <= shown) return;
			shown = percent;
			err.print("\r" + (step == null ? "" : step + "  ") + percent + " %");
			open = true;
		}
		else {
			final int tens = percent / 10;
			if (tens <= shown) return;
			shown = tens;
			err.print((open ? " " : "  ") + 10 * tens + " %");
			open = true;
			if (tens == 10) endLine();
		}
		err.flush();
	}

	/** Ends the line in progress, if any: the command has ended, or something else is printed. */
	synchronized void finish() {
		endLine();
		err.flush();
	}

	// -- Helper methods --

	private void endLine() {
		if (open) err.println();
		open = false;
	}
}
