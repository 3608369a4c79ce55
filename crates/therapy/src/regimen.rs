//! A regimen (what an arm gives) and its realisation for one patient.

use crate::abo::AboFrequencies;
use crate::adverse::{AdverseEvent, sample_adverse_events};
use crate::bounds::SpecError;
use crate::msc::{MscRegimen, MscSpec};
use crate::patient::PatientContext;
use crate::plasma::{IssueError, IssuedAdministration, PlasmaRegimen, PlasmaSpec};
use crate::schedule::ConditionalDoses;
use crate::standard::{StandardCourse, StandardCourseSpec, StandardProduct};
use model::dosing::DoseEvent;
use serde::Deserialize;
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

/// Fields of a standard-therapy course in a protocol (the product is the table's `product`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFields {
    /// First day, days since symptom onset.
    pub first_day: f64,
    /// Course length, days (default per product).
    #[serde(default)]
    pub days: Option<u32>,
    /// Daily dose, mg (corticosteroids).
    #[serde(default)]
    pub daily_mg: Option<f64>,
    /// Route (corticosteroids).
    #[serde(default)]
    pub route: Option<crate::standard::Route>,
    /// Antiviral efficacy (remdesivir).
    #[serde(default)]
    pub efficacy: Option<f64>,
}

/// One regimen component as written in a protocol table, tagged by `product`
/// (`product = "plasma"`, `"msc"`, or a standard product's name). Validate with
/// [`RegimenItem::from_spec`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "product", rename_all = "snake_case")]
pub enum RegimenItemSpec {
    /// Convalescent or hyperimmune plasma.
    Plasma(PlasmaSpec),
    /// Mesenchymal stromal cells.
    Msc(MscSpec),
    /// Dexamethasone course.
    Dexamethasone(CourseFields),
    /// Methylprednisolone course.
    Methylprednisolone(CourseFields),
    /// Remdesivir course.
    Remdesivir(CourseFields),
    /// Lopinavir/ritonavir course.
    LopinavirRitonavir(CourseFields),
    /// Interferon-α course.
    InterferonAlpha(CourseFields),
    /// Ribavirin course.
    Ribavirin(CourseFields),
    /// Non-specific immunoglobulin course.
    Immunoglobulin(CourseFields),
    /// Antibiotics course.
    Antibiotics(CourseFields),
}

impl RegimenItem {
    /// Validates a protocol table; plasma donors' ABO groups follow `abo`.
    pub fn from_spec(spec: RegimenItemSpec, abo: AboFrequencies) -> Result<Self, SpecError> {
        let course = |product: StandardProduct, f: CourseFields| {
            StandardCourse::new(StandardCourseSpec {
                product,
                first_day: f.first_day,
                days: f.days,
                daily_mg: f.daily_mg,
                route: f.route,
                efficacy: f.efficacy,
            })
            .map(RegimenItem::Standard)
        };
        match spec {
            RegimenItemSpec::Plasma(p) => {
                Ok(RegimenItem::Plasma(Box::new(PlasmaRegimen::new(p, abo)?)))
            }
            RegimenItemSpec::Msc(m) => Ok(RegimenItem::Msc(MscRegimen::new(m)?)),
            RegimenItemSpec::Dexamethasone(f) => course(StandardProduct::Dexamethasone, f),
            RegimenItemSpec::Methylprednisolone(f) => {
                course(StandardProduct::Methylprednisolone, f)
            }
            RegimenItemSpec::Remdesivir(f) => course(StandardProduct::Remdesivir, f),
            RegimenItemSpec::LopinavirRitonavir(f) => {
                course(StandardProduct::LopinavirRitonavir, f)
            }
            RegimenItemSpec::InterferonAlpha(f) => course(StandardProduct::InterferonAlpha, f),
            RegimenItemSpec::Ribavirin(f) => course(StandardProduct::Ribavirin, f),
            RegimenItemSpec::Immunoglobulin(f) => course(StandardProduct::Immunoglobulin, f),
            RegimenItemSpec::Antibiotics(f) => course(StandardProduct::Antibiotics, f),
        }
    }
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
