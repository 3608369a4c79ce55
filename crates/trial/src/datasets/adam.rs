//! CDISC ADaM datasets built from plain per-patient records: ADSL (one row per subject),
//! ADTTE (time to event), ADCPS (WHO Clinical Progression Scale by day, BDS), ADLB (labs by
//! day, BDS) and ADAE (adverse events, OCCDS). Variable names follow FORMATS.md §3.
//!
//! Dates: a simulation has no calendar, so every `*DT` variable holds a **study day** (day 1 =
//! randomization; no day 0, CDISC rule), the same number as the matching `*DY`. In ADTTE,
//! STARTDT = 1 and AVAL is the **continuous** time in days from randomization to the event or
//! censoring (the admiral convention `ADT − STARTDT + 1` would round it to whole days); ADT is
//! the study day on which it falls.
//!
//! Row order: subjects by USUBJID; within a subject, records in the order given (ADAE: by
//! start day). Since USUBJID zero-pads the subject id, this is patient-id order, and shard
//! outputs merged by USUBJID equal an unsharded run.

use super::{Column, ColumnSpec, ColumnType, Dataset, DatasetError, Values};
use population::Covariates;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Study-level identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    /// STUDYID.
    pub studyid: String,
}

impl Study {
    /// USUBJID = STUDYID-SITEID-SUBJID, with SUBJID zero-padded to [`SUBJID_WIDTH`] digits so
    /// that text order is id order.
    pub fn usubjid(&self, site_id: &str, subject_id: u64) -> String {
        format!("{}-{}-{}", self.studyid, site_id, subjid(subject_id))
    }
}

/// Digits of SUBJID (ids up to 999 999 999 keep text order equal to numeric order).
pub const SUBJID_WIDTH: usize = 9;

fn subjid(subject_id: u64) -> String {
    format!("{subject_id:0SUBJID_WIDTH$}")
}

/// CDISC study day of a time measured in days from the reference (randomization, day 1):
/// day `floor(t) + 1` for t ≥ 0 and `floor(t)` before it, so there is no day 0.
pub fn study_day(days_since_reference: f64) -> i64 {
    let whole = days_since_reference.floor() as i64;
    if days_since_reference >= 0.0 {
        whole + 1
    } else {
        whole
    }
}

/// A treatment arm as ADSL codes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm {
    /// TRTxxPN / TRTxxAN (1-based arm number).
    pub number: i64,
    /// TRTxxP / TRTxxA and ARM / ACTARM text.
    pub name: String,
}

/// Why a subject's follow-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOfStudy {
    /// Followed to the end of the study.
    Completed,
    /// Died.
    Death,
    /// Lost to follow-up.
    LostToFollowUp,
}

/// One subject, as the engine knows it at the end of the trial.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRecord {
    /// Patient id (SUBJID).
    pub subject_id: u64,
    /// SITEID.
    pub site_id: String,
    /// Baseline covariates (age, sex, body size, ABO, comorbidities).
    pub covariates: Covariates,
    /// Days from symptom onset to randomization.
    pub onset_to_randomization_days: f64,
    /// Baseline WHO Clinical Progression Scale score (0–10).
    pub baseline_who_cps: Option<u8>,
    /// Planned (randomized) arm.
    pub planned_arm: Arm,
    /// Arm actually received; `None` when never treated.
    pub actual_arm: Option<Arm>,
    /// Randomized (ITTFL, RANDFL).
    pub randomized: bool,
    /// Received any study treatment, or randomized to standard care and followed (SAFFL).
    pub safety: bool,
    /// Study day of first study treatment (TRTSDT).
    pub treatment_start_day: Option<i64>,
    /// Study day of death (DTHDT).
    pub death_day: Option<i64>,
    /// Study day follow-up ended (EOSDT).
    pub end_of_study_day: i64,
    /// Why follow-up ended.
    pub end_of_study: EndOfStudy,
}

/// A BDS parameter: PARAMCD (≤ 8 characters) and PARAM (label including the unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// PARAMCD, e.g. "OS28" or "IL6".
    pub code: String,
    /// PARAM, e.g. "Interleukin 6 (pg/mL)".
    pub label: String,
}

/// How a time-to-event record ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TteOutcome {
    /// The event happened (CNSR = 0).
    Event {
        /// EVNTDESC, e.g. "DEATH".
        description: String,
    },
    /// Censored (CNSR = `code` ≥ 1; distinct codes per reason are allowed).
    Censored {
        /// CNSR value.
        code: u32,
        /// EVNTDESC, e.g. "ALIVE AT DAY 28".
        description: String,
    },
}

