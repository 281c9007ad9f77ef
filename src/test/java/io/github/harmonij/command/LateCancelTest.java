// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

import io.github.harmonij.core.InputException;

/**
 * A cancel (ImageJ's Esc) that arrives after a command finished does not turn its finished run
 * into an error that says nothing was written; one that arrives while it runs does.
 */
class LateCancelTest {

	/** Finishes, then is canceled; or, with {@code during}, is canceled inside its body. */
	public static class Late extends ContextCommand {

		static final String DURING = "Canceled with Esc while running; nothing was written.";

		@Parameter
		private LogService log;

		@Parameter
		private StatusService status;

		@Parameter
		private boolean during;

		@Parameter(type = ItemIO.OUTPUT)
		private String summary;

		@Override
		public void run() {
			summary = CommandSupport.run(this, log, status, () -> {
				if (during) {
					cancel(DURING);
					throw new CancellationException();
				}
				return "Harmonised; results in out";
			});
			if (!during) cancel("Canceled with Esc; nothing was written."); // as it returns
		}
	}

	@Test
	void aCancelAfterTheResultsExistLeavesTheRunFinished() {
		try (Context context = new Context()) {
			final CommandInfo info = new CommandInfo(Late.class);
			final Map<String, Object> inputs = new HashMap<>();
			inputs.put("during", false);
			final CommandModule m = Commands.run(context, info, inputs);
			assertEquals("Harmonised; results in out", m.getOutput("summary"));
			inputs.put("during", true);
			final InputException e = assertThrows(InputException.class, () -> Commands.run(context,
				info, inputs));
			assertEquals(Late.DURING, e.getMessage(), "the canceller's reason is kept");
		}
	}
}
