//! Supply planning against a hand calculation.

use therapy::abo::AboFrequencies;
use therapy::donor::DonorPopulationSpec;
use therapy::supply::{SupplyOptions, expected_supply, plan_supply};
use therapy::{PlasmaRegimen, PlasmaSpec};

/// Donors with P(eligible) = 0.75 (half are women, half of them ever pregnant; nothing else
/// defers) and P(qualify) = 0.5 (plateau median 200 = threshold). One 300 mL unit on days 1, 3
/// and 5; 600 mL apheresis → 2 units per donation.
fn hand_regimen() -> PlasmaRegimen {
    let donors = DonorPopulationSpec {
        fraction_under_18: 0.0,
        fraction_female: 0.5,
        fraction_female_ever_pregnant: 0.5,
        fraction_prior_transfusion: 0.0,
        fraction_other_deferral: 0.0,
        days_since_recovery_range: [30.0, 30.0],
        fraction_hospitalised: 0.0,
        ..DonorPopulationSpec::default()
    };
    let mut spec = PlasmaSpec {
        first_day: 1.0,
        doses: 3,
        interval_days: 2.0,
        conditional_after_first: true,
        unit_volume_ml: 300.0,
        collection_volume_ml: 600.0,
        donors,
        ..PlasmaSpec::default()
    };
    spec.qualification.min_id50 = 200.0;
    PlasmaRegimen::new(spec, AboFrequencies::ITALY).unwrap()
}

#[test]
fn expected_donors_to_screen_by_hand() {
    // 200 patients × 1 unit × 3 doses / (2 units per donation × 0.75 × 0.5) = 800 donors.
    let e = expected_supply(&hand_regimen(), 200, &SupplyOptions::default());
    assert_eq!(e.units_per_donation, 2);
    assert!((e.eligible_probability - 0.75).abs() < 1e-12);
    assert!((e.qualifying_probability - 0.5).abs() < 1e-12);
    assert_eq!(e.units_needed, 600.0);
    assert_eq!(e.donations_needed, 300.0);
    assert!((e.donors_to_screen - 800.0).abs() < 1e-9);

    // Half the response-dependent doses: 200 × (1 + 2 × 0.5) = 400 units → 533.3 donors.
    let half = SupplyOptions {
        conditional_dose_probability: 0.5,
        ..SupplyOptions::default()
    };
    let e = expected_supply(&hand_regimen(), 200, &half);
    assert!((e.donors_to_screen - 400.0 / 2.0 / 0.375).abs() < 1e-9);
}

#[test]
fn simulated_screening_matches_the_hand_calculation_when_abo_does_not_bind() {
    // All recipients group O take any plasma, so exactly 300 donations are needed; donors per
    // donation are geometric with p = 0.375 (mean 2.667, variance 4.44), so donors screened
    // per replicate have mean 800 and SD sqrt(300 × 4.44) = 36.5; the mean of 200 replicates
    // has SE 2.6.
    let options = SupplyOptions {
        recipient_abo: AboFrequencies::new(1.0, 0.0, 0.0, 0.0).unwrap(),
        ..SupplyOptions::default()
    };
    let plan = plan_supply(&hand_regimen(), 200, 42, &options).unwrap();
    let screened = plan.summarize(|r| r.donors_screened as f64);
    assert!((screened.mean - 800.0).abs() < 12.0, "{screened:?}");
    assert!(screened.lower < 800.0 && 800.0 < screened.upper);
    for r in &plan.replicates {
        assert_eq!(r.donations, 300);
        assert_eq!(r.units_collected, 600);
        assert_eq!(r.units_issued, 600);
        assert_eq!(r.delivered_id50_ml.len(), 200);
    }
    // Each patient gets 3 units ≥ 200 × 300 mL each.
    let delivered = plan.delivered_per_patient();
    assert!(delivered.lower >= 3.0 * 200.0 * 300.0);
}

#[test]
fn abo_matching_only_adds_to_the_need_and_plans_are_reproducible() {
    let options = SupplyOptions {
        replicates: 50,
        ..SupplyOptions::default()
    };
    let plan = plan_supply(&hand_regimen(), 100, 7, &options).unwrap();
    let again = plan_supply(&hand_regimen(), 100, 7, &options).unwrap();
    assert_eq!(plan, again);
    for r in &plan.replicates {
        assert!(r.units_collected >= r.units_issued);
        assert_eq!(r.units_issued, 300);
    }
    let screened = plan.summarize(|r| r.donors_screened as f64);
    assert!(screened.median >= plan.expected.donors_to_screen * 0.95);
}