/// One time-to-event parameter of one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToEventRecord {
    /// Patient id.
    pub subject_id: u64,
    /// PARAMCD / PARAM.
    pub parameter: Parameter,
    /// Days from randomization to the event or censoring (continuous, ≥ 0).
    pub time_days: f64,
    /// Event or censoring.
    pub outcome: TteOutcome,
}

/// One daily WHO Clinical Progression Scale score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhoScoreRecord {
    /// Patient id.
    pub subject_id: u64,
    /// Study day (no day 0).
    pub study_day: i64,
    /// Score 0–10.
    pub score: u8,
}

/// One lab (or biomarker) value.
#[derive(Debug, Clone, PartialEq)]
pub struct LabRecord {
    /// Patient id.
    pub subject_id: u64,
    /// PARAMCD / PARAM (with unit).
    pub parameter: Parameter,
    /// Study day (no day 0).
    pub study_day: i64,
    /// Value in the unit named in PARAM.
    pub value: f64,
}

/// Adverse-event severity (CDISC AESEV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// MILD.
    Mild,
    /// MODERATE.
    Moderate,
    /// SEVERE.
    Severe,
}

impl Severity {
    fn code(self) -> &'static str {
        match self {
            Severity::Mild => "MILD",
            Severity::Moderate => "MODERATE",
            Severity::Severe => "SEVERE",
        }
    }
}

/// Adverse-event outcome (CDISC AEOUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AeOutcome {
    /// RECOVERED/RESOLVED.
    Recovered,
    /// NOT RECOVERED/NOT RESOLVED.
    NotRecovered,
    /// FATAL.
    Fatal,
}

impl AeOutcome {
    fn code(self) -> &'static str {
        match self {
            AeOutcome::Recovered => "RECOVERED/RESOLVED",
            AeOutcome::NotRecovered => "NOT RECOVERED/NOT RESOLVED",
            AeOutcome::Fatal => "FATAL",
        }
    }
}

/// One adverse event.
#[derive(Debug, Clone, PartialEq)]
pub struct AdverseEventRecord {
    /// Patient id.
    pub subject_id: u64,
    /// AETERM (reported term).
    pub term: String,
    /// AEDECOD (dictionary-derived term, e.g. MedDRA preferred term).
    pub decoded_term: String,
    /// AEBODSYS (body system or organ class).
    pub body_system: String,
    /// AESEV.
    pub severity: Severity,
    /// AESER.
    pub serious: bool,
    /// AEREL: related to study treatment.
    pub related: bool,
    /// AEOUT.
    pub outcome: AeOutcome,
    /// Study day of onset (no day 0).
    pub start_day: i64,
    /// Study day of resolution, if resolved.
    pub end_day: Option<i64>,
}

/// One cell of a row under construction; text borrows from the records where it can (the
/// column stores each distinct string once, see [`super::Strings`]).
enum Cell<'a> {
    S(Option<Cow<'a, str>>),
    I(Option<i64>),
    F(Option<f64>),
}

fn s<'a>(v: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::S(Some(v.into()))
}

/// Optional borrowed text.
fn opt(v: Option<&str>) -> Cell<'_> {
    Cell::S(v.map(Cow::Borrowed))
}

fn yn(flag: bool) -> Cell<'static> {
    s(if flag { "Y" } else { "N" })
}

fn y_or_null(flag: bool) -> Cell<'static> {
    opt(flag.then_some("Y"))
}

type Spec = (&'static str, &'static str, ColumnType);

use ColumnType::{Float as F, Int as I, Str as S};

/// Columns being filled row by row (cells in the column list's order).
struct Columns<'s> {
    name: &'s str,
    spec: &'s [Spec],
    values: Vec<Values>,
}

impl<'s> Columns<'s> {
    /// Empty columns with room for `rows` rows.
    fn new(name: &'s str, spec: &'s [Spec], rows: usize) -> Self {
        let values = spec
            .iter()
            .map(|&(_, _, kind)| Values::with_capacity(kind, rows))
            .collect();
        Self { name, spec, values }
    }

    fn push(&mut self, row: Vec<Cell<'_>>) {
        debug_assert_eq!(row.len(), self.spec.len(), "{}: row length", self.name);
        for (cell, column) in row.into_iter().zip(&mut self.values) {
            match (cell, column) {
                (Cell::S(x), Values::Str(v)) => v.push(x.as_deref()),
                (Cell::I(x), Values::Int(v)) => v.push(x),
                (Cell::F(x), Values::Float(v)) => v.push(x),
                _ => unreachable!("{}: a cell does not match its column type", self.name),
            }
        }
    }

