//! Prints the covariate tables of every named population as Markdown (the body of
//! `docs/population.md`): `cargo run -p population --example population_table`.

fn main() {
    for spec in population::spec::all() {
        println!("## `{}`\n\n{}.\n", spec.name, spec.description);
        println!("| covariate | distribution | parameters | source |");
        println!("|---|---|---|---|");
        for row in spec.parameter_table() {
            println!(
                "| {} | {} | {} | {} |",
                row.name, row.distribution, row.parameters, row.source
            );
        }
        println!();
    }
}
