//! Baseline values read from hand-set trajectories, and screening against the seed protocol.

use model::clinical::Support;
use population::screening::{DIED_BEFORE_SCREENING, MISSING_VARIABLES, NO_STATE_AT_SCREENING};
use population::{BaselineState, PopulationSpec, Setting, VirtualPatient, screen};
use protocol::{Baseline, Protocol, VARIABLES, Value, Variable};
use solve::{DayRow, Event, EventKind, Extremum, Trajectory};
use std::collections::BTreeMap;

const SEED: u64 = 2020;
const SCREENING_DAY: u32 = 6;

fn seed_protocol() -> Protocol {
    let text = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");
    protocol::parse_protocol("seed", text).expect("bundled protocol is valid")
}

/// A 45-year-old inpatient screened on day 6 after onset, without hypersensitivity.
fn patient() -> VirtualPatient {
    let spec = PopulationSpec::named("hospitalized_severe").expect("alias of the built-in");
    let mut p = spec.patient(SEED, 0);
    p.covariates.age_years = 45.3;
    p.covariates.blood_product_hypersensitivity = false;
    p.setting = Setting::Inpatient;
    p.timeline.onset_day = 5.0;
    p.timeline.screening_days_after_onset = SCREENING_DAY;
    p.timeline.screening_day = 5.0 + f64::from(SCREENING_DAY);
    p
}

/// Day `day` of a course: P/F 400 until day 3, then 290, 250, 180, 150, …
fn row(day: u32) -> DayRow {
    let pf = match day {
        0..=3 => 400.0,
        4 => 290.0,
        5 => 250.0,
        d => 180.0 - 30.0 * f64::from(d - 6),
    };
    DayRow {
        day,
        time_days: 5.0 + f64::from(day),
        viral_load_log10: 5.0,
        viral_load_detectable: true,
        il6_pg_ml: 45.0,
        lymphocytes_1e9_l: 0.7,
        titer_id50: 64.0,
        titer_passive_id50: 0.0,
        lung_injury: 0.3,
        pf_ratio: pf,
        spo2: 88.0,
        fio2_required: 0.36,
        support: Support::RoomAir,
        who_score: 2,
        hospitalised: false,
        alive: true,
        death_probability: 0.01,
        dexamethasone_ng_ml: 0.0,
        msc_lung_1e6_cells: 0.0,
        immunoregulation: 0.0,
    }
}

fn trajectory(rows: Vec<DayRow>, events: Vec<Event>) -> Trajectory {
    let at = |value| Extremum {
        time_days: 5.0,
        value,
    };
    Trajectory {
        patient_id: 0,
        onset_day: 5.0,
        rows,
        events,
        doses: Vec::new(),
        pf_nadir: at(100.0),
        viral_peak: at(1e6),
        il6_peak: at(45.0),
        lymphocyte_nadir: at(0.7),
        who_peak: 5,
        final_death_probability: 0.1,
        steps: 0,
        states: Vec::new(),
    }
}

#[test]
fn baseline_reads_the_screening_day_of_a_hand_set_trajectory() {
    let course = trajectory((0..=10).map(row).collect(), Vec::new());
    let p = patient();
    let b = BaselineState::at_screening(&p, &course).expect("day 6 is simulated");
    let expect = [
        (Variable::Age, Value::Number(45.0)), // completed years
        (Variable::DaysSinceOnset, Value::Number(6.0)),
        // Inpatient, not ventilated, P/F 180: 65/0.40 = 162.5 <= 180 < 65/0.21 = 309.5, so
        // low-flow oxygen, WHO 5 (Marshall 2020: hospitalised, oxygen by mask or prongs).
        (Variable::WhoScore, Value::Number(5.0)),
        (
            Variable::RespiratorySupport,
            Value::Category("low_flow_oxygen"),
        ),
        (Variable::PfRatio, Value::Number(180.0)),
        (Variable::Spo2, Value::Number(88.0)),
        (Variable::Il6, Value::Number(45.0)),
        (Variable::LymphocyteCount, Value::Number(0.7)),
        (Variable::NeutralizingTiter, Value::Number(64.0)),
        (Variable::Seropositive, Value::Bool(true)), // 64 >= 20
        (Variable::RtPcrPositive, Value::Bool(true)),
        // P/F first <= 300 on day 4: ARDS for 2 days at day 6.
        (Variable::DaysSinceArdsOnset, Value::Number(2.0)),
        (Variable::BloodProductHypersensitivity, Value::Bool(false)),
        (Variable::Crp, Value::Missing),
    ];
    for (var, value) in expect {
        assert_eq!(b.value(var), value, "{var}");
    }
    let c = &p.covariates;
    assert_eq!(b.value(Variable::WeightKg), Value::Number(c.weight_kg));
    assert_eq!(b.value(Variable::AboGroup), Value::Category(c.abo.name()));
    assert_eq!(b.value(Variable::Diabetes), Value::Bool(c.diabetes));

    // Only the documented variables are missing; every other one has a value of its type.
    for info in VARIABLES {
        let missing = MISSING_VARIABLES.iter().any(|(v, _)| *v == info.var);
        assert_eq!(
            b.value(info.var) == Value::Missing,
            missing,
            "{}",
            info.name
        );
    }
}

