// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.Checkbox;
import java.awt.Color;
import java.awt.Component;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.scijava.Context;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.event.EventSubscriber;
import org.scijava.module.ModuleItem;
import org.scijava.widget.FileWidget;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import io.github.harmonij.command.Commands;
import io.github.harmonij.command.MacroOptions;
import io.github.harmonij.core.InputException;

/**
 * The ImageJ 1.x face of a HarmonIJ command: {@code plugins.config} lists one entry per command,
 * with the command's class name as argument, e.g.
 * {@code Plugins>HarmonIJ, "Harmonise Cohort (ComBat)...", io.github.harmonij.ij1.CommandShim("io.github.harmonij.command.HarmoniseCohortCommand")}.
 * <p>
 * The shim shows a {@link GenericDialog} whose keys are the command's parameter names, so the
 * macro recorder writes a line that the shim, {@code harmonij run} and the command line all
 * accept; in a macro the dialog is filled from the options and not shown. It runs the command in
 * the shared context, shows progress in ImageJ's status bar and progress bar, and cancels the run
 * when Esc is pressed (ImageJ sets {@link IJ#escapePressed()}; a watcher polls it): the Log and
 * the status bar then say so, no dialog opens, and a running macro is aborted, as ImageJ does
 * on Esc (tested with the real key: {@code EscapeKeyIT}). Headless (no display), it reads the
 * macro options directly.
 * <p>
 * With a display, and outside batch-mode macros, it then shows the results through the
 * {@link ResultPresenter} that the display package provides; the command itself never opens a
 * window, so the recorder writes one {@code run(...)} line that replays to the same outputs. A table command also accepts the title
 * of an open table, {@code table=[Results]}, in place of a CSV file ({@link OpenTables}); its
 * result is then shown as a new table, also in batch mode.
 */
public class CommandShim implements PlugIn {

	/** What the Log window and the status bar say after Esc stopped a run. */
	static final String ESC_REASON = "Canceled with Esc; nothing was written.";

	/** Characters per line of a field's description under the field. */
	private static final int DESCRIPTION_WIDTH = 48;

	private static final Font DESCRIPTION_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

	@Override
	public void run(final String className) {
		HarmonijContext.withClassLoader(() -> {
			runCommand(className);
			return null;
		});
	}