    fn finish(self, label: &str) -> Result<Dataset, DatasetError> {
        let columns = self
            .spec
            .iter()
            .zip(self.values)
            .map(|(&(n, l, _), v)| Column {
                name: n.to_owned(),
                label: l.to_owned(),
                values: v,
            })
            .collect();
        Dataset::new(self.name, label, columns)
    }
}

/// Builds a dataset from a column list and rows of cells in that order.
fn build(
    name: &str,
    label: &str,
    spec: &[Spec],
    rows: Vec<Vec<Cell<'_>>>,
) -> Result<Dataset, DatasetError> {
    let mut columns = Columns::new(name, spec, rows.len());
    for row in rows {
        columns.push(row);
    }
    columns.finish(label)
}

fn specs(spec: &[Spec]) -> Vec<ColumnSpec> {
    spec.iter()
        .map(|&(name, label, kind)| ColumnSpec {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
        })
        .collect()
}

const ADSL: &[Spec] = &[
    ("STUDYID", "Study Identifier", S),
    ("USUBJID", "Unique Subject Identifier", S),
    ("SUBJID", "Subject Identifier for the Study", S),
    ("SITEID", "Study Site Identifier", S),
    ("AGE", "Age", I),
    ("AGEU", "Age Units", S),
    ("SEX", "Sex", S),
    ("ARM", "Description of Planned Arm", S),
    ("ACTARM", "Description of Actual Arm", S),
    ("TRT01P", "Planned Treatment for Period 01", S),
    ("TRT01PN", "Planned Treatment for Period 01 (N)", I),
    ("TRT01A", "Actual Treatment for Period 01", S),
    ("TRT01AN", "Actual Treatment for Period 01 (N)", I),
    ("RANDDT", "Date of Randomization (Study Day)", I),
    ("TRTSDT", "Date of First Exposure (Study Day)", I),
    ("ITTFL", "Intent-To-Treat Population Flag", S),
    ("RANDFL", "Randomized Population Flag", S),
    ("SAFFL", "Safety Population Flag", S),
    ("DTHFL", "Subject Death Flag", S),
    ("DTHDT", "Date of Death (Study Day)", I),
    ("EOSSTT", "End of Study Status", S),
    ("EOSDT", "End of Study Date (Study Day)", I),
    ("DCSREAS", "Reason for Discontinuation from Study", S),
    ("WEIGHTBL", "Baseline Weight (kg)", F),
    ("HEIGHTBL", "Baseline Height (cm)", F),
    ("BMIBL", "Baseline BMI (kg/m2)", F),
    ("ABOGRP", "ABO Blood Group", S),
    ("HTNFL", "Hypertension at Baseline Flag", S),
    ("DIABFL", "Diabetes at Baseline Flag", S),
    ("OBESFL", "Obesity at Baseline Flag", S),
    ("CLDFL", "Chronic Lung Disease at Baseline Flag", S),
    ("IMSUPFL", "Immunosuppression at Baseline Flag", S),
    ("CVDFL", "Cardiovascular Disease at Baseline Flag", S),
    ("CKDFL", "Chronic Kidney Disease at Baseline Flag", S),
    ("ONSDUR", "Days From Symptom Onset to Randomization", F),
    ("WHOCPSBL", "Baseline WHO Clinical Progression Scale", I),
    ("MASKING", "Masking (ClinicalTrials.gov Code)", S),
    (
        "TRTDELAY",
        "Realised Start Delay of the Delayed Regimen (days)",
        F,
    ),
];

/// ADSL variables that [`Study`] and [`SubjectRecord`] do not carry: the study's masking and
/// each subject's realised delay to treatment. Kept apart so that code building those records
/// is unchanged; [`adsl`] leaves these columns empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdslDesign {
    /// MASKING: masking as registered (`NONE`, `SINGLE`, `DOUBLE`, `TRIPLE`, `QUADRUPLE`).
    pub masking: Option<String>,
    /// TRTDELAY by subject id: the realised start delay (days, continuous) of the first
    /// regimen of the subject's arm that has one; absent when the arm has none.
    pub treatment_delay_days: BTreeMap<u64, f64>,
    /// NABBL, PLUNITS, PLNABDOS by subject id, for a trial with a plasma arm (`None`: no such
    /// columns).
    pub plasma: Option<BTreeMap<u64, PlasmaExposure>>,
}

