//! A regimen (what an arm gives) and its realisation for one patient.

use crate::adverse::{AdverseEvent, sample_adverse_events};
use crate::msc::MscRegimen;
use crate::patient::PatientContext;
use crate::plasma::{IssueError, IssuedAdministration, PlasmaRegimen};
use crate::schedule::ConditionalDoses;
use crate::standard::StandardCourse;
use model::dosing::DoseEvent;
use streams::{Purpose, stream};

/// One component of a regimen.
#[derive(Debug, Clone, PartialEq)]
pub enum RegimenItem {
    /// A course of a standard-therapy product.
    Standard(StandardCourse),
    /// Convalescent or hyperimmune plasma.
    Plasma(Box<PlasmaRegimen>),
    /// Mesenchymal stromal cells.
    Msc(MscRegimen),
}

/// What an arm gives: a named list of components.
#[derive(Debug, Clone, PartialEq)]
pub struct Regimen {
    /// Name (as in the protocol, or the `--give` text).
    pub name: String,
    /// Components.
    pub items: Vec<RegimenItem>,
}

/// A product given once (a plasma unit, an MSC infusion, a day of a course), recorded whether
/// or not it has a modelled effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Administration {
    /// Product name ("plasma", "msc", or a standard product's name).
    pub product: &'static str,
    /// Start, days since infection.
    pub time_days: f64,
    /// First administration of a course (per-course adverse events are drawn here).
    pub course_start: bool,
}

/// A regimen realised for one patient.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Treatment {
    /// Dose events for the solver, sorted by time (stable).
    pub events: Vec<DoseEvent>,
    /// Every administration, in regimen order.
    pub administrations: Vec<Administration>,
    /// Plasma units issued, per administration.
    pub plasma: Vec<IssuedAdministration>,
}

impl Regimen {
    /// Realises the regimen for patient `patient_id`: plasma units are issued from
    /// `stream(seed, Purpose::PlasmaIssue, patient_id)`; `conditional` says whether
    /// response-dependent plasma doses are given.
    pub fn realize(
        &self,
        seed: u64,
        patient_id: u64,
        patient: &PatientContext,
        conditional: ConditionalDoses,
    ) -> Result<Treatment, IssueError> {
        let mut issue_rng = stream(seed, Purpose::PlasmaIssue, patient_id);
        let mut treatment = Treatment::default();
        for item in &self.items {
            match item {
                RegimenItem::Standard(course) => {
                    treatment.events.extend(course.dose_events(patient));
                    let days = course.schedule().dose_days(ConditionalDoses::Give);
                    for (k, day) in days.into_iter().enumerate() {
                        treatment.administrations.push(Administration {
                            product: course.product().name(),
                            time_days: patient.model_time(day),
                            course_start: k == 0,
                        });
                    }
                }
                RegimenItem::Plasma(plasma) => {
                    for given in plasma.realize(patient, conditional, &mut issue_rng)? {
                        for (k, event) in given.events.iter().enumerate() {
                            treatment.administrations.push(Administration {
                                product: "plasma",
                                time_days: event.time_days,
                                course_start: k == 0,
                            });
                        }
                        treatment.events.extend(given.events.iter().copied());
                        treatment.plasma.push(given);
                    }
                }
                RegimenItem::Msc(msc) => {
                    for (k, event) in msc.dose_events(patient).into_iter().enumerate() {
                        treatment.administrations.push(Administration {
                            product: "msc",
                            time_days: event.time_days,
                            course_start: k == 0,
                        });
                        treatment.events.push(event);
                    }
                }
            }
        }
        treatment
            .events
            .sort_by(|a, b| a.time_days.total_cmp(&b.time_days));
        Ok(treatment)
    }
}

impl Treatment {
    /// Adverse events of this treatment for patient `patient_id`, drawn from
    /// `stream(seed, Purpose::AdverseEvents, patient_id)`.
    pub fn adverse_events(&self, seed: u64, patient_id: u64) -> Vec<AdverseEvent> {
        let mut rng = stream(seed, Purpose::AdverseEvents, patient_id);
        sample_adverse_events(&self.administrations, &mut rng)
    }

    /// Total passive antibody delivered, ID50·mL.
    pub fn delivered_id50_ml(&self) -> f64 {
        self.plasma
            .iter()
            .flat_map(|a| a.units.iter())
            .map(|u| u.delivered_id50_ml())
            .sum()
    }
}
