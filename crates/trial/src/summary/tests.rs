use super::*;
use crate::datasets::Column;

const SEED_PROTOCOL: &str =
    include_str!("../../../../protocols/nct04385043-hyperimmune-plasma.toml");

/// The seed protocol with a time-to-discharge endpoint at day 10 (the last endpoint).
fn protocol_with_discharge() -> Protocol {
    let text = SEED_PROTOCOL.replace(
        "\n[analysis]",
        "\n[[endpoint]]\nname = \"discharge\"\nkind = \"time_to_event\"\nmeasure = \"discharge\"\nday = 10\n\n[analysis]",
    );
    protocol::parse_protocol("t.toml", &text).unwrap()
}

/// An outcomes table holding only the competing-risks columns of `discharge`: (arm number,
/// time, cause) per randomized patient.
fn outcomes(rows: &[(i64, f64, i64)]) -> Dataset {
    let n = rows.len();
    Dataset::new(
        "outcomes",
        "test",
        vec![
            Column::str(
                "USUBJID",
                "",
                (0..n).map(|i| Some(format!("S-{i}"))).collect(),
            ),
            Column::int("SUBJID", "", (0..n).map(|i| Some(i as i64)).collect()),
            Column::int("ARMN", "", rows.iter().map(|r| Some(r.0)).collect()),
            Column::str(
                "RANDFL",
                "",
                rows.iter().map(|_| Some("Y".into())).collect(),
            ),
            Column::float(
                "discharge_cr_time",
                "",
                rows.iter().map(|r| Some(r.1)).collect(),
            ),
            Column::int(
                "discharge_cause",
                "",
                rows.iter().map(|r| Some(r.2)).collect(),
            ),
        ],
    )
    .unwrap()
}

#[test]
fn without_deaths_the_cumulative_incidence_is_one_minus_kaplan_meier() {
    let p = protocol_with_discharge();
    let index = p.endpoints.len() - 1;
    // Arm 1: discharges at 2, 3, 5; censored at 4 and 10. Kaplan–Meier by hand:
    // S(2) = 4/5, S(3) = 4/5 · 3/4 = 0.6, S(5) = 0.6 · 1/2 = 0.3 → 1 − S(10) = 0.7.
    // Arm 2: discharges at 1 and 7; censored at 6 and 10: S(1) = 3/4, S(7) = 3/4 · 1/2 →
    // 1 − S(10) = 0.625.
    let rows = [
        (1, 2.0, 1),
        (1, 3.0, 1),
        (1, 4.0, 0),
        (1, 5.0, 1),
        (1, 10.0, 0),
        (2, 1.0, 1),
        (2, 6.0, 0),
        (2, 7.0, 1),
        (2, 10.0, 0),
    ];
    let cr = competing_risks(&p, index, &outcomes(&rows), false).unwrap();
    assert_eq!(cr.competing_event, "death");
    let est: Vec<f64> = cr.arms.iter().map(|a| a.estimate.unwrap()).collect();
    assert!((est[0] - 0.7).abs() < 1e-12, "{est:?}");
    assert!((est[1] - 0.625).abs() < 1e-12, "{est:?}");
    assert_eq!(cr.arms[0].events, Some(3));
    for a in &cr.arms {
        let [lo, hi] = a.ci;
        assert!(lo.unwrap() < a.estimate.unwrap() && a.estimate.unwrap() < hi.unwrap());
    }
    // Without competing events the Fine–Gray risk sets are Cox's: sHR = Cox HR (no ties).
    let time: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let event: Vec<bool> = rows.iter().map(|r| r.2 == 1).collect();
    let group: Vec<f64> = rows
        .iter()
        .map(|r| if r.0 == 1 { 1.0 } else { 0.0 })
        .collect();
    let cox = stats::survival::cox::fit(&time, &event, &[&group], stats::survival::Ties::Breslow)
        .unwrap();
    let c = &cr.comparisons[0];
    assert_eq!(c.measure, "subdistribution_hazard_ratio");
    assert!(
        (c.estimate.unwrap() - cox.terms[0].hr).abs() < 1e-6,
        "{c:?} vs {:?}",
        cox.terms[0]
    );
}

#[test]
fn deaths_lower_the_incidence_of_discharge_below_one_minus_kaplan_meier() {
    let p = protocol_with_discharge();
    let index = p.endpoints.len() - 1;
    // Arm 1: death at 1, discharges at 2 and 3, censored at 10. Aalen–Johansen by hand: after
    // the death S = 3/4; at 2, 1 of 3 at risk leaves: F = 3/4 · 1/3 = 1/4, S = 1/2; at 3, 1 of 2:
    // F = 1/4 + 1/2 · 1/2 = 1/2 (1 − KM treating death as censoring would give 2/3).
    let rows = [
        (1, 1.0, 2),
        (1, 2.0, 1),
        (1, 3.0, 1),
        (1, 10.0, 0),
        (2, 4.0, 1),
        (2, 10.0, 0),
    ];
    let cr = competing_risks(&p, index, &outcomes(&rows), false).unwrap();
    assert!((cr.arms[0].estimate.unwrap() - 0.5).abs() < 1e-12);
}
