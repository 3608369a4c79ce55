//! Observation model against independent numbers.

use model::observables::spo2_room_air;

/// Severinghaus 1979, Table 1 (SaO2 % at PO2 mmHg, standard conditions), as transcribed in
/// public code; the closed-form fit used by the model must agree within 0.4 % saturation.
const SEVERINGHAUS_TABLE: [(f64, f64); 6] = [
    (30.0, 57.54),
    (40.0, 74.69),
    (50.0, 85.08),
    (60.0, 90.85),
    (80.0, 95.84),
    (100.0, 97.49),
];

#[test]
fn spo2_matches_the_severinghaus_table() {
    for (po2, sat) in SEVERINGHAUS_TABLE {
        // spo2_room_air takes P/F; on room air PaO2 = 0.21 · P/F.
        let got = spo2_room_air(po2 / 0.21);
        assert!(
            (got - sat).abs() < 0.4,
            "PO2 {po2}: {got:.2} vs table {sat}"
        );
    }
}
