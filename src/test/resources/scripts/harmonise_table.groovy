#@ CommandService cs
#@ File table
#@ File out
#@output String summary
// Harmonises a table of regional measures with ComBat, the way a Fiji script would:
// the same command and parameter names as the menu item, the macro and the harmonij CLI.
import io.github.harmonij.command.HarmoniseTableCommand

def module = cs.run(HarmoniseTableCommand, false,
	"table", table,
	"batch", "batch",
	"covariates", "age,sex",
	"categorical", "sex",
	"eb", "parametric",
	"out", out).get()
if (module.isCanceled()) throw new IllegalStateException(module.getCancelReason())
summary = module.getOutput("summary")
