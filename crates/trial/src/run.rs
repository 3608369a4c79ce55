//! A protocol run end to end: screen candidates in id order, allocate, simulate every enrolled
//! patient under the randomized arm (and under every arm for counterfactual twins), build the
//! ADaM datasets and the outcomes table, summarise, write the results folder; and the merge of
//! shard folders.
//!
//! Determinism: screening runs in fixed-size batches of candidate ids (the batch size does not
//! depend on the thread count) and candidates are taken in id order; every patient draws from
//! their own streams; parallel results are collected in id order. So the datasets and the
//! summary are byte-identical for any thread count and, after [`merge`], any shard layout.

use crate::allocation::{AllocationError, Enrollee, allocate};
use crate::datasets::adam::{
    self, AdverseEventRecord, AeOutcome, Arm, EndOfStudy, LabRecord, Parameter, Severity, Study,
    SubjectRecord, TimeToEventRecord, TteOutcome, WhoScoreRecord, study_day,
};
use crate::datasets::{Dataset, DatasetError};
pub use crate::design::design;
use crate::outcomes::{self, EndpointValue, OutcomeRow};
use crate::results::{ResultsFolder, ShardSpec, write_atomically};
use crate::simulate::{Candidate, Course, SimulationError, Simulator};
use crate::summary::{self, Exclusion, Replicates, Screening, Summary, SummaryInputs};
use population::PopulationSpec;
use protocol::Protocol;
use protocol::schema::{EndpointKind, Measure};
use rand::Rng;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use streams::{Purpose, stream};
use thiserror::Error;

/// Candidates screened per parallel batch (fixed, so results do not depend on threads).
const SCREEN_BATCH: u64 = 256;
/// Most candidates screened per enrolled patient before giving up.
const MAX_SCREENED_PER_PATIENT: u64 = 200;
/// Site id of every subject (a simulation has one site).
pub const SITE_ID: &str = "001";
/// Trial days (since randomization) with lab values in ADLB.
pub const LAB_VISIT_DAYS: &[u32] = &[0, 1, 3, 5, 7, 10, 14, 21, 28, 42, 56, 90];

