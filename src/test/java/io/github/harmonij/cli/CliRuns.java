// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The command line run in this JVM, as the tests of its subcommands use it. */
final class CliRuns {

	private CliRuns() {}

	/** Runs {@code harmonij args...} (each argument's toString) and asserts exit 0. */
	static String run(final Object... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(out), new PrintStream(err)).execute(
			strings(args));
		assertEquals(0, status, String.join(" ", strings(args)) + "\n" + err.toString(
			StandardCharsets.UTF_8));
		return out.toString(StandardCharsets.UTF_8);
	}

	/** Runs {@code harmonij args...}, asserts exit 2 (bad input); returns its standard error. */
	static String fail(final Object... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(out), new PrintStream(err)).execute(
			strings(args));
		assertEquals(Harmonij.BAD_INPUT, status, out.toString(StandardCharsets.UTF_8));
		return err.toString(StandardCharsets.UTF_8);
	}

	private static String[] strings(final Object[] args) {
		final String[] s = new String[args.length];
		for (int i = 0; i < s.length; i++)
			s[i] = args[i].toString();
		return s;
	}
}
