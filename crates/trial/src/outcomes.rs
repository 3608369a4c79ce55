//! The protocol's endpoints of one course, and the `outcomes` table (one row per patient and
//! simulated arm: the randomized course and, with twins, every counterfactual course) from
//! which `summary.json` is computed, so a merge of shards recomputes the same summary.
//!
//! Trial day N of an endpoint is N days after randomization (t = N). Definitions:
//! - death: died at t ≤ N;
//! - clinical improvement: first trial day k ≥ 1, k ≤ N, with a WHO score at least 2 points
//!   below baseline (death never counts), or discharge, whichever comes first;
//! - discharge: discharged alive at t ≤ N; death is a competing event (censored at N, the
//!   ACTT-1 convention);
//! - viral clearance: first trial day k ≥ 1 with an undetectable viral load;
//! - extubation: first trial day after a day on invasive ventilation (WHO ≥ 7) with WHO < 7,
//!   alive;
//! - transfusion reaction / adverse event: onset of the first (plasma / any) adverse event;
//! - labs (lymphocytes, P/F, IL-6, viral load, titer): the value on day N, or the mean over days
//!   `from_day..=N` while alive;
//! - WHO score: the score on day N (10 after death).
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
    /// WHO score on the day.
    Ordinal(u8),
    /// A number; `None` when not measurable (e.g. dead for the whole window).
    Continuous(Option<f64>),
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
        | Measure::NeutralizingTiter => None,
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

/// The value of `endpoint` for `course`.
pub fn value(course: &Course, endpoint: &Endpoint) -> EndpointValue {
    let n = endpoint.day;
    let horizon = f64::from(n);
    match endpoint.kind {
        EndpointKind::Binary => EndpointValue::Binary(
            event_time(course, endpoint.measure).is_some_and(|t| t <= horizon),
        ),
        EndpointKind::TimeToEvent => match event_time(course, endpoint.measure) {
            Some(t) if t <= horizon => EndpointValue::Time {
                time: t,
                event: true,
            },
            _ => EndpointValue::Time {
                time: horizon,
                event: false,
            },
        },
        EndpointKind::Ordinal => EndpointValue::Ordinal(day(course, n).who),
        EndpointKind::Continuous => {
            if lab(day(course, 0), endpoint.measure).is_none() {
                return EndpointValue::Continuous(Some(f64::from(day(course, n).who)));
            }
            let from = endpoint.from_day.unwrap_or(n).min(n);
            let values: Vec<f64> = (from..=n)
                .filter(|&k| alive_on(course, k))
                .filter_map(|k| lab(day(course, k), endpoint.measure))
                .collect();
            EndpointValue::Continuous(
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
            )
        }
    }
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
            }
            EndpointKind::Ordinal => columns.push(Column::int(
                &e.name,
                &label,
                rows.iter()
                    .map(|r| match r.values[i] {
                        EndpointValue::Ordinal(w) => Some(i64::from(w)),
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
