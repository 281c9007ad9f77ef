// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.Component;
import java.awt.Container;
import java.awt.Dialog;
import java.awt.FileDialog;
import java.awt.Label;
import java.awt.TextComponent;
import java.awt.Window;
import java.io.File;

import javax.swing.JFileChooser;

import ij.IJ;
import ij.ImageJ;
import ij.macro.Interpreter;

/**
 * {@code harmonij macro FILE.ijm [ARG]}: runs an ImageJ macro in ImageJ 1.x with HarmonIJ's menus,
 * in batch mode, and exits when it ends; the Log window's text goes to standard output.
 * <p>
 * ImageJ 1.x reports a macro error in a modal dialog, which would wait forever on a machine
 * nobody looks at. A watcher closes any modal dialog that opens while the macro runs, prints its
 * text on standard error and exits with status 2. ImageJ 1.x needs a display for its menus:
 * run under {@code xvfb-run -a} on a server. The plugins folder comes from {@code -Dplugins.dir}.
 */
public final class MacroRunner {

	/** SciJava's system property for the level of its log. */
	static final String LOG_LEVEL = "scijava.log.level";

	private MacroRunner() {}

	public static void main(final String[] args) {
		if (args.length < 1) {
			System.err.println("Usage: harmonij macro FILE.ijm [ARG]");
			System.exit(2);
		}
		final File macro = new File(args[0]);
		if (!macro.isFile()) {
			System.err.println(macro + " does not exist; give the path of an ImageJ macro (.ijm).");
			System.exit(2);
		}
		if (java.awt.GraphicsEnvironment.isHeadless()) {
			System.err.println("harmonij macro needs a display for ImageJ's menus; on a server run " +
				"xvfb-run -a harmonij macro " + args[0] + " (or use harmonij run for one command).");
			System.exit(2);
		}
		// The commands log their summary at INFO, and the shim puts it in the Log window, which is
		// printed at the end: at WARN, each result line is printed once.
		if (System.getProperty(LOG_LEVEL) == null) System.setProperty(LOG_LEVEL, "warn");
		final ImageJ ij = new ImageJ(ImageJ.NO_SHOW);
		Interpreter.batchMode = true;
		LogLines.keepWhole(); // the Log goes to standard output, not to a window
		final Thread watcher = new Thread(() -> watchDialogs(args[0], args.length > 1 ? args[1]
			: null), "HarmonIJ dialog watcher");
		watcher.setDaemon(true);
		watcher.start();
		final String result = IJ.runMacroFile(macro.getAbsolutePath(), args.length > 1 ? args[1]
			: null);
		final String log = IJ.getLog();
		if (log != null && !log.isEmpty()) System.out.print(log.endsWith("\n") ? log : log + "\n");
		ij.exitWhenQuitting(true);
		System.exit("[aborted]".equals(result) ? 2 : 0);
	}

	private static void watchDialogs(final String macroName, final String macroArgument) {
		while (true) {
			for (final Window w : Window.getWindows())
				if (w instanceof Dialog && w.isVisible() && ((Dialog) w).isModal()) {
					System.err.println(dialogMessage((Dialog) w, macroName, macroArgument));
					final String log = IJ.getLog();
					if (log != null && !log.isEmpty()) System.out.print(log);
					System.exit(2);
				}
			try {
				Thread.sleep(200);
			}
			catch (final InterruptedException e) {
				return;
			}
		}
	}

	/**
	 * What to print for a modal dialog the macro opened. A file or folder chooser (the macro's
	 * {@code getDirectory} or {@code File.openDialog}, which macros use when they were given no
	 * argument) gets the command that passes the answer as the argument; any other dialog, its
	 * title and text.
	 *
	 * @param macro the macro's path as the user gave it
	 * @param argument the macro's argument, or null
	 */
	static String dialogMessage(final Dialog d, final String macro, final String argument) {
		final String title = d.getTitle() == null ? "" : d.getTitle().trim();
		final String asks = chooserOf(d);
		if (asks != null) return "harmonij macro: " + macro + " asks for " + asks + (title
			.isEmpty() ? "" : " (\"" + title + "\")") + ", and a macro run here cannot show a " +
			"dialog. " + (argument == null ? "Give it as the argument: harmonij macro " + macro +
				(asks.equals("a folder") ? " /path/to/folder" : " /path/to/file")
				: "It was given \"" + argument + "\": check that the macro reads it with " +
					"getArgument().");
		final StringBuilder text = new StringBuilder();
		collectText(d, text);
		final String t = text.toString().trim();
		return "harmonij macro: the macro stopped with a dialog" + (title.isEmpty() ? "" : " \"" +
			title + "\"") + (t.isEmpty() ? "." : ": " + t);
	}

	/** @return "a folder" or "a file" if the dialog chooses one, else null */
	private static String chooserOf(final Component c) {
		if (c instanceof FileDialog) return "a file";
		if (c instanceof JFileChooser) return ((JFileChooser) c)
			.getFileSelectionMode() == JFileChooser.DIRECTORIES_ONLY ? "a folder" : "a file";
		if (c instanceof Container) for (final Component child : ((Container) c).getComponents()) {
			final String s = chooserOf(child);
			if (s != null) return s;
		}
		return null;
	}

	/** ImageJ's message dialogs keep their text in a private field of MultiLineLabel. */
	private static String multiLineText(final Component label) {
		try {
			final java.lang.reflect.Field f = ij.gui.MultiLineLabel.class.getDeclaredField("lines");
			f.setAccessible(true);
			return String.join(" ", (String[]) f.get(label));
		}
		catch (final ReflectiveOperationException | RuntimeException e) {
			return "";
		}
	}

	/** Appends the text of a window's labels, text fields and message lines (for tests too). */
	static void collectText(final Component c, final StringBuilder text) {
		if (c instanceof Label) text.append(((Label) c).getText()).append(' ');
		else if (c instanceof TextComponent) text.append(((TextComponent) c).getText()).append(' ');
		else if (c instanceof ij.gui.MultiLineLabel) text.append(multiLineText(c)).append(' ');
		if (c instanceof Container) for (final Component child : ((Container) c).getComponents())
			collectText(child, text);
	}
}
