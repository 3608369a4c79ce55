//! Adverse events: literature rates reproduced, CDISC severity/seriousness, TRALI lung injury,
//! reproducible per patient.

use therapy::adverse::{PLASMA_RISKS, TRALI_LUNG_INJURY_FRACTION};
use therapy::schedule::ConditionalDoses;
use therapy::{AboGroup, PatientContext, Seriousness, Severity, give};

const PATIENTS: u64 = 40_000;

fn patient() -> PatientContext {
    PatientContext::new(70.0, 5.0, AboGroup::O).unwrap()
}

#[test]
fn plasma_event_rates_match_their_literature_rates_per_unit() {
    // 40,000 patients × 2 units = 80,000 units; each risk's count is binomial.
    let regimen = give::parse("plasma@2:units=2,titer=500").unwrap();
    let mut counts = vec![0u32; PLASMA_RISKS.len()];
    for id in 0..PATIENTS {
        let t = regimen
            .realize(11, id, &patient(), ConditionalDoses::Give)
            .unwrap();
        for event in t.adverse_events(11, id) {
            let k = PLASMA_RISKS
                .iter()
                .position(|r| r.term == event.term)
                .unwrap();
            counts[k] += 1;
            // Transfusion reactions start within 6 h of the unit (model day 7 + 2 units of 1.5 h).
            assert!(event.time_days >= 7.0 && event.time_days <= 7.0 + 0.0625 + 0.25);
        }
    }
    let units = 2.0 * PATIENTS as f64;
    for (risk, count) in PLASMA_RISKS.iter().zip(counts) {
        let expected = units * risk.probability;
        let sd = (units * risk.probability * (1.0 - risk.probability)).sqrt();
        assert!(
            (f64::from(count) - expected).abs() < 4.0 * sd + 1.0,
            "{}: {count} vs {expected}",
            risk.term
        );
    }
}

#[test]
fn trali_is_serious_severe_and_injures_the_lung() {
    let regimen = give::parse("plasma@2:units=4,titer=500").unwrap();
    let mut seen = 0;
    for id in 0..20_000 {
        let t = regimen
            .realize(3, id, &patient(), ConditionalDoses::Give)
            .unwrap();
        for e in t.adverse_events(3, id) {
            if e.term == "Transfusion-related acute lung injury" {
                seen += 1;
                assert_eq!(e.severity, Severity::Severe);
                assert_eq!(e.seriousness.aeser(), "Y");
                assert_eq!(e.severity.aesev(), "SEVERE");
                assert_eq!(e.lung_injury_fraction, TRALI_LUNG_INJURY_FRACTION);
            } else {
                assert_eq!(e.lung_injury_fraction, 0.0);
            }
        }
    }
    assert!(seen > 0);
}

#[test]
fn corticosteroid_risks_are_per_course_not_per_day() {
    // Hyperglycaemia 0.25 per course: over 20,000 patients on 10 days of dexamethasone the count
    // is Binomial(20,000, 0.25) (mean 5,000, SD 61), not 10 times that.
    let regimen = give::parse("dexamethasone@5").unwrap();
    let mut hyperglycaemia = 0;
    for id in 0..20_000 {
        let t = regimen
            .realize(5, id, &patient(), ConditionalDoses::Give)
            .unwrap();
        for e in t.adverse_events(5, id) {
            if e.term == "Hyperglycaemia" {
                hyperglycaemia += 1;
                assert_eq!(
                    e.seriousness == Seriousness::Serious,
                    e.severity == Severity::Severe
                );
            }
        }
    }
    assert!(
        (hyperglycaemia as f64 - 5000.0).abs() < 4.0 * 61.2,
        "{hyperglycaemia}"
    );
}

#[test]
fn products_without_risks_give_no_events_and_draws_are_reproducible() {
    let t = give::parse("ribavirin@1")
        .unwrap()
        .realize(1, 1, &patient(), ConditionalDoses::Give)
        .unwrap();
    assert!(t.adverse_events(1, 1).is_empty());
    let msc = give::parse("msc@1").unwrap();
    let a = msc
        .realize(9, 4, &patient(), ConditionalDoses::Give)
        .unwrap();
    assert_eq!(a.adverse_events(9, 4), a.adverse_events(9, 4));
}
