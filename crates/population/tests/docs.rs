//! docs/population.md carries the physiology tables and the list of missing variables exactly
//! as the code has them.

const DOCS: &str = include_str!("../../../docs/population.md");

#[test]
fn physiology_tables_are_in_the_docs() {
    assert!(
        DOCS.contains(&population::iiv::markdown_tables()),
        "regenerate with `cargo run -p population --example population_table`"
    );
}

#[test]
fn missing_variables_are_listed_in_the_docs() {
    for (var, why) in population::screening::MISSING_VARIABLES {
        assert!(DOCS.contains(&format!("| `{var}` | {why} |")), "{var}");
    }
}