/// Centimetres per metre (HEIGHTBL is in cm, as CDISC vital signs).
const CM_PER_M: f64 = 100.0;

/// Columns of ADSL.
pub fn adsl_schema() -> Vec<ColumnSpec> {
    specs(ADSL)
}

/// Subjects indexed by id, with their USUBJID; rejects duplicates.
struct Subjects<'a> {
    by_id: BTreeMap<u64, (String, &'a SubjectRecord)>,
}

impl<'a> Subjects<'a> {
    fn new(study: &Study, subjects: &'a [SubjectRecord]) -> Result<Self, DatasetError> {
        let mut by_id = BTreeMap::new();
        for subject in subjects {
            let usubjid = study.usubjid(&subject.site_id, subject.subject_id);
            if by_id
                .insert(subject.subject_id, (usubjid, subject))
                .is_some()
            {
                return Err(DatasetError::BadRecord {
                    dataset: "ADSL".to_owned(),
                    subject_id: subject.subject_id,
                    message: "two subject records with this id".to_owned(),
                });
            }
        }
        Ok(Self { by_id })
    }

    fn get(
        &self,
        dataset: &str,
        subject_id: u64,
    ) -> Result<&(String, &'a SubjectRecord), DatasetError> {
        self.by_id
            .get(&subject_id)
            .ok_or_else(|| DatasetError::UnknownSubject {
                dataset: dataset.to_owned(),
                subject_id,
            })
    }

    /// Records grouped by USUBJID (text order), each group in input order.
    fn group<'s, 'r, R>(
        &'s self,
        dataset: &str,
        records: &'r [R],
        subject_of: impl Fn(&R) -> u64,
    ) -> Result<BTreeMap<&'s str, (&'a SubjectRecord, Vec<&'r R>)>, DatasetError> {
        let mut groups: BTreeMap<&str, (&SubjectRecord, Vec<&R>)> = BTreeMap::new();
        for record in records {
            let (usubjid, subject) = self.get(dataset, subject_of(record))?;
            groups
                .entry(usubjid.as_str())
                .or_insert_with(|| (*subject, Vec::new()))
                .1
                .push(record);
        }
        Ok(groups)
    }
}

/// ADSL: one row per subject, sorted by USUBJID (MASKING and TRTDELAY empty).
pub fn adsl(study: &Study, subjects: &[SubjectRecord]) -> Result<Dataset, DatasetError> {
    adsl_with(study, subjects, &AdslDesign::default())
}

/// Plasma exposure of one subject (ADSL NABBL, PLUNITS, PLNABDOS).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlasmaExposure {
    /// Own neutralising titer at baseline (before any study product), ID50.
    pub baseline_titer_id50: f64,
    /// Plasma units received.
    pub units: u32,
    /// Neutralising dose delivered, ID50·mL (titer × volume, after pathogen reduction).
    pub delivered_id50_ml: f64,
}

/// ADSL columns of a trial with a plasma arm (after [`ADSL`]'s).
const ADSL_PLASMA: &[Spec] = &[
    ("NABBL", "Baseline Neutralizing Titer (ID50)", F),
    ("PLUNITS", "Plasma Units Received", I),
    ("PLNABDOS", "Neutralizing Dose Delivered (ID50*mL)", F),
];

/// Columns of ADSL of a trial with a plasma arm.
pub fn adsl_plasma_schema() -> Vec<ColumnSpec> {
    specs(&[ADSL, ADSL_PLASMA].concat())
}

