//! Products and regimens (standard therapy, plasma from donor to dose, MSCs) and their
//! conversion into dosing events; adverse-event risks; plasma supply planning.
//!
//! Everything a trial arm gives is data: a [`Regimen`] is a list of [`RegimenItem`]s, written in a
//! protocol or on the command line (`--give PRODUCT@DAY[:key=value,...]`, see [`give`]), and a new
//! arm needs no code. A regimen becomes [`model::dosing::DoseEvent`]s for one patient with
//! [`Regimen::realize`]; products without a modelled effect are still recorded as
//! [`Administration`]s so that their adverse events can be reported.
//!
//! Clocks: a regimen's days are **days since symptom onset** (the clinical clock); dose events are
//! in **days since infection** (the model clock), shifted by the patient's incubation period.

pub mod abo;
pub mod adverse;
pub mod bounds;
pub mod donor;
pub mod give;
pub mod msc;
pub mod patient;
pub mod plasma;
pub mod reduction;
pub mod regimen;
pub mod schedule;
pub mod standard;
pub mod supply;

pub use abo::AboGroup;
pub use adverse::{AdverseEvent, Seriousness, Severity};
pub use bounds::SpecError;
pub use msc::{MscEffectPreset, MscRegimen, MscSpec};
pub use patient::PatientContext;
pub use plasma::{PlasmaRegimen, PlasmaSpec, PlasmaUnit};
pub use reduction::PathogenReduction;
pub use regimen::{Administration, Regimen, RegimenItem, Treatment};
pub use schedule::Schedule;
pub use standard::{StandardCourse, StandardProduct};
