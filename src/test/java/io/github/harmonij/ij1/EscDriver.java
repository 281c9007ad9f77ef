// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.Button;
import java.awt.Dialog;
import java.awt.EventQueue;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import org.scijava.command.CommandInfo;

import ij.IJ;
import ij.ImageJ;
import ij.gui.GenericDialog;

import io.github.harmonij.command.Commands;
import io.github.harmonij.command.MacroOptions;

/**
 * Test-side main for {@link EscapeKeyIT}: ImageJ 1.x the way a user starts it (its window shown,
 * not in batch mode), running a HarmonIJ command in one of two ways:
 * <ul>
 * <li>{@code EscDriver macro FILE.ijm ARG report.properties}: a macro file on the main thread, as
 * {@code ImageJ -macro FILE ARG} does;</li>
 * <li>{@code EscDriver menu "LABEL" "key=value ..." report.properties}: the menu command, its
 * dialog filled and confirmed as in {@link RecordDriver}.</li>
 * </ul>
 * The test presses Esc from outside, with xdotool. When the run ends, the driver writes what a
 * user would see to a report (a properties file): how long the run took, the Log window, the
 * status bar, the text of any modal dialog that opened after the run started (closed by a
 * watcher, so nothing waits for a click) and whether ImageJ still runs a macro and handles
 * events. It then stays open, with its window, until the test ends it.
 */
public final class EscDriver {

	/** Longest wait for the dialog, the run, a macro or the event queue. */
	private static final long TIMEOUT_S = 120;

	private static final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

	/** Dialogs are noted and closed once the run has started. */
	private static volatile boolean watching;

	private EscDriver() {}

	public static void main(final String[] args) throws Exception {
		final Path report = Paths.get(args[3]);
		new ImageJ();
		final Thread watcher = new Thread(EscDriver::closeDialogs, "EscDriver dialog watcher");
		watcher.setDaemon(true);
		watcher.start();
		final long start = System.nanoTime();
		final String result = args[0].equals("macro") ? runMacro(args[1], args[2]) : runMenu(
			args[1], args[2]);
		final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		Thread.sleep(1000); // a dialog, status or progress bar that shows as the run returns
		final Properties p = new Properties();
		p.setProperty("run_ms", String.valueOf(ms));
		p.setProperty("result", String.valueOf(result));
		p.setProperty("status", String.valueOf(ImageJ.getStatusBarText()));
		p.setProperty("log", String.valueOf(IJ.getLog()));
		p.setProperty("dialogs", String.join("\n", dialogs));
		p.setProperty("event_queue", String.valueOf(eventQueueAnswers()));
		p.setProperty("next_macro", String.valueOf(IJ.runMacro("return \"\" + (40 + 2);")));
		p.setProperty("window_showing", String.valueOf(IJ.getInstance() != null && IJ
			.getInstance().isShowing()));
		final Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
		try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
			p.store(w, "EscDriver");
		}
		Files.move(tmp, report, StandardCopyOption.ATOMIC_MOVE);
		Thread.sleep(Long.MAX_VALUE); // the test ends this process
	}

	// -- Helper methods --

	/** @return what the macro returned ("[aborted]" when it was aborted) */
	private static String runMacro(final String file, final String arg) {
		watching = true;
		return IJ.runMacroFile(file, arg);
	}

	/** Chooses the menu command, fills its dialog, presses OK and waits for the run to end. */
	private static String runMenu(final String label, final String options) throws Exception {
		IJ.doCommand(label);
		final GenericDialog gd = RecordDriver.waitForDialog(label.replace("...", ""));
		final CommandInfo info = HarmonijContext.withClassLoader(() -> Commands.all(HarmonijContext
			.get()).stream().filter(i -> label.equals(i.get(Commands.LABEL))).findFirst().get());
		EventQueue.invokeAndWait(() -> RecordDriver.fill(gd, Commands.userInputs(info),
			MacroOptions.parse(options)));
		final Button ok = gd.getButtons()[0];
		EventQueue.invokeAndWait(() -> gd.actionPerformed(new ActionEvent(ok,
			ActionEvent.ACTION_PERFORMED, ok.getLabel())));
		// Watch only once the command's own dialog has gone: on a busy machine the watcher could
		// otherwise note it between OK and its disposal, as if it were a dialog shown after Esc.
		// A dialog the run shows stays visible until dismissed, so the watcher still sees it.
		final long closed = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
		while (gd.isVisible() && System.nanoTime() < closed)
			Thread.sleep(20);
		watching = true;
		// ImageJ runs a menu command on a thread named after it
		final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
		while (System.nanoTime() < end && running(label))
			Thread.sleep(50);
		return running(label) ? "still running" : "ended";
	}

	private static boolean running(final String label) {
		for (final Thread t : Thread.getAllStackTraces().keySet())
			if (t.isAlive() && t.getName().contains(label)) return true;
		return false;
	}

	/** @return whether the event queue ran a task within {@link #TIMEOUT_S} seconds */
	private static boolean eventQueueAnswers() {
		final FutureTask<Boolean> task = new FutureTask<>(() -> true);
		EventQueue.invokeLater(task);
		try {
			return task.get(TIMEOUT_S, TimeUnit.SECONDS);
		}
		catch (final Exception e) {
			return false;
		}
	}

	/** Notes and closes every modal dialog once the run has started, so none waits for a click. */
	private static void closeDialogs() {
		final Set<Window> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		while (true) {
			if (watching) for (final Window w : Window.getWindows())
				if (w instanceof Dialog && w.isVisible() && ((Dialog) w).isModal() && seen.add(w)) {
					final StringBuilder text = new StringBuilder(((Dialog) w).getTitle());
					text.append(": ");
					MacroRunner.collectText(w, text);
					dialogs.add(text.toString().trim());
					EventQueue.invokeLater(w::dispose);
				}
			try {
				Thread.sleep(100);
			}
			catch (final InterruptedException e) {
				return;
			}
		}
	}
}