/// ADSL with the design variables of `design`, and the plasma exposure columns when
/// `design.plasma` is given (by subject id; a subject without an entry has them missing).
pub fn adsl_with(
    study: &Study,
    subjects: &[SubjectRecord],
    design: &AdslDesign,
) -> Result<Dataset, DatasetError> {
    let index = Subjects::new(study, subjects)?;
    let mut by_usubjid: Vec<&(String, &SubjectRecord)> = index.by_id.values().collect();
    by_usubjid.sort_by(|a, b| a.0.cmp(&b.0));
    let rows = by_usubjid
        .into_iter()
        .map(|(usubjid, r)| {
            let c = &r.covariates;
            let (eosstt, dcsreas) = match r.end_of_study {
                EndOfStudy::Completed => ("COMPLETED", None),
                EndOfStudy::Death => ("DISCONTINUED", Some("DEATH")),
                EndOfStudy::LostToFollowUp => ("DISCONTINUED", Some("LOST TO FOLLOW-UP")),
            };
            let mut row = vec![
                s(&study.studyid),
                s(usubjid),
                s(subjid(r.subject_id)),
                s(&r.site_id),
                Cell::I(Some(i64::from(c.age_completed_years()))),
                s("YEARS"),
                s(c.sex.cdisc_code()),
                s(&r.planned_arm.name),
                s(r.actual_arm
                    .as_ref()
                    .map_or("Not Treated", |a| a.name.as_str())),
                s(&r.planned_arm.name),
                Cell::I(Some(r.planned_arm.number)),
                opt(r.actual_arm.as_ref().map(|a| a.name.as_str())),
                Cell::I(r.actual_arm.as_ref().map(|a| a.number)),
                Cell::I(r.randomized.then_some(1)),
                Cell::I(r.treatment_start_day),
                yn(r.randomized),
                yn(r.randomized),
                yn(r.safety),
                y_or_null(r.death_day.is_some()),
                Cell::I(r.death_day),
                s(eosstt),
                Cell::I(Some(r.end_of_study_day)),
                opt(dcsreas),
                Cell::F(Some(c.weight_kg)),
                Cell::F(Some(c.height_m * CM_PER_M)),
                Cell::F(Some(c.bmi_kg_m2)),
                s(c.abo.name()),
                yn(c.hypertension),
                yn(c.diabetes),
                yn(c.obesity),
                yn(c.chronic_lung_disease),
                yn(c.immunosuppression),
                yn(c.cardiovascular_disease),
                yn(c.chronic_kidney_disease),
                Cell::F(Some(r.onset_to_randomization_days)),
                Cell::I(r.baseline_who_cps.map(i64::from)),
                opt(design.masking.as_deref()),
                Cell::F(design.treatment_delay_days.get(&r.subject_id).copied()),
            ];
            if let Some(plasma) = &design.plasma {
                let e = plasma.get(&r.subject_id);
                row.extend([
                    Cell::F(e.map(|e| e.baseline_titer_id50)),
                    Cell::I(e.map(|e| i64::from(e.units))),
                    Cell::F(e.map(|e| e.delivered_id50_ml)),
                ]);
            }
            row
        })
        .collect();
    let spec = match design.plasma {
        Some(_) => [ADSL, ADSL_PLASMA].concat(),
        None => ADSL.to_vec(),
    };
    build("ADSL", "Subject-Level Analysis Dataset", &spec, rows)
}

/// ADSL variables copied into every other dataset.
const FROM_ADSL: [Spec; 8] = [
    ("STUDYID", "Study Identifier", S),
    ("USUBJID", "Unique Subject Identifier", S),
    ("TRT01P", "Planned Treatment for Period 01", S),
    ("TRT01A", "Actual Treatment for Period 01", S),
    ("ITTFL", "Intent-To-Treat Population Flag", S),
    ("SAFFL", "Safety Population Flag", S),
    ("AGE", "Age", I),
    ("SEX", "Sex", S),
];

fn from_adsl<'a>(study: &'a Study, usubjid: &'a str, r: &'a SubjectRecord) -> Vec<Cell<'a>> {
    vec![
        s(&study.studyid),
        s(usubjid),
        s(&r.planned_arm.name),
        opt(r.actual_arm.as_ref().map(|a| a.name.as_str())),
        yn(r.randomized),
        yn(r.safety),
        Cell::I(Some(i64::from(r.covariates.age_completed_years()))),
        s(r.covariates.sex.cdisc_code()),
    ]
}

fn with_adsl(rest: &[Spec]) -> Vec<Spec> {
    FROM_ADSL.iter().chain(rest).copied().collect()
}

const ADTTE_OWN: &[Spec] = &[
    ("PARAMCD", "Parameter Code", S),
    ("PARAM", "Parameter", S),
    ("STARTDT", "Time-to-Event Origin Date (Study Day)", I),
    ("ADT", "Analysis Date (Study Day)", I),
    ("ADY", "Analysis Relative Day", I),
    ("AVAL", "Analysis Value (days, continuous)", F),
    ("CNSR", "Censor", I),
    ("EVNTDESC", "Event or Censoring Description", S),
    ("ASEQ", "Analysis Sequence Number", I),
];

/// Columns of ADTTE.
pub fn adtte_schema() -> Vec<ColumnSpec> {
    specs(&with_adsl(ADTTE_OWN))
}