	private void runCommand(final String className) {
		final Context context = HarmonijContext.get();
		final CommandInfo info;
		try {
			@SuppressWarnings("unchecked")
			final Class<? extends Command> c = (Class<? extends Command>) Class.forName(className,
				true, CommandShim.class.getClassLoader());
			info = Commands.byClass(context, c);
		}
		catch (final ClassNotFoundException e) {
			IJ.error("HarmonIJ", "HarmonIJ is not installed completely: " + className +
				" is missing.\nCopy the HarmonIJ jar into plugins/ and its dependencies into plugins/jars/.");
			return;
		}
		final Map<String, String> options;
		final String macroOptions = Macro.getOptions();
		if (GraphicsEnvironment.isHeadless()) options = MacroOptions.parse(macroOptions);
		else {
			options = dialog(info);
			if (options == null) return; // canceled
		}
		final StatusToImageJ status = new StatusToImageJ();
		final EventService events = context.service(EventService.class);
		// held until the run ends: the event service keeps a subscriber only while it is reachable
		final List<EventSubscriber<?>> subscribers = events.subscribe(status);
		final AtomicReference<CommandModule> running = new AtomicReference<>();
		final AtomicBoolean escaped = new AtomicBoolean();
		final Thread escWatcher = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				if (IJ.escapePressed() && running.get() != null) {
					escaped.set(true);
					Commands.cancel(running.get(), ESC_REASON);
					return;
				}
				try {
					Thread.sleep(100);
				}
				catch (final InterruptedException e) {
					return;
				}
			}
		}, "HarmonIJ Esc watcher");
		escWatcher.setDaemon(true);
		IJ.resetEscape();
		escWatcher.start();
		try {
			final String openTable = useOpenTable(info, options);
			final Map<String, Object> inputs = Commands.inputs(info, options);
			final CommandModule module = Commands.run(context, info, inputs, running::set);
			for (final ModuleItem<?> item : info.outputs()) {
				final Object value = item.getValue(module);
				if (value instanceof String) LogLines.log((String) value);
			}
			escWatcher.interrupt();
			if (openTable != null) ResultPresenter.find().showTable(new File(options.get("out"))
				.toPath(), openTable + " harmonised");
			else if (!GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode())
				ResultPresenter.find().show(className, inputs);
		}
		catch (final InputException e) {
			if (escaped.get()) {
				// The user's own Esc: say it where ImageJ says so (status bar, Log), with no dialog
				// to dismiss; after the module's last status events, which would overwrite it.
				status.close();
				LogLines.log("HarmonIJ: " + e.getMessage());
				IJ.showStatus(e.getMessage());
			}
			else {
				// In a macro, abort it with the message; interactively, say it in a dialog.
				if (macroOptions != null) LogLines.log("HarmonIJ: " + e.getMessage());
				IJ.error("HarmonIJ", e.getMessage());
			}
			if (macroOptions != null) Macro.abort();
		}
		finally {
			escWatcher.interrupt();
			events.unsubscribe(subscribers);
			IJ.showProgress(1.0);
		}
	}

	/**
	 * {@code table=[title]} naming an open table: writes it to a temporary CSV and puts that in
	 * the options, with a temporary output file unless {@code out} is given.
	 *
	 * @return the table's title, or null if {@code table} is not an open table
	 */
	private static String useOpenTable(final CommandInfo info, final Map<String, String> options) {
		if (GraphicsEnvironment.isHeadless() || !hasFileInput(info, "table"))
			return null;
		final String title = options.get("table");
		final ResultsTable rt = OpenTables.find(title);
		if (rt == null) return null;
		options.put("table", OpenTables.toCsv(rt, title.trim()).toString());
		final String out = options.get("out");
		if (out == null || out.trim().isEmpty()) {
			if ("true".equals(options.get("report"))) throw new InputException("A report of the open " +
				"table \"" + title.trim() + "\" needs a place to stay: set out=[folder/" + title.trim() +
				"_harmonised.csv] (the report is written beside it), or leave report off.");
			options.put("out", OpenTables.temporaryOutput(title.trim()).toString());
		}
		return title.trim();
	}

	/**
	 * The command's dialog: each field shows the parameter's label with its description beside it,
	 * while its key stays the parameter name, the macro key ({@link #labelled}); the Help button
	 * shows the command's section of docs/commands.md ({@link HelpPages}).
	 *
	 * @return the options the user chose, or null if the dialog was canceled
	 */
	private static Map<String, String> dialog(final CommandInfo info) {
		final String label = info.get(Commands.LABEL);
		final GenericDialog gd = new FittingDialog(label.replace("...", ""));
		final List<ModuleItem<?>> items = Commands.userInputs(info);
		final Map<String, Object> defaults = Commands.defaults(info);
		if (info.getDescription() != null) gd.addMessage(info.getDescription());
		final boolean tableCommand = hasFileInput(info, "table");
		for (final ModuleItem<?> item : items) {
			final String key = item.getName();
			final Class<?> t = item.getType();
			final Object def = defaults.get(key);
			final String text = def == null ? "" : def.toString();
			if (t == boolean.class || t == Boolean.class) gd.addCheckbox(key, Boolean.TRUE.equals(def));
			else if (item.getChoices() != null && !item.getChoices().isEmpty()) {
				final String[] choices = item.getChoices().stream().map(String::valueOf).toArray(
					String[]::new);
				gd.addChoice(key, choices, text.isEmpty() ? choices[0] : text);
			}
			else if (t == File.class) {
				if (FileWidget.DIRECTORY_STYLE.equals(item.getWidgetStyle())) gd.addDirectoryField(key,
					text, 40);
				else if (key.equals("table")) gd.addFileField(key, text.isEmpty() &&
					hasResults() ? "Results" : text, 40);
				else gd.addFileField(key, text, 40);
			}
			else if (Number.class.isAssignableFrom(box(t))) {
				final boolean integer = t == int.class || t == long.class || t == Integer.class;
				gd.addNumericField(key, def instanceof Number ? ((Number) def).doubleValue() : 0,
					integer ? 0 : 3, 10, null);
			}
			else gd.addStringField(key, text, 30);
			labelled(gd, item, t == boolean.class || t == Boolean.class);
			describe(gd, description(item, tableCommand, items));
		}
		final String help = HelpPages.html(label);
		if (help != null) gd.addHelp(help);
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		final Map<String, String> options = new LinkedHashMap<>();
		for (final ModuleItem<?> item : items) {
			final Class<?> t = item.getType();
			final String key = item.getName();
			if (t == boolean.class || t == Boolean.class) options.put(key, String.valueOf(gd
				.getNextBoolean()));
			else if (item.getChoices() != null && !item.getChoices().isEmpty()) options.put(key, gd
				.getNextChoice());
			else if (Number.class.isAssignableFrom(box(t))) {
				final double v = gd.getNextNumber();
				final boolean integer = t == int.class || t == long.class || t == Integer.class;
				options.put(key, integer ? String.valueOf((long) v) : String.valueOf(v));
			}
			else {
				final String v = gd.getNextString();
				if (!v.isEmpty()) options.put(key, v);
			}
		}
		return options;
	}

	/**
	 * Shows the parameter's label in place of its name on the field just added. GenericDialog
	 * records and reads macro options under the text the field was added with, which it keeps
	 * apart from the component, so the key stays the parameter name ({@code RecorderIT},
	 * {@code MacroIT}).
	 */
	private static void labelled(final GenericDialog gd, final ModuleItem<?> item,
		final boolean checkbox)
	{
		final String label = item.getLabel() == null || item.getLabel().isEmpty() ? item.getName()
			.replace('_', ' ') : item.getLabel();
		if (checkbox) ((Checkbox) gd.getCheckboxes().lastElement()).setLabel(label);
		else gd.getLabel().setText(label);
	}

	/** The field's description, with what a table command also accepts. */
	private static String description(final ModuleItem<?> item, final boolean tableCommand,
		final List<ModuleItem<?>> items)
	{
		final String d = item.getDescription() == null ? "" : item.getDescription();
		if (!tableCommand) return d;
		// the table commands write a CSV file; Table Site Effects writes a folder
		final boolean outTable = items.stream().anyMatch(i -> i.getName().equals("out") &&
			FileWidget.SAVE_STYLE.equals(i.getWidgetStyle()));
		switch (item.getName()) {
			case "table":
				return d + "; or the title of an open table (e.g. Results)";
			case "out":
				return outTable ? d + "; for an open table it may be left empty" : d;
			default:
				return d;
		}
	}

	/**
	 * Adds a description in small grey type beside the field just added, in a third column, so
	 * that the dialog grows in width rather than past the height of a laptop's screen; wrapped so
	 * that a long one stays a few lines.
	 */
	private static void describe(final GenericDialog gd, final String description) {
		if (description.isEmpty()) return;
		final String text = wrap(description, DESCRIPTION_WIDTH);
		gd.addMessage(text, DESCRIPTION_FONT, Color.DARK_GRAY);
		final GridBagLayout layout = (GridBagLayout) gd.getLayout();
		final Component message = gd.getMessage();
		final Component fieldComponent = gd.getComponent(gd.getComponentCount() - 2);
		final GridBagConstraints field = layout.getConstraints(fieldComponent);
		// text fields span the remaining columns; keep each field in its own
		if (field.gridwidth != 1) {
			field.gridwidth = 1;
			layout.setConstraints(fieldComponent, field);
		}
		final GridBagConstraints c = layout.getConstraints(message);
		// the message's own row, left empty, takes no height
		c.gridx = 2;
		c.gridy = field.gridy;
		c.gridwidth = GridBagConstraints.REMAINDER;
		c.anchor = GridBagConstraints.WEST;
		// a Label (one line) draws its text 4 pixels left of a MultiLineLabel's
		c.insets = new Insets(field.insets.top, text.contains("\n") ? 10 : 14, 0, 0);
		layout.setConstraints(message, c);
	}

	/** Breaks text into lines of at most {@code width} characters at spaces. */
	static String wrap(final String text, final int width) {
		final StringBuilder sb = new StringBuilder();
		int line = 0;
		for (final String word : text.split(" ")) {
			if (line > 0 && line + 1 + word.length() > width) {
				sb.append('\n');
				line = 0;
			}
			else if (line > 0) {
				sb.append(' ');
				line++;
			}
			sb.append(word);
			line += word.length();
		}
		return sb.toString();
	}

	private static boolean hasFileInput(final CommandInfo info, final String name) {
		for (final ModuleItem<?> item : Commands.userInputs(info))
			if (item.getName().equals(name) && item.getType() == File.class) return true;
		return false;
	}

	private static boolean hasResults() {
		final ResultsTable rt = ResultsTable.getResultsTable();
		return rt != null && rt.size() > 0;
	}

	private static Class<?> box(final Class<?> t) {
		if (t == int.class) return Integer.class;
		if (t == long.class) return Long.class;
		if (t == double.class) return Double.class;
		if (t == float.class) return Float.class;
		return t;
	}

	/**
	 * Shows the commands' status and progress in ImageJ's status bar and progress bar, until
	 * closed (events published during a run may be delivered after it has ended).
	 */
	public static final class StatusToImageJ {

		private volatile boolean closed;

		void close() {
			closed = true;
		}

		@EventHandler
		public void onEvent(final StatusEvent e) {
			if (closed) return;
			if (e.getStatusMessage() != null) IJ.showStatus(e.getStatusMessage());
			if (e.getProgressMaximum() > 0) IJ.showProgress(e.getProgressValue(), e
				.getProgressMaximum());
		}
	}
}
