//! Regimens → dose events: every dose at its scheduled time, with hand-calculated amounts.

use model::dosing::{DoseEvent, DoseInput};
use therapy::schedule::ConditionalDoses;
use therapy::{AboGroup, PatientContext, give};

const INCUBATION_DAYS: f64 = 5.0;

fn patient() -> PatientContext {
    PatientContext::new(70.0, INCUBATION_DAYS, AboGroup::A).unwrap()
}

fn realize(text: &str, conditional: ConditionalDoses) -> therapy::Treatment {
    give::parse(text)
        .unwrap()
        .realize(7, 1, &patient(), conditional)
        .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn plasma_units_deliver_titer_times_volume_back_to_back() {
    // 2 units × 250 mL × ID50 1000, no reduction: 250,000 ID50·mL each; day 3 since onset is
    // model day 8; each unit runs 1.5 h = 0.0625 d, the second starts when the first ends.
    let t = realize("plasma@3:units=2,titer=1000", ConditionalDoses::Give);
    let expected = [
        DoseEvent {
            time_days: 8.0,
            duration_days: 0.0625,
            input: DoseInput::PassiveAntibody {
                amount_id50_ml: 250_000.0,
            },
        },
        DoseEvent {
            time_days: 8.0625,
            duration_days: 0.0625,
            input: DoseInput::PassiveAntibody {
                amount_id50_ml: 250_000.0,
            },
        },
    ];
    assert_eq!(t.events, expected);
    assert_eq!(t.delivered_id50_ml(), 500_000.0);
}

#[test]
fn pathogen_reduction_loses_whole_two_fold_steps_per_unit() {
    // 300 mL × ID50 640 = 192,000 ID50·mL before treatment; riboflavin removes 0, 1 or 2 steps.
    let t = realize(
        "plasma@1:units=4,volume=300,titer=640,reduction=riboflavin",
        ConditionalDoses::Give,
    );
    for unit in t.plasma.iter().flat_map(|a| &a.units) {
        let delivered = unit.delivered_id50_ml();
        assert!(
            [192_000.0, 96_000.0, 48_000.0].contains(&delivered),
            "{delivered}"
        );
    }
}

#[test]
fn nct04321421_schedule_day_1_then_3_and_5_by_response() {
    // One 300 mL unit per administration, days 1, 3, 5 since onset → model days 6, 8, 10.
    let text = "plasma@1:volume=300,titer=160,doses=3,interval=2,conditional=true";
    let all = realize(text, ConditionalDoses::Give);
    let starts: Vec<f64> = all.events.iter().map(|e| e.time_days).collect();
    assert_eq!(starts, vec![6.0, 8.0, 10.0]);
    for e in &all.events {
        assert_eq!(
            e.input,
            DoseInput::PassiveAntibody {
                amount_id50_ml: 48_000.0
            }
        );
    }
    let first_only = realize(text, ConditionalDoses::Skip);
    assert_eq!(first_only.events.len(), 1);
    assert_eq!(first_only.events[0].time_days, 6.0);
}

#[test]
fn plasma_by_weight_rounds_to_whole_units() {
    // 10 mL/kg × 70 kg = 700 mL = 2.8 units of 250 mL → 3 units.
    let t = realize("plasma@0:ml_per_kg=10,titer=100", ConditionalDoses::Give);
    assert_eq!(t.events.len(), 3);
}

#[test]
fn msc_infusions_carry_viable_cells() {
    // 1e6 cells/kg × 70 kg × 0.9 viable = 6.3e7 viable cells, days 7, 9, 11 → model 12, 14, 16,
    // each over 1 h.
    let t = realize("msc@7:dose=1e6,infusions=3", ConditionalDoses::Give);
    assert_eq!(t.events.len(), 3);
    for (event, start) in t.events.iter().zip([12.0, 14.0, 16.0]) {
        assert!(close(event.time_days, start));
        assert!(close(event.duration_days, 1.0 / 24.0));
        match event.input {
            DoseInput::MesenchymalStromalCells { viable_cells } => {
                assert!(close(viable_cells, 6.3e7))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // Flat dose (Lanzoni 2021: 1e8 cells × 2, days 0 and 3).
    let flat = realize(
        "msc@0:flat=1e8,infusions=2,interval=3",
        ConditionalDoses::Give,
    );
    let times: Vec<f64> = flat.events.iter().map(|e| e.time_days).collect();
    assert_eq!(times, vec![5.0, 8.0]);
    assert!(matches!(flat.events[0].input,
        DoseInput::MesenchymalStromalCells { viable_cells } if close(viable_cells, 9e7)));
}

#[test]
fn dexamethasone_is_6_mg_daily_for_10_days() {
    let t = realize("dexamethasone@5", ConditionalDoses::Give);
    assert_eq!(t.events.len(), 10);
    for (k, e) in t.events.iter().enumerate() {
        assert_eq!(e.time_days, 10.0 + k as f64);
        assert_eq!(e.duration_days, 0.0);
        assert_eq!(
            e.input,
            DoseInput::Dexamethasone {
                dose_mg: 6.0,
                bioavailability: 0.81
            }
        );
    }
    let iv = realize(
        "dexamethasone@5:route=iv,mg=12,days=3",
        ConditionalDoses::Give,
    );
    assert_eq!(iv.events.len(), 3);
    assert_eq!(
        iv.events[0].input,
        DoseInput::Dexamethasone {
            dose_mg: 12.0,
            bioavailability: 1.0
        }
    );
}

#[test]
fn methylprednisolone_enters_as_dexamethasone_equivalent() {
    // 40 mg methylprednisolone × 0.75/4 = 7.5 mg dexamethasone-equivalent, IV.
    let t = realize("methylprednisolone@2", ConditionalDoses::Give);
    assert_eq!(t.events.len(), 5);
    assert_eq!(
        t.events[0].input,
        DoseInput::Dexamethasone {
            dose_mg: 7.5,
            bioavailability: 1.0
        }
    );
}

#[test]
fn remdesivir_is_one_antiviral_exposure_over_the_course() {
    let t = realize("remdesivir@4:efficacy=0.6", ConditionalDoses::Give);
    assert_eq!(
        t.events,
        vec![DoseEvent {
            time_days: 9.0,
            duration_days: 5.0,
            input: DoseInput::Antiviral { efficacy: 0.6 }
        }]
    );
}

#[test]
fn products_without_modelled_effect_are_recorded_but_make_no_events() {
    let t = realize("case_report_2020@6", ConditionalDoses::Give);
    // Only methylprednisolone (5 days) has an effect; lopinavir 14 + IFN 10 + ribavirin 10 +
    // antibiotics 7 + methylprednisolone 5 + immunoglobulin 5 = 51 administrations.
    assert_eq!(t.events.len(), 5);
    assert_eq!(t.administrations.len(), 51);
    assert!(
        t.administrations
            .iter()
            .any(|a| a.product == "lopinavir_ritonavir")
    );
}

#[test]
fn standard_therapy_2020_bundle_gives_dexamethasone_and_remdesivir() {
    let t = realize("standard_therapy_2020@3", ConditionalDoses::Give);
    assert_eq!(t.events.len(), 11);
    assert_eq!(t.events[0].time_days, 8.0);
}

#[test]
fn events_are_sorted_by_time_across_items() {
    let regimen = therapy::Regimen {
        name: "combined".into(),
        items: [
            give::parse("msc@4").unwrap(),
            give::parse("plasma@1:titer=500").unwrap(),
        ]
        .into_iter()
        .flat_map(|r| r.items)
        .collect(),
    };
    let t = regimen
        .realize(1, 1, &patient(), ConditionalDoses::Give)
        .unwrap();
    assert!(
        t.events
            .windows(2)
            .all(|w| w[0].time_days <= w[1].time_days)
    );
    assert!(matches!(
        t.events[0].input,
        DoseInput::PassiveAntibody { .. }
    ));
}