/// Study day of the time-to-event origin (randomization).
const TTE_ORIGIN_DAY: i64 = 1;

/// ADTTE: one row per subject and time-to-event parameter.
pub fn adtte(
    study: &Study,
    subjects: &[SubjectRecord],
    records: &[TimeToEventRecord],
) -> Result<Dataset, DatasetError> {
    const NAME: &str = "ADTTE";
    let index = Subjects::new(study, subjects)?;
    let mut rows = Vec::with_capacity(records.len());
    for (usubjid, (subject, records)) in index.group(NAME, records, |r| r.subject_id)? {
        for (seq, r) in records.into_iter().enumerate() {
            let bad = |message: String| DatasetError::BadRecord {
                dataset: NAME.to_owned(),
                subject_id: r.subject_id,
                message,
            };
            if !(r.time_days.is_finite() && r.time_days >= 0.0) {
                return Err(bad(format!(
                    "{}: time {} days is not a finite time >= 0",
                    r.parameter.code, r.time_days
                )));
            }
            let (cnsr, description) = match &r.outcome {
                TteOutcome::Event { description } => (0, description),
                TteOutcome::Censored { code, description } => {
                    if *code == 0 {
                        return Err(bad(format!(
                            "{}: censoring code must be >= 1",
                            r.parameter.code
                        )));
                    }
                    (i64::from(*code), description)
                }
            };
            let day = study_day(r.time_days);
            let mut row = from_adsl(study, usubjid, subject);
            row.extend([
                s(&r.parameter.code),
                s(&r.parameter.label),
                Cell::I(Some(TTE_ORIGIN_DAY)),
                Cell::I(Some(day)),
                Cell::I(Some(day)),
                Cell::F(Some(r.time_days)),
                Cell::I(Some(cnsr)),
                s(description),
                Cell::I(Some(seq as i64 + 1)),
            ]);
            rows.push(row);
        }
    }
    build(
        NAME,
        "Time-to-Event Analysis Dataset",
        &with_adsl(ADTTE_OWN),
        rows,
    )
}

const BDS_OWN: &[Spec] = &[
    ("PARAMCD", "Parameter Code", S),
    ("PARAM", "Parameter", S),
    ("AVAL", "Analysis Value", F),
    ("AVALC", "Analysis Value (C)", S),
    ("ADT", "Analysis Date (Study Day)", I),
    ("ADY", "Analysis Relative Day", I),
    ("AVISIT", "Analysis Visit", S),
    ("AVISITN", "Analysis Visit (N)", I),
    ("ABLFL", "Baseline Record Flag", S),
    ("BASE", "Baseline Value", F),
    ("CHG", "Change from Baseline", F),
    ("ASEQ", "Analysis Sequence Number", I),
];

/// Columns of a BDS dataset (ADCPS, ADLB).
pub fn bds_schema() -> Vec<ColumnSpec> {
    specs(&with_adsl(BDS_OWN))
}

/// Last study day that can be baseline (the randomization day; baseline is the last value on
/// or before it).
const BASELINE_LAST_DAY: i64 = 1;

/// A BDS observation before derivation.
struct Observation<'a> {
    parameter: &'a Parameter,
    day: i64,
    value: f64,
    text: Option<&'static str>,
}

fn bds<'a>(
    name: &str,
    label: &str,
    study: &'a Study,
    groups: BTreeMap<&'a str, (&'a SubjectRecord, Vec<Observation<'a>>)>,
) -> Result<Dataset, DatasetError> {
    // Subjects are derived in parallel, a block at a time (so the rows in flight stay few),
    // and their rows appended in USUBJID order.
    const SUBJECTS_PER_BLOCK: usize = 1024;
    let groups: Vec<_> = groups.into_iter().collect();
    let spec = with_adsl(BDS_OWN);
    let rows = groups.iter().map(|(_, (_, o))| o.len()).sum();
    let mut columns = Columns::new(name, &spec, rows);
    for block in groups.chunks(SUBJECTS_PER_BLOCK) {
        let per_subject: Vec<Vec<Vec<Cell>>> = block
            .par_iter()
            .map(|(usubjid, (subject, observations))| {
                bds_subject(name, study, usubjid, subject, observations)
            })
            .collect::<Result<_, _>>()?;
        for row in per_subject.into_iter().flatten() {
            columns.push(row);
        }
    }
    columns.finish(label)
}

