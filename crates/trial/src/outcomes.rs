//! The protocol's endpoints of one course, and the `outcomes` table (one row per patient and
//! simulated arm: the randomized course and, with twins, every counterfactual course) from
//! which `summary.json` is computed, so a merge of shards recomputes the same summary.
//!
//! Trial day N of an endpoint is N days after randomization (t = N). Definitions:
//! - death: died at t ≤ N;
//! - clinical improvement: first trial day k ≥ 1, k ≤ N, with a WHO score at least 2 points
//!   below baseline (death never counts), or discharge, whichever comes first;
//! - discharge: discharged alive at t ≤ N; death is a competing event (censored at N, the
//!   ACTT-1 convention). A time-to-event discharge endpoint also gets the competing-risks
//!   coding ([`competing_value`]: time to the first of discharge and death, with the cause),
//!   for the Aalen–Johansen and Fine–Gray analyses;
//! - viral clearance: first trial day k ≥ 1 with an undetectable viral load;
//! - extubation: first trial day after a day on invasive ventilation (WHO ≥ 7) with WHO < 7,
//!   alive;
//! - transfusion reaction / adverse event: onset of the first (plasma / any) adverse event;
//! - labs (lymphocytes, P/F, IL-6, viral load, titer): the value on day N, or the mean over days
//!   `from_day..=N` while alive;
//! - WHO score: the score on day N (10 after death);
//! - ventilator-free days through day N: the number of trial days k = 1..=N with WHO < 7 (not
//!   on invasive ventilation), 0 for a patient dead by day N (Schoenfeld & Bernard, Crit Care
//!   Med 2002;30:1772; Yehya et al., Am J Respir Crit Care Med 2019;200:828);
//! - organ-support-free days through day N: the number of trial days k = 1..=N with WHO < 6
//!   (free of high-flow oxygen, non-invasive or invasive ventilation and the vasopressors or
//!   ECMO of WHO 9), −1 for a patient who died during follow-up (REMAP-CAP, JAMA
//!   2021;325:1317 and NEJM 2021;384:1491; day 21 there). Both are a patient's days on the
//!   daily grid, so at most N;
//! - severe respiratory disease: first trial day k ≥ 1 with SpO2 on room air below 93% (from
//!   P/F through the Severinghaus curve, `model::observables::spo2_room_air`), or death,
//!   whichever comes first (Libster 2021; its respiratory-rate criterion is not modelled).
//!
//! Binary endpoints of an event measure ask "event by day N?"; time-to-event endpoints censor
//! at N; an ordinal endpoint is the WHO score on day N; a continuous endpoint of an event
//! measure is the WHO score on day N too (the protocol crate forbids the odd combinations it
//! knows of).

use crate::datasets::{Column, Dataset, DatasetError};
use crate::simulate::Course;
use protocol::schema::{Endpoint, EndpointKind, Measure};

/// WHO CPS score of death.
const DEAD: u8 = 10;
/// WHO CPS from which a patient is on invasive ventilation.
const VENTILATED_MIN: u8 = 7;
/// WHO CPS from which a patient is on respiratory or cardiovascular organ support: 6 is
/// high-flow oxygen or non-invasive ventilation, 7–9 invasive ventilation (9 with vasopressors,
/// dialysis or ECMO) — REMAP-CAP's organ support.
const ORGAN_SUPPORT_MIN: u8 = 6;
/// Organ-support-free days of a patient who died (REMAP-CAP: the worst value, below 0).
const OSFD_DEATH: i64 = -1;
/// SpO2 on room air below which respiratory disease is severe, % (Libster et al., N Engl J Med
/// 2021;384:610: "SpO2 < 93% while breathing ambient air").
const SEVERE_SPO2_PERCENT: f64 = 93.0;