#[test]
fn ventilated_patient_with_organ_failure_proxy_scores_who_9() {
    let mut rows: Vec<DayRow> = (0..=10).map(row).collect();
    rows[SCREENING_DAY as usize].support = Support::Invasive;
    rows[SCREENING_DAY as usize].pf_ratio = 120.0;
    rows[SCREENING_DAY as usize].il6_pg_ml = 150.0;
    let b = BaselineState::at_screening(&patient(), &trajectory(rows, Vec::new())).expect("day 6");
    assert_eq!(b.value(Variable::WhoScore), Value::Number(9.0));
    assert_eq!(
        b.value(Variable::RespiratorySupport),
        Value::Category("invasive_ventilation")
    );
}

#[test]
fn outpatient_not_yet_admitted_is_ambulatory() {
    let mut p = patient();
    p.setting = Setting::Outpatient;
    let b = BaselineState::at_screening(&p, &trajectory((0..=10).map(row).collect(), Vec::new()))
        .expect("day 6");
    // Outside hospital, symptomatic, RNA detected: WHO 2; no oxygen.
    assert_eq!(b.value(Variable::WhoScore), Value::Number(2.0));
    assert_eq!(
        b.value(Variable::RespiratorySupport),
        Value::Category("none")
    );
}

#[test]
fn screening_lists_every_failed_criterion() {
    let protocol = seed_protocol();
    let course = trajectory((0..=10).map(row).collect(), Vec::new());
    let eligible = screen(&protocol, &patient(), &course);
    assert!(eligible.eligible, "{:?}", eligible.failed);
    assert!(eligible.failed.is_empty());

    let mut old = patient();
    old.covariates.age_years = 70.2;
    old.covariates.blood_product_hypersensitivity = true;
    let s = screen(&protocol, &old, &course);
    assert!(!s.eligible);
    assert_eq!(
        s.failed,
        [
            "age > maximum (60 years)",
            "age in [18, 60]",
            "blood_product_hypersensitivity"
        ]
    );
    assert_eq!(s.first_failure(), Some("age > maximum (60 years)"));

    // Room air on day 2 (P/F 400): WHO 4, P/F not below 300.
    let mut early = patient();
    early.timeline.screening_days_after_onset = 2;
    early.timeline.screening_day = 7.0;
    let s = screen(&protocol, &early, &course);
    assert_eq!(s.failed, ["who_score in [5, 9]", "pf_ratio < 300"]);
}

#[test]
fn death_before_screening_and_short_trajectories_are_screen_failures() {
    let protocol = seed_protocol();
    let death = Event {
        kind: EventKind::Death,
        time_days: 9.5,
        day_since_onset: 4.5,
    };
    let mut rows: Vec<DayRow> = (0..=10).map(row).collect();
    for r in rows.iter_mut().skip(5) {
        r.alive = false;
    }
    let s = screen(&protocol, &patient(), &trajectory(rows, vec![death]));
    assert_eq!(s.failed, [DIED_BEFORE_SCREENING]);
    assert!(!s.eligible);

    let short = trajectory((0..=3).map(row).collect(), Vec::new());
    let s = screen(&protocol, &patient(), &short);
    assert_eq!(s.failed, [NO_STATE_AT_SCREENING]);
}

#[test]
fn screened_equals_eligible_plus_failures_by_first_reason() {
    let protocol = seed_protocol();
    let spec = PopulationSpec::named("hospitalized_severe_2020").expect("built-in");
    let screened = 300;
    let mut eligible = 0;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let known_reason = |r: &str| {
        r.starts_with("age ")
            || r == DIED_BEFORE_SCREENING
            || protocol
                .inclusion
                .iter()
                .chain(&protocol.exclusion)
                .any(|c| c.text == r)
    };
    for id in 0..screened {
        let p = spec.patient(SEED, id);
        let course = solve::solve(&p.natural_history_problem(p.end_of_follow_up(28.0)))
            .expect("natural history solves");
        let s = screen(&protocol, &p, &course);
        assert_eq!(s.eligible, s.failed.is_empty());
        // The criteria part agrees with the protocol's own all-at-once check.
        let b = BaselineState::at_screening(&p, &course).expect("screening day simulated");
        let age_ok = (18..=60).contains(&p.covariates.age_completed_years());
        assert_eq!(s.eligible, age_ok && protocol.eligible(&b), "patient {id}");
        assert!(s.failed.iter().all(|r| known_reason(r)), "{:?}", s.failed);
        match s.first_failure() {
            None => eligible += 1,
            Some(reason) => *by_reason.entry(reason.to_owned()).or_default() += 1,
        }
    }
    let failures: usize = by_reason.values().sum();
    assert_eq!(eligible + failures, screened as usize);
    // Both outcomes occur in this population (RECOVERY-like ages: about half are over 60).
    assert!(eligible > 0 && failures > 0, "{by_reason:?}");
    assert!(by_reason.contains_key("age > maximum (60 years)"));
}