/// The BDS rows of one subject, in input order, with baseline, change and sequence derived.
fn bds_subject<'a>(
    name: &str,
    study: &'a Study,
    usubjid: &'a str,
    subject: &'a SubjectRecord,
    observations: &[Observation<'a>],
) -> Result<Vec<Vec<Cell<'a>>>, DatasetError> {
    let mut rows = Vec::with_capacity(observations.len());
    {
        // Baseline per parameter: the last observation (in input order) with day ≤ 1.
        let mut baseline: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, o) in observations.iter().enumerate() {
            if o.day == 0 {
                return Err(DatasetError::BadRecord {
                    dataset: name.to_owned(),
                    subject_id: subject.subject_id,
                    message: format!("{}: study day 0 does not exist", o.parameter.code),
                });
            }
            if o.day <= BASELINE_LAST_DAY {
                baseline.insert(o.parameter.code.as_str(), i);
            }
        }
        for (seq, (i, o)) in observations.iter().enumerate().enumerate() {
            let base_index = baseline.get(o.parameter.code.as_str()).copied();
            let base = base_index.map(|b| observations[b].value);
            let is_baseline = base_index == Some(i);
            let post_baseline = base_index.is_some_and(|b| o.day > observations[b].day);
            let (visit, visit_n) = if is_baseline {
                (Cow::Borrowed("Baseline"), 0)
            } else {
                (Cow::Owned(format!("Day {}", o.day)), o.day)
            };
            let mut row = from_adsl(study, usubjid, subject);
            row.extend([
                s(&o.parameter.code),
                s(&o.parameter.label),
                Cell::F(Some(o.value)),
                opt(o.text),
                Cell::I(Some(o.day)),
                Cell::I(Some(o.day)),
                s(visit),
                Cell::I(Some(visit_n)),
                y_or_null(is_baseline),
                Cell::F(base),
                Cell::F(base.filter(|_| post_baseline).map(|b| o.value - b)),
                Cell::I(Some(seq as i64 + 1)),
            ]);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// WHO CPS parameter of ADCPS.
pub fn who_cps_parameter() -> Parameter {
    Parameter {
        code: "WHOCPS".to_owned(),
        label: "WHO Clinical Progression Scale (0-10, score)".to_owned(),
    }
}

/// Highest WHO CPS score (dead).
pub const WHO_CPS_MAX: u8 = 10;

/// AVALC text of a WHO CPS score (Marshall et al., Lancet Infect Dis 2020;20:e192; FORMATS.md §4.1).
pub fn who_cps_text(score: u8) -> Option<&'static str> {
    Some(match score {
        0 => "Uninfected; no viral RNA detected",
        1 => "Ambulatory; asymptomatic, viral RNA detected",
        2 => "Ambulatory; symptomatic, independent",
        3 => "Ambulatory; symptomatic, assistance needed",
        4 => "Hospitalised; no oxygen therapy",
        5 => "Hospitalised; oxygen by mask or nasal prongs",
        6 => "Hospitalised; oxygen by NIV or high flow",
        7 => "Mechanical ventilation; P/F >= 150 or S/F >= 200",
        8 => "Mechanical ventilation; P/F < 150 or vasopressors",
        9 => "Mechanical ventilation; P/F < 150 and vasopressors, dialysis or ECMO",
        10 => "Dead",
        _ => return None,
    })
}

/// ADCPS: WHO Clinical Progression Scale by study day (BDS, PARAMCD WHOCPS).
pub fn adcps(
    study: &Study,
    subjects: &[SubjectRecord],
    records: &[WhoScoreRecord],
) -> Result<Dataset, DatasetError> {
    const NAME: &str = "ADCPS";
    let index = Subjects::new(study, subjects)?;
    let parameter = who_cps_parameter();
    let mut groups = BTreeMap::new();
    for (usubjid, (subject, records)) in index.group(NAME, records, |r| r.subject_id)? {
        let observations = records
            .into_iter()
            .map(|r| {
                let text = who_cps_text(r.score).ok_or_else(|| DatasetError::BadRecord {
                    dataset: NAME.to_owned(),
                    subject_id: r.subject_id,
                    message: format!("WHO CPS score {} is outside 0-{WHO_CPS_MAX}", r.score),
                })?;
                Ok(Observation {
                    parameter: &parameter,
                    day: r.study_day,
                    value: f64::from(r.score),
                    text: Some(text),
                })
            })
            .collect::<Result<Vec<_>, DatasetError>>()?;
        groups.insert(usubjid, (subject, observations));
    }
    bds(
        NAME,
        "WHO Clinical Progression Scale Analysis Dataset",
        study,
        groups,
    )
}

