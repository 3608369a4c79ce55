//! docs/model.md embeds the parameter table generated from `PARAM_INFO`; this fails when the
//! two differ. Regenerate with: `UPDATE_DOCS=1 cargo test -p model --test docs`.

use std::path::PathBuf;

const BEGIN: &str = "<!-- BEGIN PARAMETER TABLE: generated from PARAM_INFO by `UPDATE_DOCS=1 cargo test -p model --test docs` -->\n";
const END: &str = "<!-- END PARAMETER TABLE -->";

#[test]
fn parameter_table_in_docs_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/model.md");
    let doc = std::fs::read_to_string(&path).expect("docs/model.md exists");
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let generated = model::params::markdown_table();
    if doc[start..end] != generated {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{}{}", &doc[..start], generated, &doc[end..]);
            std::fs::write(&path, updated).expect("write docs/model.md");
        } else {
            panic!(
                "docs/model.md parameter table is out of date with PARAM_INFO; run \
                 `UPDATE_DOCS=1 cargo test -p model --test docs`"
            );
        }
    }
}

#[test]
fn every_parameter_is_documented_and_its_default_is_inside_its_bounds() {
    for p in model::PARAM_INFO {
        assert!(p.lower <= p.default && p.default <= p.upper, "{}", p.name);
        assert!(
            !p.unit.is_empty() && !p.description.is_empty() && !p.source.is_empty(),
            "{}",
            p.name
        );
    }
    let defaults = model::Params::default();
    assert!(defaults.validate().is_ok());
    for p in model::PARAM_INFO {
        assert_eq!(defaults.get(p.name), Some(p.default));
    }
}
