//! Prints the covariate tables of every named population as Markdown (the body of
//! `docs/population.md`) and the physiology tables: `cargo run -p population --example population_table`.

fn main() {
    println!("## Physiology tables\n");
    print!("{}", population::iiv::markdown_tables());
    println!();
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
