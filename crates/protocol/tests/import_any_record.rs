//! Whatever a v2 record holds (odd codes, repeated labels, reversed ages, missing modules,
//! arbitrary text), the imported protocol validates as written.

use proptest::prelude::*;
use serde_json::{Value, json};

fn code(valid: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(valid).prop_map(|c| Some(c.to_string())),
        Just(Some("NOT_A_CODE".to_string())),
    ]
}

fn text() -> impl Strategy<Value = String> {
    // any characters, including quotes, backslashes, newlines and control characters
    proptest::collection::vec(any::<char>(), 0..40).prop_map(|cs| cs.into_iter().collect())
}

const NAMES: &[&str] = &[
    "Hyperimmune plasma",
    "Convalescent plasma",
    "Standard of care",
    "standard therapy",
    "Placebo",
    "UC-MSC",
    "Mesenchymal Stromal Cells infusion",
    "Dexamethasone",
    "Remdesivir",
    "Lopinavir/ritonavir",
    "Interferon alpha-2b",
    "Ribavirin",
    "Methylprednisolone",
    "IVIG",
    "Tocilizumab",
    "Meropenem",
    "Breathing exercises",
];

const MEASURES: &[&str] = &[
    "All-cause mortality",
    "Overall survival",
    "Time to clinical improvement",
    "WHO ordinal scale",
    "Lymphocyte count",
    "Viral load",
    "Adverse events",
    "Quality of life",
];

const AGES: &[&str] = &[
    "18 Years", "60 Years", "6 Months", "90 Years", "N/A", "eighteen",
];

fn record() -> impl Strategy<Value = Value> {
    let arms = proptest::collection::vec(
        (
            proptest::sample::select(&["A", "B", "Control", ""][..]),
            code(&["EXPERIMENTAL", "PLACEBO_COMPARATOR", "NO_INTERVENTION"]),
            proptest::collection::vec(proptest::sample::select(NAMES), 0..3),
        ),
        0..4,
    );
    let interventions = proptest::collection::vec(
        (
            proptest::sample::select(NAMES),
            code(&["DRUG", "BIOLOGICAL", "OTHER"]),
        ),
        0..5,
    );
    let outcomes = proptest::collection::vec(
        (
            proptest::sample::select(MEASURES),
            proptest::option::of(proptest::sample::select(
                &[
                    "28 days",
                    "Day 1, 3 and 7",
                    "400 days",
                    "4 weeks",
                    "forever",
                ][..],
            )),
        ),
        0..4,
    );
    let design = (
        code(&["RANDOMIZED", "NON_RANDOMIZED", "NA"]),
        code(&["SINGLE_GROUP", "PARALLEL", "CROSSOVER"]),
        code(&["NONE", "SINGLE", "DOUBLE", "TRIPLE"]),
        proptest::collection::vec(
            proptest::sample::select(
                &["PARTICIPANT", "INVESTIGATOR", "CARE_PROVIDER", "NOBODY"][..],
            ),
            0..4,
        ),
        proptest::option::of(any::<u32>()),
    );
    let eligibility = (
        proptest::option::of(proptest::sample::select(AGES)),
        proptest::option::of(proptest::sample::select(AGES)),
        code(&["ALL", "FEMALE", "MALE"]),
        proptest::option::of(text()),
    );
    (proptest::option::of(text()), text(), arms, interventions, outcomes, design, eligibility).prop_map(
        |(nct, title, arms, interventions, outcomes, design, eligibility)| {
            let (allocation, model, masking, who, count) = design;
            let (min_age, max_age, sex, criteria) = eligibility;
            json!({"protocolSection": {
                "identificationModule": {"nctId": nct, "briefTitle": title},
                "designModule": {
                    "designInfo": {"allocation": allocation, "interventionModel": model,
                                   "maskingInfo": {"masking": masking, "whoMasked": who}},
                    "enrollmentInfo": {"count": count}
                },
                "armsInterventionsModule": {
                    "armGroups": arms.iter().map(|(label, kind, names)| json!({
                        "label": label, "type": kind,
                        "interventionNames": names.iter().map(|n| format!("Drug: {n}")).collect::<Vec<_>>()
                    })).collect::<Vec<_>>(),
                    "interventions": interventions.iter().map(|(name, kind)| json!({"name": name, "type": kind})).collect::<Vec<_>>()
                },
                "outcomesModule": {
                    "primaryOutcomes": outcomes.iter().take(1).map(|(m, t)| json!({"measure": m, "timeFrame": t})).collect::<Vec<_>>(),
                    "secondaryOutcomes": outcomes.iter().skip(1).map(|(m, t)| json!({"measure": m, "timeFrame": t})).collect::<Vec<_>>()
                },
                "eligibilityModule": {"minimumAge": min_age, "maximumAge": max_age, "sex": sex, "eligibilityCriteria": criteria}
            }})
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn imported_protocols_always_validate(record in record()) {
        let json = serde_json::to_string(&record).unwrap();
        let toml = protocol::ctgov::import_json(&json).expect("imports");
        if let Err(e) = protocol::parse_protocol("imported", &toml) {
            panic!("{json}\n---\n{toml}\n---\n{:#?}", e.diagnostics);
        }
    }
}
