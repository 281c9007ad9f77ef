// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.CommandInfo;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.OutputFolder;

/**
 * The command line's signal hook ({@link Commands#stopAll}) stops commands that have not yet
 * registered: one that would start afterwards refuses to, and one that reaches its commit after
 * the hook began commits nothing.
 */
class StopAllTest {

	static final String REASON = "Stopped by a signal (Ctrl+C or kill); nothing was written.";

	/** Writes one file to out and commits; with {@code stop_first}, the hook begins before. */
	public static class Writes extends ContextCommand {

		@Parameter
		private LogService log;

		@Parameter
		private StatusService status;

		@Parameter
		private File out;

		@Parameter
		private boolean stop_first;

		@Parameter(type = ItemIO.OUTPUT)
		private String summary;

		@Override
		public void run() {
			summary = CommandSupport.run(this, log, status, () -> {
				try (OutputFolder folder = OutputFolder.create(out.toPath(), CommandSupport
					.canceled(this)))
				{
					Files.write(folder.path().resolve("a.txt"), new byte[] { 1 });
					// The hook begins now, before it could see this command (only its flag is set:
					// in the real race the module is not yet in RUNNING).
					if (stop_first) Commands.stop(REASON);
					folder.commit();
				}
				catch (final IOException e) {
					throw new InputException(e.toString());
				}
				return "Wrote " + out;
			});
		}
	}

	@AfterEach
	void reset() {
		Commands.resetStopping();
	}

	@Test
	void aCommandStartedAfterTheHookBeganRefusesToStart(@TempDir final Path dir) {
		try (Context context = new Context()) {
			Commands.stopAll(REASON, 100);
			final Map<String, Object> inputs = new HashMap<>();
			inputs.put("out", dir.resolve("out").toFile());
			final InputException e = assertThrows(InputException.class, () -> Commands.run(context,
				new CommandInfo(Writes.class), inputs));
			assertEquals(REASON, e.getMessage());
			assertFalse(Files.exists(dir.resolve("out")), "nothing committed");
			assertFalse(Files.exists(dir.resolve(".out.partial")), "no work area made");
			Commands.resetStopping();
			Commands.run(context, new CommandInfo(Writes.class), inputs);
			assertTrue(Files.exists(dir.resolve("out/a.txt")), "runs again once reset");
		}
	}

	@Test
	void aCommandTheHookMissedCommitsNothing(@TempDir final Path dir) {
		try (Context context = new Context()) {
			final Map<String, Object> inputs = new HashMap<>();
			inputs.put("out", dir.resolve("out").toFile());
			inputs.put("stop_first", true);
			final InputException e = assertThrows(InputException.class, () -> Commands.run(context,
				new CommandInfo(Writes.class), inputs));
			assertEquals(REASON, e.getMessage());
			assertFalse(Files.exists(dir.resolve("out")), "nothing committed");
			assertFalse(Files.exists(dir.resolve(".out.partial")), "work area removed");
		}
	}
}