/// ADLB: lab and biomarker values by study day (BDS).
pub fn adlb(
    study: &Study,
    subjects: &[SubjectRecord],
    records: &[LabRecord],
) -> Result<Dataset, DatasetError> {
    const NAME: &str = "ADLB";
    let index = Subjects::new(study, subjects)?;
    let mut groups = BTreeMap::new();
    for (usubjid, (subject, records)) in index.group(NAME, records, |r| r.subject_id)? {
        let observations = records
            .into_iter()
            .map(|r| Observation {
                parameter: &r.parameter,
                day: r.study_day,
                value: r.value,
                text: None,
            })
            .collect();
        groups.insert(usubjid, (subject, observations));
    }
    bds(NAME, "Laboratory Analysis Dataset", study, groups)
}

const ADAE_OWN: &[Spec] = &[
    ("TRTA", "Actual Treatment", S),
    ("AESEQ", "Sequence Number", I),
    ("AETERM", "Reported Term for the Adverse Event", S),
    ("AEDECOD", "Dictionary-Derived Term", S),
    ("AEBODSYS", "Body System or Organ Class", S),
    ("AESEV", "Severity/Intensity", S),
    ("AESER", "Serious Event", S),
    ("AEREL", "Causality", S),
    ("AEOUT", "Outcome of Adverse Event", S),
    ("ASTDT", "Analysis Start Date (Study Day)", I),
    ("ASTDY", "Analysis Start Relative Day", I),
    ("AENDT", "Analysis End Date (Study Day)", I),
    ("AENDY", "Analysis End Relative Day", I),
    ("TRTEMFL", "Treatment Emergent Analysis Flag", S),
    ("AOCCFL", "1st Occurrence of Any AE Flag", S),
    ("AOCCPFL", "1st Occurrence of Preferred Term Flag", S),
];

/// Columns of ADAE.
pub fn adae_schema() -> Vec<ColumnSpec> {
    specs(&with_adsl(ADAE_OWN))
}

/// ADAE: one row per adverse event, by subject then onset day. TRTEMFL = "Y" when the event
/// starts on or after the first study treatment; AOCCFL / AOCCPFL flag each subject's first
/// event overall and per preferred term.
pub fn adae(
    study: &Study,
    subjects: &[SubjectRecord],
    records: &[AdverseEventRecord],
) -> Result<Dataset, DatasetError> {
    const NAME: &str = "ADAE";
    let index = Subjects::new(study, subjects)?;
    let mut rows = Vec::with_capacity(records.len());
    for (usubjid, (subject, mut events)) in index.group(NAME, records, |r| r.subject_id)? {
        events.sort_by_key(|e| e.start_day);
        let mut seen_terms = std::collections::BTreeSet::new();
        for (seq, e) in events.into_iter().enumerate() {
            let bad_day = e.start_day == 0 || e.end_day == Some(0);
            let ends_before_start = e.end_day.is_some_and(|end| end < e.start_day);
            if bad_day || ends_before_start {
                return Err(DatasetError::BadRecord {
                    dataset: NAME.to_owned(),
                    subject_id: e.subject_id,
                    message: format!(
                        "{}: days {}..{:?} (no day 0; end not before start)",
                        e.decoded_term, e.start_day, e.end_day
                    ),
                });
            }
            let emergent = subject
                .treatment_start_day
                .is_some_and(|first| e.start_day >= first);
            let first_of_term = seen_terms.insert(e.decoded_term.as_str());
            let mut row = from_adsl(study, usubjid, subject);
            row.extend([
                opt(subject.actual_arm.as_ref().map(|a| a.name.as_str())),
                Cell::I(Some(seq as i64 + 1)),
                s(&e.term),
                s(&e.decoded_term),
                s(&e.body_system),
                s(e.severity.code()),
                yn(e.serious),
                yn(e.related),
                s(e.outcome.code()),
                Cell::I(Some(e.start_day)),
                Cell::I(Some(e.start_day)),
                Cell::I(e.end_day),
                Cell::I(e.end_day),
                y_or_null(emergent),
                y_or_null(seq == 0),
                y_or_null(first_of_term),
            ]);
            rows.push(row);
        }
    }
    build(
        NAME,
        "Adverse Events Analysis Dataset",
        &with_adsl(ADAE_OWN),
        rows,
    )
}
