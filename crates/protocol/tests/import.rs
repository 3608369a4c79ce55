//! Importing ClinicalTrials.gov API v2 records: the three reconstructed 2020 records in
//! `fixtures/` (copied from the project's registry notes) and one complete, real-shaped record.

use protocol::ctgov::import_json;
use protocol::registry::{Allocation, ArmGroupType, InterventionModel, Masking, Status};
use protocol::schema::{Measure, MscSource, PlasmaKind};
use protocol::{Product, Protocol, parse_protocol};

fn import(name: &str) -> (String, Protocol) {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).expect("fixture exists");
    let toml = import_json(&json).expect("record imports");
    let protocol =
        parse_protocol(name, &toml).unwrap_or_else(|e| panic!("{toml}\n{:#?}", e.diagnostics));
    (toml, protocol)
}

#[test]
fn catanzaro_plasma_rct_becomes_plasma_plus_standard_vs_standard() {
    let (toml, p) = import("NCT04385043.partial-v2.json");
    assert_eq!(p.study.id, "NCT04385043");
    assert_eq!(p.study.acronym.as_deref(), Some("COV2-CP"));
    assert_eq!(p.study.status, Some(Status::Recruiting));
    assert_eq!(p.study.allocation, Allocation::Randomized);
    assert_eq!(p.study.enrollment, Some(400));
    assert_eq!(p.simulation.patients, 400);
    assert_eq!(
        (p.minimum_age_years, p.maximum_age_years),
        (Some(18.0), Some(60.0))
    );
    // age and sex become computable; the text is kept verbatim
    let inclusion: Vec<&str> = p.inclusion.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(inclusion, ["age in [18, 60]"]);
    assert!(
        p.study
            .eligibility_text
            .as_deref()
            .unwrap()
            .starts_with("Inclusion Criteria:\n\n* inclusion criteria for donors")
    );
    // no armGroups: arms built from interventions, standard therapy in both
    let labels: Vec<&str> = p.arms.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(
        labels,
        ["plasma hyperimmune + standard therapy", "Standard therapy"]
    );
    assert_eq!(p.arms[1].arm_type, ArmGroupType::ActiveComparator);
    let products: Vec<Vec<&str>> = p
        .arms
        .iter()
        .map(|a| p.arm_regimens(a).map(|r| r.product.key()).collect())
        .collect();
    assert_eq!(products, [vec!["bundle", "plasma"], vec!["bundle"]]);
    let plasma = p.regimens.iter().find_map(|r| match &r.product {
        Product::Plasma(x) => Some(x),
        _ => None,
    });
    assert_eq!(plasma.unwrap().kind, PlasmaKind::Hyperimmune);
    assert_eq!(plasma.unwrap().qualification_min_id50, 160.0);
    // "decrease in mortality" has no time frame: death by day 28, marked as an assumption
    let primary = p.primary_endpoint();
    assert_eq!((primary.measure, primary.day), (Measure::Death, 28));
    assert!(toml.contains("day = 28  # ASSUMPTION"));
    assert!(toml.contains("ratio = 1  # ASSUMPTION"));
}

#[test]
fn pavia_single_group_plasma_keeps_outcome_time_frames_and_sites() {
    let (toml, p) = import("NCT04321421.partial-v2.json");
    assert_eq!(p.study.intervention_model, InterventionModel::SingleGroup);
    assert_eq!(p.arms.len(), 1);
    assert_eq!(p.minimum_age_years, Some(18.0));
    assert_eq!(p.maximum_age_years, None);
    assert_eq!(p.inclusion[0].text, "age >= 18");
    // primary "death ... within 7 days"
    let primary = p.primary_endpoint();
    assert_eq!((primary.measure, primary.day), (Measure::Death, 7));
    // secondary: time to extubation (7 d), viral load and immune response at days 1, 3, 7
    let measures: Vec<(Measure, u32)> = p
        .endpoints
        .iter()
        .filter(|e| !e.primary)
        .map(|e| (e.measure, e.day))
        .collect();
    assert_eq!(
        measures,
        [
            (Measure::Extubation, 7),
            (Measure::ViralLoad, 7),
            (Measure::NeutralizingTiter, 7)
        ]
    );
    assert_eq!(p.study.sites.len(), 2);
    assert_eq!(p.study.sites[0].facility, None);
    assert_eq!(p.study.sites[1].city.as_deref(), Some("Mantova"));
    assert_eq!(
        p.study.outcomes.len(),
        6,
        "all registered outcomes kept as text"
    );
    assert!(toml.contains("Cesare Perotti, MD"));
}

#[test]
fn porto_alegre_msc_is_single_group_bone_marrow_msc() {
    let (toml, p) = import("NCT04467047.partial-v2.json");
    assert_eq!(p.study.intervention_model, InterventionModel::SingleGroup);
    assert_eq!(p.simulation.patients, 10);
    assert!(
        p.inclusion.is_empty(),
        "no ages in the record and sex ALL: nothing computable"
    );
    let msc = p.regimens.iter().find_map(|r| match &r.product {
        Product::Msc(x) => Some(x),
        _ => None,
    });
    let msc = msc.expect("MSC intervention recognised");
    assert_eq!(msc.source, MscSource::BoneMarrow);
    assert_eq!(msc.cells_per_kg, Some(1e6));
    assert!(toml.contains("ASSUMPTION: bone marrow unless the record says otherwise"));
    // "Overall survival" has no time frame
    let primary = p.primary_endpoint();
    assert_eq!((primary.measure, primary.day), (Measure::Death, 28));
}

#[test]
fn complete_record_maps_arm_groups_masking_and_outcomes() {
    let (toml, p) = import("complete-msc-rct.v2.json");
    assert_eq!(p.study.masking, Some(Masking::Triple));
    assert_eq!(p.study.who_masked.len(), 3);
    let labels: Vec<&str> = p.arms.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["UC-MSC", "Placebo"]);
    // "Biological: UC-MSC" joins the intervention "UC-MSC"; the placebo is not a product
    let first: Vec<&str> = p
        .arm_regimens(&p.arms[0])
        .map(|r| r.product.key())
        .collect();
    assert_eq!(first, ["msc", "bundle"]);
    let second: Vec<&str> = p
        .arm_regimens(&p.arms[1])
        .map(|r| r.product.key())
        .collect();
    assert_eq!(second, ["bundle"]);
    let msc = p.regimens.iter().find_map(|r| match &r.product {
        Product::Msc(x) => Some(x),
        _ => None,
    });
    assert_eq!(msc.unwrap().source, MscSource::UmbilicalCord);
    let primary = p.primary_endpoint();
    assert_eq!((primary.measure, primary.day), (Measure::AdverseEvent, 31));
    let secondary: Vec<(Measure, u32)> = p
        .endpoints
        .iter()
        .filter(|e| !e.primary)
        .map(|e| (e.measure, e.day))
        .collect();
    assert_eq!(secondary, [(Measure::Death, 90), (Measure::Il6, 6)]);
    assert_eq!(p.simulation.follow_up_days, 90);
    assert_eq!(p.inclusion[0].text, "age >= 18");
    assert!(toml.contains("intervention Placebo (OTHER) is not a product immunotrial simulates"));
}

#[test]
fn records_without_protocol_section_are_refused() {
    assert!(import_json("{\"hasResults\": false}").is_err());
    assert!(import_json("not json").is_err());
}
