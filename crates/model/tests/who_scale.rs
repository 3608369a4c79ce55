//! The WHO scale mapping: monotone in P/F at fixed support, and the published cut-offs.

use model::clinical::{CareStatus, Support, oxygen_need, support, who_score};
use proptest::prelude::*;

fn status(hospitalised: bool, ventilated: bool) -> CareStatus {
    CareStatus {
        hospitalised,
        ventilated,
        dead: false,
        symptomatic: true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// At fixed care status and IL-6, a lower P/F never gives a better (lower) WHO score, and
    /// the support level never decreases as P/F falls.
    #[test]
    fn who_score_is_monotone_in_pf(
        pf_a in 20.0..600.0f64,
        pf_b in 20.0..600.0f64,
        il6 in 0.0..400.0f64,
        hospitalised in any::<bool>(),
        ventilated in any::<bool>(),
        detected in any::<bool>(),
    ) {
        let s = status(hospitalised || ventilated, ventilated);
        let (low, high) = if pf_a <= pf_b { (pf_a, pf_b) } else { (pf_b, pf_a) };
        prop_assert!(who_score(s, low, il6, detected) >= who_score(s, high, il6, detected));
        prop_assert!(support(s, low) >= support(s, high));
    }
}

#[test]
fn cut_offs_follow_the_fio2_needed_for_a_pao2_of_65() {
    // FiO2 needed = 65 / (P/F): room air up to 0.21, low flow up to 0.40, high flow beyond.
    assert_eq!(oxygen_need(65.0 / 0.21 + 0.01), Support::RoomAir);
    assert_eq!(oxygen_need(65.0 / 0.21 - 0.01), Support::LowFlow);
    assert_eq!(oxygen_need(65.0 / 0.40 + 0.01), Support::LowFlow);
    assert_eq!(oxygen_need(65.0 / 0.40 - 0.01), Support::HighFlow);
    let ward = status(true, false);
    assert_eq!(who_score(ward, 350.0, 5.0, true), 4);
    assert_eq!(who_score(ward, 250.0, 5.0, true), 5);
    assert_eq!(who_score(ward, 120.0, 5.0, true), 6);
    let icu = status(true, true);
    assert_eq!(who_score(icu, 180.0, 150.0, true), 7);
    assert_eq!(who_score(icu, 140.0, 50.0, true), 8);
    assert_eq!(who_score(icu, 140.0, 150.0, true), 9);
    let home = status(false, false);
    assert_eq!(who_score(home, 400.0, 3.0, true), 2);
    assert_eq!(who_score(home, 400.0, 3.0, false), 0);
    let dead = CareStatus { dead: true, ..icu };
    assert_eq!(who_score(dead, 400.0, 3.0, false), 10);
}
