// Harmonises a table of regional volumes (one row per subject) with ComBat.
// Run: harmonij macro macros/harmonise_table.ijm "/path/volumes.csv /path/out.csv"
args = split(getArgument(), " ");
if (args.length < 2) exit("Give the input table and a new output file: \"in.csv out.csv\"");
run("Harmonise Table (ComBat)...", "table=[" + args[0] + "] batch=site covariates=[age,sex] categorical=[sex] eb=parametric out=[" + args[1] + "]");
print("Harmonised table: " + args[1]);