/// Errors of a run or a merge.
#[derive(Debug, Error)]
pub enum TrialError {
    /// The protocol names an unknown population.
    #[error(transparent)]
    Population(#[from] population::PopulationError),
    /// Not enough eligible candidates.
    #[error(
        "only {enrolled} of {planned} patients were eligible among {screened} screened; \
         loosen the eligibility criteria or choose another population"
    )]
    NotEnoughEligible {
        /// Enrolled.
        enrolled: u64,
        /// Planned.
        planned: u64,
        /// Screened.
        screened: u64,
    },
    /// Allocation failed.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    /// A patient could not be simulated.
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    /// A dataset could not be built, read or written.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// File input/output.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Shard folders that do not belong together.
    #[error("cannot merge: {0}")]
    Merge(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TrialError + '_ {
    move |source| TrialError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The datasets of a run (or of a merge). The summary needs only ADSL, ADAE and the outcomes;
/// the large by-day datasets are `None` once written early to the results folder (see
/// [`simulate_trial`]'s `spill`), which keeps the peak memory of large trials down.
#[derive(Debug, Clone, PartialEq)]
pub struct Datasets {
    /// ADSL.
    pub adsl: Dataset,
    /// ADTTE (`None`: already written).
    pub adtte: Option<Dataset>,
    /// ADCPS (`None`: already written).
    pub adcps: Option<Dataset>,
    /// ADLB (`None`: already written).
    pub adlb: Option<Dataset>,
    /// ADAE.
    pub adae: Dataset,
    /// Endpoint values by patient and simulated arm.
    pub outcomes: Dataset,
}

impl Datasets {
    fn all(&self) -> Vec<&Dataset> {
        [
            Some(&self.adsl),
            self.adtte.as_ref(),
            self.adcps.as_ref(),
            self.adlb.as_ref(),
            Some(&self.adae),
            Some(&self.outcomes),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Writes `dataset` into `folder` now and returns `None`, or keeps it when there is no folder.
fn spill(dataset: Dataset, folder: Option<&ResultsFolder>) -> Result<Option<Dataset>, TrialError> {
    match folder {
        Some(f) => {
            f.write_dataset(&dataset)?;
            // Freeing a by-day dataset (hundreds of thousands of strings) takes as long as
            // writing it; let another worker do it while this one builds the next.
            rayon::spawn(move || drop(dataset));
            Ok(None)
        }
        None => Ok(Some(dataset)),
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct TrialOutput {
    /// Screening counts.
    pub screening: Screening,
    /// Datasets of this shard.
    pub datasets: Datasets,
    /// Allocation scheme, in words.
    pub allocation_scheme: String,
}

fn simulator<'a>(protocol: &'a Protocol, population: &'a PopulationSpec) -> Simulator<'a> {
    Simulator {
        protocol,
        population,
        seed: protocol.simulation.seed,
        follow_up_days: protocol.simulation.follow_up_days,
    }
}

/// Screens candidates 0, 1, 2, … until the protocol's enrollment is reached.
fn enroll(
    protocol: &Protocol,
    spec: &PopulationSpec,
) -> Result<(Vec<Candidate>, Screening), TrialError> {
    let sim = simulator(protocol, spec);
    enroll_by(u64::from(protocol.simulation.patients), |id| sim.screen(id))
}

/// Screens candidates 0, 1, 2, … with `screen` (in parallel batches of fixed size, so the
/// result does not depend on the thread count) until `planned` are eligible; the enrolled in
/// id order and the screening counts. Gives up after 200 candidates per planned patient
/// (at least 1000).
pub fn enroll_by(
    planned: u64,
    screen: impl Fn(u64) -> Result<Candidate, SimulationError> + Sync,
) -> Result<(Vec<Candidate>, Screening), TrialError> {
    let max_screened = planned.saturating_mul(MAX_SCREENED_PER_PATIENT).max(1000);
    let mut enrolled = Vec::new();
    let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
    let mut screened = 0;
    let mut next = 0;
    'batches: while (enrolled.len() as u64) < planned && next < max_screened {
        let ids: Vec<u64> = (next..(next + SCREEN_BATCH).min(max_screened)).collect();
        next += ids.len() as u64;
        let batch: Vec<Result<Candidate, SimulationError>> =
            ids.par_iter().map(|&id| screen(id)).collect();
        for candidate in batch {
            let candidate = candidate?;
            screened += 1;
            match &candidate.failed {
                Some(reason) => *excluded.entry(reason.clone()).or_default() += 1,
                None => enrolled.push(candidate),
            }
            if enrolled.len() as u64 == planned {
                break 'batches;
            }
        }
    }
    if (enrolled.len() as u64) < planned {
        return Err(TrialError::NotEnoughEligible {
            enrolled: enrolled.len() as u64,
            planned,
            screened,
        });
    }
    let screening = Screening {
        screened,
        enrolled: planned,
        excluded: excluded
            .into_iter()
            .map(|(reason, n)| Exclusion { reason, n })
            .collect(),
    };
    Ok((enrolled, screening))
}

/// One simulated patient.
struct Simulated {
    candidate: Candidate,
    arm: usize,
    course: Course,
    twins: Vec<Course>,
}

/// Runs the patients of `shard`; `progress` is called once per simulated patient. With a
/// `spill` folder, ADTTE, ADCPS and ADLB are written there as soon as they are built.
pub fn simulate_trial(
    protocol: &Protocol,
    shard: ShardSpec,
    progress: &(dyn Fn() + Sync),
    spill_to: Option<&ResultsFolder>,
) -> Result<TrialOutput, TrialError> {
    let (patients, screening, allocation_scheme) = simulate_patients(protocol, shard, progress)?;
    let (datasets, ()) = build_datasets(protocol, patients, spill_to, |_| ())?;
    Ok(TrialOutput {
        screening,
        datasets,
        allocation_scheme,
    })
}

/// [`simulate_trial`] and [`summarise`] in one: the summary is computed from the
/// subject-level datasets while the by-day datasets are still being built and written to
/// `folder` (the result is the same as summarising afterwards).
pub fn simulate_and_summarise(
    protocol: &Protocol,
    shard: ShardSpec,
    progress: &(dyn Fn() + Sync),
    folder: &ResultsFolder,
) -> Result<(TrialOutput, Summary), TrialError> {
    // The plasma supply campaigns depend on the protocol only: simulated beside the patients.
    let (supply_campaigns, simulated) = rayon::join(
        || crate::supply::campaigns(protocol),
        || simulate_patients(protocol, shard, progress),
    );
    let (patients, screening, allocation_scheme) = simulated?;
    let (datasets, summary) = build_datasets(protocol, patients, Some(folder), |t| {
        summary::summarise(
            &SummaryInputs {
                protocol,
                screening: &screening,
                allocation_scheme: allocation_scheme.clone(),
                supply_campaigns,
            },
            t.outcomes,
            t.adsl,
            t.adae,
        )
    })?;
    Ok((
        TrialOutput {
            screening,
            datasets,
            allocation_scheme,
        },
        summary,
    ))
}

/// Screens, allocates and simulates the patients of `shard`, in patient-id order.
fn simulate_patients(
    protocol: &Protocol,
    shard: ShardSpec,
    progress: &(dyn Fn() + Sync),
) -> Result<(Vec<Simulated>, Screening, String), TrialError> {
    let spec = PopulationSpec::named(&protocol.simulation.population)?;
    let (enrolled, screening) = enroll(protocol, &spec)?;
    let (design, allocation_scheme) = design(protocol)?;
    let enrollees: Vec<Enrollee> = enrolled
        .iter()
        .map(|c| crate::design::enrollee(protocol, c.covariates.patient_id, c))
        .collect::<Result<_, _>>()?;
    let arms = allocate(&design, protocol.simulation.seed, &enrollees)?;
    let sim = simulator(protocol, &spec);
    let twins = protocol.analysis.twins && protocol.arms.len() > 1;
    let mine: Vec<(Candidate, usize)> = enrolled
        .into_iter()
        .zip(arms)
        .filter(|(c, _)| shard.contains(c.covariates.patient_id))
        .collect();
    let simulated: Vec<Simulated> = mine
        .into_par_iter()
        .map(|(mut candidate, arm)| {
            let all: Vec<Course> = if twins {
                (0..protocol.arms.len())
                    .map(|a| sim.course(&candidate, a))
                    .collect::<Result<_, _>>()?
            } else {
                Vec::new()
            };
            let course = match all.get(arm) {
                Some(c) => c.clone(),
                None => sim.course(&candidate, arm)?,
            };
            progress();
            candidate.checkpoint = None; // no more courses to continue from it
            Ok(Simulated {
                candidate,
                arm,
                course,
                twins: all,
            })
        })
        .collect::<Result<_, SimulationError>>()?;
    Ok((simulated, screening, allocation_scheme))
}

/// STUDYID of a protocol.
pub fn study(protocol: &Protocol) -> Study {
    Study {
        studyid: protocol.study.id.clone(),
    }
}

fn tte_code(measure: Measure, day: u32) -> String {
    match measure {
        Measure::Death => format!("OS{day}"),
        Measure::ClinicalImprovement => "TTIMP2".into(),
        Measure::Discharge => "TTDISCH".into(),
        Measure::ViralClearance => "TTVCLR".into(),
        Measure::Extubation => "TTEXTUB".into(),
        Measure::WhoScore => "TTMVDTH".into(),
        Measure::TransfusionReaction => "TTTRXN".into(),
        Measure::AdverseEvent => "TTAE".into(),
        _ => "TTOTHER".into(),
    }
}

/// A lab parameter and how to read it from a course day.
type LabParameter = (Parameter, fn(&crate::simulate::CourseDay) -> f64);

fn lab_parameters() -> [LabParameter; 5] {
    let p = |code: &str, label: &str| Parameter {
        code: code.into(),
        label: label.into(),
    };
    [
        (p("VIRLOAD", "Viral Load (log10 copies/mL)"), |d| {
            d.viral_load_log10
        }),
        (p("IL6", "Interleukin 6 (pg/mL)"), |d| d.il6_pg_ml),
        (p("LYM", "Lymphocytes (10^9/L)"), |d| d.lymphocytes_1e9_l),
        (p("NEUTAB", "Neutralizing Antibody Titer (ID50)"), |d| {
            d.titer_id50
        }),
        (p("PFRATIO", "PaO2/FiO2 (mmHg)"), |d| d.pf_ratio),
    ]
}

fn body_system(product: &str) -> &'static str {
    match product {
        "plasma" | "msc" => "INJURY, POISONING AND PROCEDURAL COMPLICATIONS",
        _ => "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS",
    }
}

/// ADSL plasma exposure of a simulated patient: baseline titer from the screening state.
fn exposure(p: &Simulated) -> adam::PlasmaExposure {
    adam::PlasmaExposure {
        baseline_titer_id50: p
            .candidate
            .baseline
            .map_or(p.course.days[0].titer_id50, |b| b.titer_id50),
        units: p.course.plasma.units,
        delivered_id50_ml: p.course.plasma.delivered_id50_ml,
    }
}

/// The subject-level datasets, which is all a summary reads.
pub struct SubjectLevel<'a> {
    /// ADSL.
    pub adsl: &'a Dataset,
    /// ADAE.
    pub adae: &'a Dataset,
    /// Endpoint values by patient and simulated arm.
    pub outcomes: &'a Dataset,
}

/// Builds the datasets, consuming the patients (each course is freed once its records are
/// made) and each record list once its dataset is built, to keep the peak memory down;
/// `then` runs on the subject-level datasets while the by-day ones are being built.
fn build_datasets<T: Send>(
    protocol: &Protocol,
    patients: Vec<Simulated>,
    spill_to: Option<&ResultsFolder>,
    then: impl FnOnce(SubjectLevel<'_>) -> T + Send,
) -> Result<(Datasets, T), TrialError> {
    let study = study(protocol);
    let follow_up = protocol.simulation.follow_up_days;
    let horizon = f64::from(follow_up);
    let arm_names: Vec<String> = protocol.arms.iter().map(|a| a.label.clone()).collect();
    let labs = lab_parameters();
    let mut adsl_design = adam::AdslDesign {
        masking: protocol.study.masking.map(|m| m.to_string()),
        ..adam::AdslDesign::default()
    };
    let (mut subjects, mut tte, mut scores, mut lab_rows, mut aes, mut rows) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let has_plasma = crate::supply::has_plasma(protocol);
    let mut plasma = BTreeMap::new();
    for p in patients {
        let p = &p;
        let id = p.candidate.covariates.patient_id;
        let c = &p.course;
        if has_plasma {
            plasma.insert(id, exposure(p));
        }
        let arm = Arm {
            number: p.arm as i64 + 1,
            name: arm_names[p.arm].clone(),
        };
        // Observation ends at the loss to follow-up, if any (the patient is alive then).
        let observed_until = c.lost_days.unwrap_or(horizon);
        let died = c.death_days.filter(|&t| t <= observed_until);
        if let Some(delay) = c.start_delay_days {
            adsl_design.treatment_delay_days.insert(id, delay);
        }
        subjects.push(SubjectRecord {
            subject_id: id,
            site_id: SITE_ID.into(),
            covariates: p.candidate.covariates.clone(),
            onset_to_randomization_days: f64::from(p.candidate.randomization_day),
            // As screening saw it (inpatients count as in hospital at screening).
            baseline_who_cps: p
                .candidate
                .baseline_state
                .as_ref()
                .map(|b| b.who_score)
                .or(p.candidate.baseline.map(|b| b.who_score)),
            planned_arm: arm.clone(),
            actual_arm: Some(arm),
            randomized: true,
            safety: true,
            treatment_start_day: c.treatment_start_days.map(study_day),
            death_day: died.map(study_day),
            end_of_study_day: study_day(died.unwrap_or(observed_until)),
            end_of_study: match (died, c.lost_days) {
                (Some(_), _) => EndOfStudy::Death,
                (None, Some(_)) => EndOfStudy::LostToFollowUp,
                (None, None) => EndOfStudy::Completed,
            },
        });
        let daily: Vec<WhoScoreRecord> = c
            .days
            .iter()
            .enumerate()
            .take_while(|&(k, _)| k as f64 <= observed_until)
            .map(|(k, d)| WhoScoreRecord {
                subject_id: id,
                study_day: k as i64 + 1,
                score: d.who,
            })
            .collect();
        tte.push(crate::endpoints::time_to_death(
            id,
            follow_up,
            c.death_days,
            observed_until,
        ));
        tte.push(crate::endpoints::time_to_recovery(id, follow_up, &daily));
        let mut codes: Vec<String> = vec![format!("OS{follow_up}"), "TTRECOV".into()];
        for e in &protocol.endpoints {
            if e.kind != EndpointKind::TimeToEvent {
                continue;
            }
            let code = tte_code(e.measure, e.day);
            if codes.contains(&code) {
                continue;
            }
            codes.push(code.clone());
            if let EndpointValue::Time { time, event } = outcomes::value(c, e) {
                let description = e.description.clone().unwrap_or_else(|| e.name.clone());
                tte.push(TimeToEventRecord {
                    subject_id: id,
                    parameter: Parameter {
                        code,
                        label: format!("{description} (days)"),
                    },
                    time_days: time,
                    outcome: if event {
                        TteOutcome::Event {
                            description: protocol::schema::spelling(&e.measure).to_uppercase(),
                        }
                    } else if time < f64::from(e.day) {
                        TteOutcome::Censored {
                            code: crate::endpoints::CNSR_LOST,
                            description: "LOST TO FOLLOW-UP".into(),
                        }
                    } else {
                        TteOutcome::Censored {
                            code: crate::endpoints::CNSR_HORIZON,
                            description: format!("NO EVENT BY DAY {}", e.day),
                        }
                    },
                });
            }
        }
        scores.extend(daily);
        for &k in LAB_VISIT_DAYS.iter().filter(|&&k| k <= follow_up) {
            if died.is_some_and(|d| d <= f64::from(k)) || f64::from(k) > observed_until {
                break;
            }
            for (parameter, get) in &labs {
                lab_rows.push(LabRecord {
                    subject_id: id,
                    parameter: parameter.clone(),
                    study_day: i64::from(k) + 1,
                    value: get(&c.days[k as usize]),
                });
            }
        }
        for e in c
            .adverse_events
            .iter()
            .filter(|e| e.time_days <= observed_until)
        {
            aes.push(AdverseEventRecord {
                subject_id: id,
                term: e.term.to_uppercase(),
                decoded_term: e.term.to_uppercase(),
                body_system: body_system(e.product).into(),
                severity: match e.severity {
                    "SEVERE" => Severity::Severe,
                    "MODERATE" => Severity::Moderate,
                    _ => Severity::Mild,
                },
                serious: e.serious,
                related: true,
                outcome: AeOutcome::Recovered,
                start_day: study_day(e.time_days),
                end_day: None,
            });
        }
        let usubjid = study.usubjid(SITE_ID, id);
        let values = |course: &Course| {
            protocol
                .endpoints
                .iter()
                .map(|e| outcomes::value(course, e))
                .collect()
        };
        let competing = |course: &Course| {
            protocol
                .endpoints
                .iter()
                .map(|e| outcomes::competing_value(course, e))
                .collect()
        };
        if p.twins.is_empty() {
            rows.push(OutcomeRow {
                usubjid,
                subject_id: id,
                arm: p.arm,
                randomized: true,
                values: values(c),
                competing: competing(c),
            });
        } else {
            for (a, twin) in p.twins.iter().enumerate() {
                rows.push(OutcomeRow {
                    usubjid: usubjid.clone(),
                    subject_id: id,
                    arm: a,
                    randomized: a == p.arm,
                    values: values(twin),
                    competing: competing(twin),
                });
            }
        }
    }
    // The by-day datasets (built, then written when spilled) and the subject-level ones are
    // independent: build them side by side, each record list freed once its dataset is built.
    let subjects = &subjects;
    let study = &study;
    let by_day = move || -> Result<_, TrialError> {
        let adtte = spill(adam::adtte(study, subjects, &tte)?, spill_to)?;
        drop(tte);
        let (adcps, adlb) = rayon::join(
            move || spill(adam::adcps(study, subjects, &scores)?, spill_to),
            move || spill(adam::adlb(study, subjects, &lab_rows)?, spill_to),
        );
        Ok((adtte, adcps?, adlb?))
    };
    let subject_level = move || -> Result<_, TrialError> {
        let adae = adam::adae(study, subjects, &aes)?;
        let outcomes = outcomes::table(&protocol.endpoints, &arm_names, &rows)?;
        drop(rows);
        let adsl = adam::adsl_with(
            study,
            subjects,
            &adam::AdslDesign {
                plasma: has_plasma.then_some(plasma),
                ..adsl_design
            },
        )?;
        let then = then(SubjectLevel {
            adsl: &adsl,
            adae: &adae,
            outcomes: &outcomes,
        });
        Ok((adsl, adae, outcomes, then))
    };
    let (by_day, subject_level) = rayon::join(by_day, subject_level);
    let ((adtte, adcps, adlb), (adsl, adae, outcomes, then)) = (by_day?, subject_level?);
    Ok((
        Datasets {
            adsl,
            adtte,
            adcps,
            adlb,
            adae,
            outcomes,
        },
        then,
    ))
}

/// The summary of a run's (or a merge's) datasets.
pub fn summarise(
    protocol: &Protocol,
    screening: &Screening,
    allocation_scheme: &str,
    datasets: &Datasets,
) -> Summary {
    summary::summarise(
        &SummaryInputs {
            protocol,
            screening,
            allocation_scheme: allocation_scheme.to_owned(),
            supply_campaigns: None,
        },
        &datasets.outcomes,
        &datasets.adsl,
        &datasets.adae,
    )
}

/// Seed of replicate `r` (replicate 0 is the main trial, with the master seed).
pub fn replicate_seed(master: u64, r: u32) -> u64 {
    if r == 0 {
        master
    } else {
        stream(master, Purpose::Replicate, u64::from(r)).next_u64()
    }
}

/// Runs replicates 1..K of the protocol (the main trial's summary is replicate 0) and returns
/// the distribution of the primary comparison and the power.
pub fn replicates(
    protocol: &Protocol,
    main: &Summary,
    progress: &(dyn Fn() + Sync),
) -> Result<Option<Replicates>, TrialError> {
    let k = protocol.simulation.replicates;
    if k <= 1 {
        return Ok(None);
    }
    let Some((measure, estimate, p)) = summary::primary_comparison(main) else {
        return Ok(None);
    };
    let mut estimates = vec![estimate];
    let mut p_values = vec![p];
    for r in 1..k {
        let mut replicate = protocol.clone();
        replicate.simulation.seed = replicate_seed(protocol.simulation.seed, r);
        let out = simulate_trial(&replicate, ShardSpec::WHOLE, progress, None)?;
        let (_, e, p) = summary::primary_comparison_of(&replicate, &out.datasets.outcomes)
            .unwrap_or((String::new(), None, None));
        estimates.push(e);
        p_values.push(p);
    }
    let alpha = protocol.analysis.alpha;
    let significant = p_values
        .iter()
        .filter(|p| p.is_some_and(|p| p < alpha))
        .count();
    Ok(Some(Replicates {
        k,
        power: significant as f64 / f64::from(k),
        estimates,
        p_values,
        measure,
    }))
}

/// `parameters.csv`: every model parameter of the trial's phenotype with unit, bounds and
/// source.
pub fn parameters_csv(protocol: &Protocol) -> Result<Vec<u8>, csv::Error> {
    let params = crate::simulate::phenotype_of(&protocol.simulation.population).params();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(["name", "unit", "value", "lower", "upper", "source"])?;
    for info in model::params::PARAM_INFO {
        let value = params.get(info.name).unwrap_or(info.default);
        w.write_record([
            info.name.to_owned(),
            info.unit.to_owned(),
            value.to_string(),
            info.lower.to_string(),
            info.upper.to_string(),
            info.source.to_owned(),
        ])?;
    }
    w.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// File names of the results folder (besides the datasets' CSV, labels and Parquet files).
pub const SCREENING_FILE: &str = "screening.json";
/// The resolved protocol.
pub const PROTOCOL_FILE: &str = "protocol.toml";
/// The summary.
pub const SUMMARY_FILE: &str = "summary.json";
/// Allocation scheme used (read back by the merge).
const RUN_INFO_FILE: &str = "run.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct RunInfo {
    allocation_scheme: String,
}

/// Writes everything but `manifest.json` (the caller writes it last, with the wall time).
pub fn write_results(
    folder: &ResultsFolder,
    protocol_text: &str,
    protocol: &Protocol,
    output: &TrialOutput,
    summary: &Summary,
) -> Result<(), TrialError> {
    let path = folder.path();
    let write = |name: &str, bytes: &[u8]| {
        let file = path.join(name);
        write_atomically(&file, bytes).map_err(io(&file))
    };
    write(PROTOCOL_FILE, protocol_text.as_bytes())?;
    for d in output.datasets.all() {
        folder.write_dataset(d)?;
    }
    write(SCREENING_FILE, &json_bytes(&output.screening))?;
    write(
        RUN_INFO_FILE,
        &json_bytes(&RunInfo {
            allocation_scheme: output.allocation_scheme.clone(),
        }),
    )?;
    let parameters = parameters_csv(protocol).map_err(|e| TrialError::Io {
        path: "parameters.csv".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    write("parameters.csv", &parameters)?;
    write(SUMMARY_FILE, &json_bytes(summary))?;
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TrialError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|e| TrialError::Merge(format!("{}: {e}", path.display())))
}

/// Merges shard folders (each written by a `--shard i/N` run of the same protocol and seed)
/// into `out`: datasets joined by USUBJID, summary recomputed from the joined data.
/// `parse` turns the shards' `protocol.toml` text into the protocol.
pub fn merge(
    shards: &[&Path],
    out: &ResultsFolder,
    parse: impl Fn(&str) -> Result<Protocol, String>,
) -> Result<Summary, TrialError> {
    let Some(first) = shards.first() else {
        return Err(TrialError::Merge("no shard folders given".into()));
    };
    let text_path = first.join(PROTOCOL_FILE);
    let text = std::fs::read_to_string(&text_path).map_err(io(&text_path))?;
    let screening: Screening = read_json(&first.join(SCREENING_FILE))?;
    let info: RunInfo = read_json(&first.join(RUN_INFO_FILE))?;
    for s in &shards[1..] {
        let other_path = s.join(PROTOCOL_FILE);
        let other = std::fs::read_to_string(&other_path).map_err(io(&other_path))?;
        let other_screening: Screening = read_json(&s.join(SCREENING_FILE))?;
        if other != text || other_screening != screening {
            return Err(TrialError::Merge(format!(
                "{} and {} come from different protocols or seeds",
                first.display(),
                s.display()
            )));
        }
    }
    let protocol = parse(&text).map_err(TrialError::Merge)?;
    let study = study(&protocol);
    let (empty, ()) = build_datasets(&protocol, Vec::new(), None, |_| ())?;
    let read = |template: &Dataset| -> Result<Dataset, TrialError> {
        let parts = shards
            .iter()
            .map(|s| {
                Dataset::read_csv(
                    &s.join(format!("{}.csv", template.name().to_lowercase())),
                    template.name(),
                    template.label(),
                    &template.schema(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dataset::merge_sorted_by(&parts, "USUBJID")?)
    };
    let _ = &study;
    let template = |d: &Option<Dataset>| -> Result<Option<Dataset>, TrialError> {
        match d {
            Some(d) => Ok(Some(read(d)?)),
            None => Ok(None),
        }
    };
    let datasets = Datasets {
        adsl: read(&empty.adsl)?,
        adtte: template(&empty.adtte)?,
        adcps: template(&empty.adcps)?,
        adlb: template(&empty.adlb)?,
        adae: read(&empty.adae)?,
        outcomes: read(&empty.outcomes)?,
    };
    let output = TrialOutput {
        screening,
        datasets,
        allocation_scheme: info.allocation_scheme,
    };
    let summary = summarise(
        &protocol,
        &output.screening,
        &output.allocation_scheme,
        &output.datasets,
    );
    write_results(out, &text, &protocol, &output, &summary)?;
    Ok(summary)
}