/// An endpoint's value for one course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EndpointValue {
    /// Event by the time point.
    Binary(bool),
    /// Time (days since randomization, ≤ time point) and whether it is an event.
    Time {
        /// Days.
        time: f64,
        /// Event (else censored).
        event: bool,
    },
    /// An ordinal value: the WHO score on the day, or a count of free days.
    Ordinal(i64),
    /// A number; `None` when not measurable (e.g. dead for the whole window).
    Continuous(Option<f64>),
    /// Not observed: lost to follow-up before the time point without the answer being known.
    Missing,
}

fn day(course: &Course, k: u32) -> &crate::simulate::CourseDay {
    let last = course.days.len().saturating_sub(1);
    &course.days[(k as usize).min(last)]
}

fn alive_on(course: &Course, k: u32) -> bool {
    course.death_days.is_none_or(|d| d > f64::from(k))
}

/// Time of the measure's event, days since randomization (no horizon applied).
fn event_time(course: &Course, measure: Measure) -> Option<f64> {
    let n = course.days.len() as u32;
    let first_day = |pred: &dyn Fn(u32) -> bool| (1..n).find(|&k| pred(k)).map(f64::from);
    match measure {
        Measure::Death => course.death_days,
        Measure::Discharge => course.discharge_days,
        Measure::ClinicalImprovement => {
            let baseline = day(course, 0).who;
            let improved = first_day(&|k| {
                let w = day(course, k).who;
                w != DEAD && w + 2 <= baseline
            });
            match (improved, course.discharge_days) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        Measure::ViralClearance => {
            first_day(&|k| !day(course, k).detectable && alive_on(course, k))
        }
        Measure::Extubation => first_day(&|k| {
            day(course, k - 1).who >= VENTILATED_MIN
                && day(course, k).who < VENTILATED_MIN
                && alive_on(course, k)
        }),
        Measure::TransfusionReaction => course
            .adverse_events
            .iter()
            .filter(|e| e.product == "plasma")
            .map(|e| e.time_days.max(0.0))
            .reduce(f64::min),
        Measure::AdverseEvent => course
            .adverse_events
            .iter()
            .map(|e| e.time_days.max(0.0))
            .reduce(f64::min),
        Measure::WhoScore => first_day(&|k| day(course, k).who >= VENTILATED_MIN),
        Measure::SevereRespiratoryDisease => {
            let hypoxaemic = first_day(&|k| {
                model::observables::spo2_room_air(day(course, k).pf_ratio) < SEVERE_SPO2_PERCENT
            });
            match (hypoxaemic, course.death_days) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        Measure::LymphocyteCount
        | Measure::PfRatio
        | Measure::Il6
        | Measure::ViralLoad
        | Measure::NeutralizingTiter
        | Measure::VentilatorFreeDays
        | Measure::OrganSupportFreeDays => None,
    }
}

/// Ventilator- or organ-support-free days through day `n`; `None` for other measures.
fn free_days(course: &Course, measure: Measure, n: u32) -> Option<i64> {
    let free = |below: u8| (1..=n).filter(|&k| day(course, k).who < below).count() as i64;
    match measure {
        Measure::VentilatorFreeDays if course.death_days.is_some_and(|d| d <= f64::from(n)) => {
            Some(0)
        }
        Measure::VentilatorFreeDays => Some(free(VENTILATED_MIN)),
        Measure::OrganSupportFreeDays if course.death_days.is_some() => Some(OSFD_DEATH),
        Measure::OrganSupportFreeDays => Some(free(ORGAN_SUPPORT_MIN)),
        _ => None,
    }
}

fn lab(d: &crate::simulate::CourseDay, measure: Measure) -> Option<f64> {
    match measure {
        Measure::LymphocyteCount => Some(d.lymphocytes_1e9_l),
        Measure::PfRatio => Some(d.pf_ratio),
        Measure::Il6 => Some(d.il6_pg_ml),
        Measure::ViralLoad => Some(d.viral_load_log10),
        Measure::NeutralizingTiter => Some(d.titer_id50),
        _ => None,
    }
}

/// The value of `endpoint` for `course`. A patient lost to follow-up before the time point is
/// observed up to the loss: an event before it counts; otherwise a binary, ordinal or
/// WHO-score value is [`EndpointValue::Missing`], a time to event is censored at the loss, and
/// a lab mean uses the days before it.
pub fn value(course: &Course, endpoint: &Endpoint) -> EndpointValue {
    let n = endpoint.day;
    let horizon = f64::from(n);
    let lost = course.lost_days.filter(|&l| l < horizon);
    let seen = |t: f64| t <= horizon && lost.is_none_or(|l| t <= l);
    if let Some(days) = free_days(course, endpoint.measure, n) {
        return match (lost, endpoint.kind) {
            (Some(_), _) => EndpointValue::Missing,
            (None, EndpointKind::Ordinal) => EndpointValue::Ordinal(days),
            (None, _) => EndpointValue::Continuous(Some(days as f64)),
        };
    }
    match endpoint.kind {
        EndpointKind::Binary => match event_time(course, endpoint.measure) {
            Some(t) if seen(t) => EndpointValue::Binary(true),
            _ if lost.is_some() => EndpointValue::Missing,
            _ => EndpointValue::Binary(false),
        },
        EndpointKind::TimeToEvent => match event_time(course, endpoint.measure) {
            Some(t) if seen(t) => EndpointValue::Time {
                time: t,
                event: true,
            },
            _ => EndpointValue::Time {
                time: lost.unwrap_or(horizon),
                event: false,
            },
        },
        EndpointKind::Ordinal if lost.is_some() => EndpointValue::Missing,
        EndpointKind::Ordinal => EndpointValue::Ordinal(i64::from(day(course, n).who)),
        EndpointKind::Continuous => {
            if lab(day(course, 0), endpoint.measure).is_none() {
                if lost.is_some() {
                    return EndpointValue::Missing;
                }
                return EndpointValue::Continuous(Some(f64::from(day(course, n).who)));
            }
            let from = endpoint.from_day.unwrap_or(n).min(n);
            let values: Vec<f64> = (from..=n)
                .filter(|&k| alive_on(course, k))
                .filter(|&k| lost.is_none_or(|l| f64::from(k) <= l))
                .filter_map(|k| lab(day(course, k), endpoint.measure))
                .collect();
            EndpointValue::Continuous(
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
            )
        }
    }
}

/// Cause code of a censored competing-risks record.
pub const CAUSE_CENSORED: u32 = 0;
/// Cause code of the endpoint's event (discharge).
pub const CAUSE_EVENT: u32 = 1;
/// Cause code of the competing event (death).
pub const CAUSE_DEATH: u32 = 2;

/// Time to the first of an endpoint's event and death, and which came first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompetingValue {
    /// Days since randomization (≤ the time point).
    pub time: f64,
    /// [`CAUSE_EVENT`], [`CAUSE_DEATH`] or [`CAUSE_CENSORED`].
    pub cause: u32,
}

/// Whether `endpoint` is analysed with death as a competing event (time to discharge).
pub fn has_competing_risk(endpoint: &Endpoint) -> bool {
    endpoint.kind == EndpointKind::TimeToEvent && endpoint.measure == Measure::Discharge
}

/// The competing-risks value of a time-to-discharge endpoint (`None` for other endpoints):
/// discharge by the time point (and before any loss to follow-up) is cause 1 at its time;
/// death first is cause 2 at the death; otherwise censored at the loss or the time point.
pub fn competing_value(course: &Course, endpoint: &Endpoint) -> Option<CompetingValue> {
    if !has_competing_risk(endpoint) {
        return None;
    }
    let horizon = f64::from(endpoint.day);
    let end = course.lost_days.map_or(horizon, |l| l.min(horizon));
    let seen = |t: &f64| *t <= end;
    let discharge = course.discharge_days.filter(seen);
    let death = course.death_days.filter(seen);
    Some(match (discharge, death) {
        (Some(d), Some(x)) if x < d => CompetingValue {
            time: x,
            cause: CAUSE_DEATH,
        },
        (Some(d), _) => CompetingValue {
            time: d,
            cause: CAUSE_EVENT,
        },
        (None, Some(x)) => CompetingValue {
            time: x,
            cause: CAUSE_DEATH,
        },
        (None, None) => CompetingValue {
            time: end,
            cause: CAUSE_CENSORED,
        },
    })
}

/// Column of the competing-risks time of an endpoint.
pub fn competing_time_column(endpoint: &Endpoint) -> String {
    format!("{}_cr_time", endpoint.name)
}

/// Column of the competing-risks cause of an endpoint.
pub fn cause_column(endpoint: &Endpoint) -> String {
    format!("{}_cause", endpoint.name)
}

/// Name of the outcomes table (written as `outcomes.csv`).
pub const OUTCOMES: &str = "outcomes";

/// Column of the event flag of a time-to-event endpoint.
pub fn event_column(endpoint: &Endpoint) -> String {
    format!("{}_event", endpoint.name)
}

/// One row of the outcomes table.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// USUBJID.
    pub usubjid: String,
    /// Patient id.
    pub subject_id: u64,
    /// Simulated arm, 0-based.
    pub arm: usize,
    /// This is the randomized course (else a counterfactual twin).
    pub randomized: bool,
    /// One value per protocol endpoint, in protocol order.
    pub values: Vec<EndpointValue>,
    /// One competing-risks value per protocol endpoint, in protocol order (`None` for
    /// endpoints without a competing event).
    pub competing: Vec<Option<CompetingValue>>,
}

