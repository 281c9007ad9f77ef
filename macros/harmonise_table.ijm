// Harmonises a table of regional volumes (one row per subject) with ComBat.
// Run: harmonij macro macros/harmonise_table.ijm "/path/volumes.csv /path/out.csv"
args = split(getArgument(), " ");
if (args.length < 2) exit("Give the input table and a new output file: \"in.csv out.csv\"");
// report: site tests before and after, box plots and report.html in a new folder beside the
// output table, named after it (out_report/ for out.csv)
run("Harmonise Table (ComBat)...", "table=[" + args[0] + "] batch=site covariates=[age,sex] categorical=[sex] eb=parametric report out=[" + args[1] + "]");
print("Harmonised table: " + args[1]);
print("Report: " + replace(args[1], "\\.[^./]*$", "") + "_report/report.html");
