//! The bundled protocols parse and validate, and say what they should.

use protocol::schema::{EndpointKind, Measure, PathogenReduction};
use protocol::{Product, Value, Variable, parse_protocol};

fn load(name: &str) -> protocol::Protocol {
    let path = format!("{}/../../protocols/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("bundled protocol exists");
    parse_protocol(&path, &text).unwrap_or_else(|e| panic!("{path}: {:#?}", e.diagnostics))
}

#[test]
fn seed_trial_matches_the_registry_and_the_brief() {
    let p = load("nct04385043-hyperimmune-plasma.toml");
    assert_eq!(p.study.id, "NCT04385043");
    assert_eq!(p.study.enrollment, Some(400));
    assert_eq!(
        (p.minimum_age_years, p.maximum_age_years),
        (Some(18.0), Some(60.0))
    );
    assert_eq!(p.arms.len(), 2);
    assert!(p.arms.iter().all(|a| a.ratio == 1));
    let primary = p.primary_endpoint();
    assert_eq!(
        (primary.measure, primary.kind, primary.day),
        (Measure::Death, EndpointKind::Binary, 28)
    );
    assert_eq!(p.endpoints.len(), 8);

    let experimental: Vec<_> = p.arm_regimens(&p.arms[0]).collect();
    let plasma = experimental
        .iter()
        .find_map(|r| match &r.product {
            Product::Plasma(x) => Some((r, x)),
            _ => None,
        })
        .expect("experimental arm has plasma");
    assert_eq!(plasma.1.qualification_min_id50, 160.0);
    assert_eq!(
        plasma.1.pathogen_reduction,
        PathogenReduction::AmotosalenUva
    );
    assert_eq!(plasma.0.administration_days(), vec![0, 2]);
    assert!(
        p.arm_regimens(&p.arms[1])
            .all(|r| !matches!(r.product, Product::Plasma(_)))
    );

    // Screening: a 45-year-old on oxygen with P/F 200 is eligible; a 61-year-old is not.
    let patient = |age: f64| {
        move |v: Variable| match v {
            Variable::Age => Value::Number(age),
            Variable::RtPcrPositive => Value::Bool(true),
            Variable::WhoScore => Value::Number(5.0),
            Variable::PfRatio => Value::Number(200.0),
            Variable::BloodProductHypersensitivity => Value::Bool(false),
            _ => Value::Missing,
        }
    };
    assert!(p.eligible(&patient(45.0)));
    assert!(p.eligible(&patient(60.0)));
    assert!(!p.eligible(&patient(61.0)));
}

#[test]
fn msc_phase1_is_a_single_group_of_ten_on_bone_marrow_msc() {
    use protocol::registry::{Allocation, InterventionModel};
    use protocol::schema::MscSource;
    let p = load("nct04467047-msc-phase1.toml");
    assert_eq!(p.study.intervention_model, InterventionModel::SingleGroup);
    assert_eq!(p.study.allocation, Allocation::Na);
    assert_eq!(p.simulation.patients, 10);
    assert_eq!(p.arms.len(), 1);
    let msc = p.regimens.iter().find_map(|r| match &r.product {
        Product::Msc(x) => Some(x),
        _ => None,
    });
    let msc = msc.expect("MSC regimen");
    assert_eq!(
        (msc.source, msc.cells_per_kg, msc.infusions),
        (MscSource::BoneMarrow, Some(1e6), 1)
    );
    let primary = p.primary_endpoint();
    assert_eq!(
        (primary.measure, primary.kind),
        (Measure::Death, EndpointKind::TimeToEvent)
    );
    assert!(
        p.endpoints
            .iter()
            .any(|e| e.measure == Measure::AdverseEvent)
    );
    // exclusion: pregnancy
    let pregnant = |v: Variable| match v {
        Variable::RtPcrPositive => Value::Bool(true),
        Variable::WhoScore => Value::Number(6.0),
        Variable::Pregnant => Value::Bool(true),
        _ => Value::Missing,
    };
    assert!(!p.eligible(&pregnant));
}

#[test]
fn case_report_gives_first_line_then_plasma_then_three_msc_infusions() {
    let p = load("case-report-plasma-then-msc.toml");
    assert_eq!(p.simulation.patients, 1);
    let arm = &p.arms[0];
    let first_day = |key: &str| {
        p.arm_regimens(arm)
            .find(|r| r.product.key() == key)
            .map(|r| r.administration_days())
            .unwrap_or_else(|| panic!("no {key}"))
    };
    for key in [
        "lopinavir_ritonavir",
        "interferon_alpha",
        "ribavirin",
        "antibiotics",
        "methylprednisolone",
        "immunoglobulin",
    ] {
        assert_eq!(first_day(key)[0], 0, "{key} starts on day 0");
    }
    assert_eq!(first_day("plasma"), vec![3]);
    assert_eq!(first_day("msc"), vec![5, 8, 11]);
}
