//! docs/protocol.md mentions every key of every table and every accepted value.
//!
//! The key lists are not copied by hand: they come from serde itself, by asking each table type
//! to deserialize an unknown key and reading the "expected one of …" list from the error.

use protocol::VARIABLES;
use protocol::registry::*;
use protocol::schema::*;
use serde::de::DeserializeOwned;

fn keys_of<T: DeserializeOwned>() -> Vec<String> {
    let err = toml::from_str::<T>("__not_a_key__ = 1")
        .err()
        .expect("unknown key is refused");
    names_after_expected(err.message())
}

fn values_of<T: DeserializeOwned>() -> Vec<String> {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrap<T> {
        v: T,
    }
    let err = toml::from_str::<Wrap<T>>("v = \"__not_a_value__\"")
        .err()
        .expect("unknown value is refused");
    names_after_expected(err.message())
}

fn names_after_expected(message: &str) -> Vec<String> {
    let expected = message
        .split(", expected ")
        .nth(1)
        .unwrap_or_else(|| panic!("no list in {message}"));
    let names: Vec<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(!names.is_empty(), "no names in {message}");
    names
}

#[test]
fn every_key_and_value_is_documented() {
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ))
    .expect("docs/protocol.md exists");
    let mut wanted: Vec<String> = Vec::new();
    wanted.extend(keys_of::<ProtocolFile>());
    wanted.extend(keys_of::<Study>());
    wanted.extend(keys_of::<Contact>());
    wanted.extend(keys_of::<Site>());
    wanted.extend(keys_of::<Outcome>());
    wanted.extend(keys_of::<Eligibility>());
    wanted.extend(keys_of::<ArmFile>());
    wanted.extend(keys_of::<RegimenFile>());
    wanted.extend(keys_of::<Plasma>());
    wanted.extend(keys_of::<DonorTiter>());
    wanted.extend(keys_of::<Msc>());
    wanted.extend(keys_of::<Dexamethasone>());
    wanted.extend(keys_of::<Remdesivir>());
    wanted.extend(keys_of::<LopinavirRitonavir>());
    wanted.extend(keys_of::<InterferonAlpha>());
    wanted.extend(keys_of::<Ribavirin>());
    wanted.extend(keys_of::<Methylprednisolone>());
    wanted.extend(keys_of::<Immunoglobulin>());
    wanted.extend(keys_of::<Antibiotics>());
    wanted.extend(keys_of::<Tocilizumab>());
    wanted.extend(keys_of::<Bundle>());
    wanted.extend(keys_of::<Endpoint>());
    wanted.extend(keys_of::<Analysis>());
    wanted.extend(keys_of::<Simulation>());
    wanted.extend(keys_of::<AllocationTable>());
    wanted.extend(keys_of::<FactorTable>());
    wanted.extend(keys_of::<LossToFollowUp>());
    wanted.extend(
        [
            "distribution",
            "min_days",
            "max_days",
            "shape",
            "scale_days",
            "median_days",
            "sdlog",
        ]
        .map(String::from),
    );
    wanted.extend(["uniform", "gamma", "lognormal"].map(String::from));
    wanted.extend(keys_of::<protocol::validation::Validation>());
    for values in [
        values_of::<Status>(),
        values_of::<StudyType>(),
        values_of::<Phase>(),
        values_of::<Allocation>(),
        values_of::<InterventionModel>(),
        values_of::<PrimaryPurpose>(),
        values_of::<Masking>(),
        values_of::<WhoMasked>(),
        values_of::<EnrollmentType>(),
        values_of::<ArmGroupType>(),
        values_of::<Sex>(),
        values_of::<ContactRole>(),
        values_of::<OutcomeKind>(),
        values_of::<ScheduleReference>(),
        values_of::<PlasmaKind>(),
        values_of::<PathogenReduction>(),
        values_of::<AboMatching>(),
        values_of::<MscSource>(),
        values_of::<Route>(),
        values_of::<BundleName>(),
        values_of::<Measure>(),
        values_of::<EndpointKind>(),
        values_of::<AnalysisPopulation>(),
        values_of::<AllocationMethod>(),
        values_of::<protocol::validation::EffectMeasure>(),
        values_of::<protocol::validation::CiKind>(),
        values_of::<protocol::validation::EffectSource>(),
    ] {
        wanted.extend(values);
    }
    for row in VARIABLES {
        wanted.push(row.name.to_string());
        if let protocol::VarType::Category(levels) = row.ty {
            wanted.extend(levels.iter().map(|l| l.to_string()));
        }
    }
    assert!(wanted.len() > 200, "the lists came back: {}", wanted.len());
    // Mentioned: in backticks in the text, as a key in an example (`name = …`, `[name]`,
    // `[[name]]`, `[regimen.name]`), or as a quoted value in an example.
    let mentioned = |name: &str| {
        [
            format!("`{name}`"),
            format!("\n{name} ="),
            format!("[{name}]"),
            format!(".{name}]"),
            format!("[[{name}]]"),
            format!("\"{name}\""),
        ]
        .iter()
        .any(|form| docs.contains(form.as_str()))
    };
    let missing: Vec<&String> = wanted.iter().filter(|name| !mentioned(name)).collect();
    assert!(
        missing.is_empty(),
        "docs/protocol.md does not mention: {missing:?}"
    );
}

#[test]
fn the_documented_example_validates() {
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ))
    .unwrap();
    let start = docs.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + docs[start..].find("```").unwrap();
    protocol::parse_protocol("docs/protocol.md", &docs[start..end])
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
}
