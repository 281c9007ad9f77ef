// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import java.util.Collections;

import org.scijava.Context;
import org.scijava.Priority;
import org.scijava.app.DefaultStatusService;
import org.scijava.app.StatusService;
import org.scijava.plugin.PluginIndex;
import org.scijava.plugin.PluginInfo;
import org.scijava.service.Service;

/**
 * The command line's {@link StatusService}: hands the commands' status and progress to a
 * {@link StatusPrinter} on the calling thread. SciJava's own service publishes them as events
 * delivered later on pool threads, in any order, so a step's last "100 %" could be printed after
 * the next step's message, or after the command's result.
 * <p>
 * It has no {@code @Plugin} annotation: only the command line's context ({@link #newContext}) has
 * it; ImageJ's keeps SciJava's service and its status bar.
 */
public final class CliStatusService extends DefaultStatusService {

	private volatile StatusPrinter printer;

	/** A context of every service, with this one as its status service. */
	static Context newContext() {
		final PluginIndex plugins = new PluginIndex();
		final PluginInfo<Service> info = new PluginInfo<>(CliStatusService.class, Service.class);
		info.setPriority(Priority.HIGH);
		plugins.add(info);
		return new Context(Collections.singletonList(Service.class), plugins);
	}

	/** @return the printer of the context's status service, printing to {@code printer} */
	static StatusPrinter printTo(final Context context, final StatusPrinter printer) {
		((CliStatusService) context.service(StatusService.class)).printer = printer;
		return printer;
	}

	@Override
	public void showProgress(final int value, final int maximum) {
		final StatusPrinter p = printer;
		if (p != null) p.progress(value, maximum);
	}

	@Override
	public void showStatus(final String message) {
		final StatusPrinter p = printer;
		// The module service's own "Running command: ..." lines say nothing new here.
		if (p != null && message != null && !message.startsWith("Running command") && !message
			.startsWith("Command finished") && !message.startsWith("Command canceled") && !message
				.startsWith("Canceling command")) p.status(message);
	}

	@Override
	public void showStatus(final int progress, final int maximum, final String message) {
		showStatus(message);
		showProgress(progress, maximum);
	}

	@Override
	public void showStatus(final int progress, final int maximum, final String message,
		final boolean warn)
	{
		if (warn) warn(message);
		else showStatus(progress, maximum, message);
	}

	/** A warning is a command's cancel reason: the command line prints it once, as the error. */
	@Override
	public void warn(final String message) {
		final StatusPrinter p = printer;
		if (p != null) p.finish();
	}

	/** The command has ended: the line in progress is finished. */
	@Override
	public void clearStatus() {
		final StatusPrinter p = printer;
		if (p != null) p.finish();
	}
}