/// Schema of the outcomes table for a protocol's endpoints.
pub fn schema(endpoints: &[Endpoint]) -> Vec<crate::datasets::ColumnSpec> {
    let empty: Vec<OutcomeRow> = Vec::new();
    table(endpoints, &[], &empty)
        .map(|d| d.schema())
        .unwrap_or_default()
}

/// The outcomes table.
pub fn table(
    endpoints: &[Endpoint],
    arm_names: &[String],
    rows: &[OutcomeRow],
) -> Result<Dataset, DatasetError> {
    let mut columns = vec![
        Column::str(
            "USUBJID",
            "Unique Subject Identifier",
            rows.iter().map(|r| Some(r.usubjid.clone())).collect(),
        ),
        Column::int(
            "SUBJID",
            "Subject Identifier for the Study",
            rows.iter().map(|r| Some(r.subject_id as i64)).collect(),
        ),
        Column::int(
            "ARMN",
            "Simulated Arm Number (1-based)",
            rows.iter().map(|r| Some(r.arm as i64 + 1)).collect(),
        ),
        Column::str(
            "ARM",
            "Simulated Arm",
            rows.iter().map(|r| arm_names.get(r.arm).cloned()).collect(),
        ),
        Column::str(
            "RANDFL",
            "Randomized Course (Y) or Counterfactual Twin (N)",
            rows.iter()
                .map(|r| Some(if r.randomized { "Y" } else { "N" }.to_owned()))
                .collect(),
        ),
    ];
    for (i, e) in endpoints.iter().enumerate() {
        let label = e.description.clone().unwrap_or_else(|| e.name.clone());
        match e.kind {
            EndpointKind::Binary => columns.push(Column::int(
                &e.name,
                &label,
                rows.iter()
                    .map(|r| match r.values[i] {
                        EndpointValue::Binary(b) => Some(i64::from(b)),
                        _ => None,
                    })
                    .collect(),
            )),
            EndpointKind::TimeToEvent => {
                columns.push(Column::float(
                    &e.name,
                    &label,
                    rows.iter()
                        .map(|r| match r.values[i] {
                            EndpointValue::Time { time, .. } => Some(time),
                            _ => None,
                        })
                        .collect(),
                ));
                columns.push(Column::int(
                    &event_column(e),
                    "Event (1) or Censored (0)",
                    rows.iter()
                        .map(|r| match r.values[i] {
                            EndpointValue::Time { event, .. } => Some(i64::from(event)),
                            _ => None,
                        })
                        .collect(),
                ));
                if has_competing_risk(e) {
                    let competing = |r: &OutcomeRow| r.competing.get(i).copied().flatten();
                    columns.push(Column::float(
                        &competing_time_column(e),
                        "Time to Discharge or Death (days)",
                        rows.iter().map(|r| competing(r).map(|c| c.time)).collect(),
                    ));
                    columns.push(Column::int(
                        &cause_column(e),
                        "Cause: Discharge (1), Death (2), Censored (0)",
                        rows.iter()
                            .map(|r| competing(r).map(|c| i64::from(c.cause)))
                            .collect(),
                    ));
                }
            }
            EndpointKind::Ordinal => columns.push(Column::int(
                &e.name,
                &label,
                rows.iter()
                    .map(|r| match r.values[i] {
                        EndpointValue::Ordinal(w) => Some(w),
                        _ => None,
                    })
                    .collect(),
            )),
            EndpointKind::Continuous => columns.push(Column::float(
                &e.name,
                &label,
                rows.iter()
                    .map(|r| match r.values[i] {
                        EndpointValue::Continuous(v) => v,
                        _ => None,
                    })
                    .collect(),
            )),
        }
    }
    Dataset::new(
        OUTCOMES,
        "Endpoint Values by Subject and Simulated Arm",
        columns,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{CourseAdverseEvent, CourseDay};

    fn course(
        who: &[u8],
        lymphocytes: &[f64],
        death: Option<f64>,
        discharge: Option<f64>,
    ) -> Course {
        Course {
            days: who
                .iter()
                .zip(lymphocytes)
                .map(|(&w, &l)| CourseDay {
                    who: w,
                    viral_load_log10: 3.0,
                    detectable: w >= 5,
                    il6_pg_ml: 10.0,
                    lymphocytes_1e9_l: l,
                    titer_id50: 40.0,
                    pf_ratio: 250.0,
                })
                .collect(),
            death_days: death,
            discharge_days: discharge,
            adverse_events: vec![CourseAdverseEvent {
                product: "plasma",
                term: "allergic transfusion reaction",
                time_days: 0.2,
                severity: "MILD",
                serious: false,
            }],
            treated: true,
            lost_days: None,
            start_delay_days: None,
            treatment_start_days: Some(0.0),
            plasma: Default::default(),
        }
    }

    fn endpoint(kind: EndpointKind, measure: Measure, day: u32, from: Option<u32>) -> Endpoint {
        Endpoint {
            name: "e".into(),
            kind,
            measure,
            day,
            from_day: from,
            primary: false,
            description: None,
        }
    }

    #[test]
    fn improvement_is_two_points_below_baseline_or_discharge_whichever_first() {
        // Baseline 6; day 3 is the first at <= 4; discharge at 4.5 comes later.
        let c = course(&[6, 6, 5, 4, 3, 2], &[1.0; 6], None, Some(4.5));
        let e = endpoint(
            EndpointKind::TimeToEvent,
            Measure::ClinicalImprovement,
            5,
            None,
        );
        assert_eq!(
            value(&c, &e),
            EndpointValue::Time {
                time: 3.0,
                event: true
            }
        );
        // Discharge first when it precedes the 2-point drop.
        let early = course(&[6, 6, 5, 5, 4, 4], &[1.0; 6], None, Some(1.5));
        assert_eq!(
            value(&early, &e),
            EndpointValue::Time {
                time: 1.5,
                event: true
            }
        );
        // Censored at the horizon when neither happens by then.
        let short = endpoint(
            EndpointKind::TimeToEvent,
            Measure::ClinicalImprovement,
            2,
            None,
        );
        assert_eq!(
            value(&c, &short),
            EndpointValue::Time {
                time: 2.0,
                event: false
            }
        );
    }

    #[test]
    fn death_by_day_n_and_labs_over_a_window_while_alive() {
        let c = course(
            &[6, 7, 8, 10, 10],
            &[0.5, 0.7, 0.9, 3.0, 3.0],
            Some(2.5),
            None,
        );
        let by = |day| endpoint(EndpointKind::Binary, Measure::Death, day, None);
        assert_eq!(value(&c, &by(2)), EndpointValue::Binary(false));
        assert_eq!(value(&c, &by(3)), EndpointValue::Binary(true));
        // Days 1..=4, alive on days 1 and 2 only: (0.7 + 0.9) / 2.
        let lym = endpoint(
            EndpointKind::Continuous,
            Measure::LymphocyteCount,
            4,
            Some(1),
        );
        match value(&c, &lym) {
            EndpointValue::Continuous(Some(v)) => assert!((v - 0.8).abs() < 1e-12),
            other => panic!("{other:?}"),
        }
        let who = endpoint(EndpointKind::Ordinal, Measure::WhoScore, 4, None);
        assert_eq!(value(&c, &who), EndpointValue::Ordinal(10));
        let reaction = endpoint(EndpointKind::Binary, Measure::TransfusionReaction, 1, None);
        assert_eq!(value(&c, &reaction), EndpointValue::Binary(true));
    }

    #[test]
    fn a_patient_lost_before_the_time_point_is_observed_up_to_the_loss() {
        // Ventilated (7) from day 2, lost at t = 3.5, dies later (unobserved: a lost patient
        // is alive at the loss).
        let mut c = course(&[6, 6, 7, 7, 8, 9], &[1.0; 6], None, None);
        c.lost_days = Some(3.5);
        let death = |kind, day| endpoint(kind, Measure::Death, day, None);
        // Death by day 5: unknown after the loss → missing (complete-case analysis).
        assert_eq!(
            value(&c, &death(EndpointKind::Binary, 5)),
            EndpointValue::Missing
        );
        // Time to death: censored at the loss.
        assert_eq!(
            value(&c, &death(EndpointKind::TimeToEvent, 5)),
            EndpointValue::Time {
                time: 3.5,
                event: false
            }
        );
        // Progression to ventilation (WHO ≥ 7) on day 2, before the loss: observed.
        let vent = endpoint(EndpointKind::TimeToEvent, Measure::WhoScore, 5, None);
        assert_eq!(
            value(&c, &vent),
            EndpointValue::Time {
                time: 2.0,
                event: true
            }
        );
        // The WHO score on day 5 is unknown; on day 3 it is known.
        let who = |day| endpoint(EndpointKind::Ordinal, Measure::WhoScore, day, None);
        assert_eq!(value(&c, &who(5)), EndpointValue::Missing);
        assert_eq!(value(&c, &who(3)), EndpointValue::Ordinal(7));
        // A lab mean over days 1–5 uses days 1–3.
        let mut labs = course(
            &[6, 6, 7, 7, 8, 9],
            &[1.0, 2.0, 3.0, 4.0, 50.0, 60.0],
            None,
            None,
        );
        labs.lost_days = Some(3.5);
        match value(
            &labs,
            &endpoint(
                EndpointKind::Continuous,
                Measure::LymphocyteCount,
                5,
                Some(1),
            ),
        ) {
            EndpointValue::Continuous(Some(v)) => assert!((v - 3.0).abs() < 1e-12, "{v}"),
            other => panic!("{other:?}"),
        }
        // A loss after the time point changes nothing.
        assert_eq!(
            value(&c, &death(EndpointKind::Binary, 3)),
            EndpointValue::Binary(false)
        );
    }

    #[test]
    fn ventilator_free_days_count_days_off_the_ventilator_and_zero_after_death() {
        // Days 0..=5: ventilated (7) on days 1 and 2, off on days 3, 4, 5 → 3 free days.
        let who = [6, 7, 7, 6, 5, 4];
        let vfd = |kind| endpoint(kind, Measure::VentilatorFreeDays, 5, None);
        let alive = course(&who, &[1.0; 6], None, None);
        assert_eq!(
            value(&alive, &vfd(EndpointKind::Ordinal)),
            EndpointValue::Ordinal(3)
        );
        assert_eq!(
            value(&alive, &vfd(EndpointKind::Continuous)),
            EndpointValue::Continuous(Some(3.0))
        );
        // Dead by day 5 (t = 4.5): 0, whatever the days before.
        let dead = course(&who, &[1.0; 6], Some(4.5), None);
        assert_eq!(
            value(&dead, &vfd(EndpointKind::Ordinal)),
            EndpointValue::Ordinal(0)
        );
        // Death after day N does not count: alive through day 5.
        let late = course(&who, &[1.0; 6], Some(6.0), None);
        assert_eq!(
            value(&late, &vfd(EndpointKind::Ordinal)),
            EndpointValue::Ordinal(3)
        );
        // Never ventilated: all N days free.
        let mild = course(&[5, 5, 4, 4, 3, 3], &[1.0; 6], None, None);
        assert_eq!(
            value(&mild, &vfd(EndpointKind::Ordinal)),
            EndpointValue::Ordinal(5)
        );
    }

    #[test]
    fn organ_support_free_days_count_days_below_six_and_minus_one_after_death() {
        // Days 1..=5: 6 (support), 5, 4, 6 (support), 3 → 3 free days.
        let who = [6, 6, 5, 4, 6, 3];
        let osfd = endpoint(
            EndpointKind::Ordinal,
            Measure::OrganSupportFreeDays,
            5,
            None,
        );
        let alive = course(&who, &[1.0; 6], None, None);
        assert_eq!(value(&alive, &osfd), EndpointValue::Ordinal(3));
        // A death at any time of follow-up, even after day N, is −1.
        let dead = course(&who, &[1.0; 6], Some(8.0), None);
        assert_eq!(value(&dead, &osfd), EndpointValue::Ordinal(-1));
        // Lost before day N: unknown.
        let mut lost = course(&who, &[1.0; 6], None, None);
        lost.lost_days = Some(2.0);
        assert_eq!(value(&lost, &osfd), EndpointValue::Missing);
    }

    #[test]
    fn severe_respiratory_disease_is_spo2_below_93_or_death() {
        // SpO2 = 100 / (1 + 23400 / (P^3 + 150 P)) with P = 0.21 P/F (Severinghaus): P/F 350
        // gives P = 73.5 and SpO2 94.6%; P/F 300 gives P = 63 and SpO2 91.7%, so day 2.
        let mut c = course(&[4, 4, 5, 5], &[1.0; 4], None, None);
        for (d, pf) in c.days.iter_mut().zip([400.0, 350.0, 300.0, 250.0]) {
            d.pf_ratio = pf;
        }
        let tte = endpoint(
            EndpointKind::TimeToEvent,
            Measure::SevereRespiratoryDisease,
            3,
            None,
        );
        assert_eq!(
            value(&c, &tte),
            EndpointValue::Time {
                time: 2.0,
                event: true
            }
        );
        let by_day_1 = endpoint(
            EndpointKind::Binary,
            Measure::SevereRespiratoryDisease,
            1,
            None,
        );
        assert_eq!(value(&c, &by_day_1), EndpointValue::Binary(false));
        c.death_days = Some(0.5);
        assert_eq!(value(&c, &by_day_1), EndpointValue::Binary(true));
    }
}
