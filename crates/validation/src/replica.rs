//! A replica: a protocol with a `[validation]` table, run with many virtual patients and
//! compared with its published interval.
//!
//! The run follows the trial engine ([`trial::simulate`]): candidates are screened in id order
//! in fixed batches (parallel, collected in order), each patient draws from their own streams,
//! so the result does not depend on the thread count. Two differences: parameter overrides are
//! applied to every patient before screening ([`crate::Overrides`]), and no datasets are built —
//! only the compared endpoint of each course is kept.

use std::path::{Path, PathBuf};

use population::PopulationSpec;
use protocol::Protocol;
use protocol::schema::{Endpoint, EndpointKind};
use protocol::validation::{CiKind, EffectMeasure, EffectSource, Validation};
use rayon::prelude::*;
use serde::Serialize;
use trial::allocation::{Enrollee, allocate};
use trial::outcomes::{EndpointValue, value};
use trial::simulate::{Candidate, SimulationError, Simulator};

use crate::estimate::{self, PairedTable, Simulated};
use crate::{Overrides, ValidationError};

/// A replica protocol, loaded and validated.
#[derive(Debug, Clone)]
pub struct Replica {
    /// File stem, e.g. `recovery-plasma`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The validated protocol.
    pub protocol: Protocol,
    /// Its `[validation]` table.
    pub validation: Validation,
}

impl Replica {
    /// The endpoint the published result is about (validation guarantees it exists).
    pub fn endpoint(&self) -> &Endpoint {
        self.protocol
            .endpoints
            .iter()
            .find(|e| e.name == self.validation.endpoint)
            .expect("validation checks that the endpoint exists")
    }
}

/// Reads and validates one replica file.
pub fn load(path: &Path) -> Result<Replica, ValidationError> {
    let text = std::fs::read_to_string(path).map_err(|source| ValidationError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let protocol = protocol::parse_protocol(&path.display().to_string(), &text)
        .map_err(|e| ValidationError::Protocol(Box::new(e)))?;
    let validation = protocol
        .validation
        .clone()
        .ok_or_else(|| ValidationError::NoValidation(path.display().to_string()))?;
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(Replica {
        name,
        path: path.to_owned(),
        protocol,
        validation,
    })
}

/// Every `*.toml` in `dir`, by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Replica>, ValidationError> {
    let io = |source| ValidationError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// How to run replicas.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Virtual patients per replica (`None`: the protocol's `simulation.patients`).
    pub patients: Option<u32>,
    /// Master seed (`None`: the protocol's `simulation.seed`).
    pub seed: Option<u64>,
    /// Parameter overrides.
    pub overrides: Overrides,
}

/// One replica's simulated result against the published one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaResult {
    /// File stem.
    pub replica: String,
    /// `study.id`.
    pub study: String,
    /// Effect measure.
    pub measure: &'static str,
    /// Published estimate.
    pub published: f64,
    /// Published interval.
    pub ci: [f64; 2],
    /// Kind of published interval.
    pub ci_kind: CiKind,
    /// Simulated estimate.
    pub simulated: f64,
    /// Monte-Carlo 95% interval of the simulated estimate.
    pub mc_ci: [f64; 2],
    /// The simulated estimate lies inside the published interval.
    pub inside: bool,
    /// Twin or randomized comparison.
    pub effect: EffectSource,
    /// Endpoint compared.
    pub endpoint: String,
    /// Patients simulated.
    pub patients: u64,
    /// Candidates screened to enroll them.
    pub screened: u64,
    /// Share with the event under each arm compared (first, then second for comparisons).
    pub arm_risks: Vec<f64>,
    /// Citation.
    pub source: String,
}

/// Screens candidate `id` with the overrides applied, as the trial engine screens.
fn screen(
    sim: &Simulator,
    typical: &model::Params,
    overrides: &Overrides,
    id: u64,
) -> Result<Candidate, SimulationError> {
    let mut patient = sim.population.patient(sim.seed, id);
    overrides.apply(typical, &mut patient);
    sim.screen_patient(patient)
}

/// Screens candidates 0, 1, 2, … (with the overrides) until `planned` are eligible, as the
/// trial engine enrolls ([`trial::run::enroll_by`]); the enrolled and the number screened.
fn enroll(
    protocol: &Protocol,
    spec: &PopulationSpec,
    seed: u64,
    planned: u64,
    overrides: &Overrides,
) -> Result<(Vec<Candidate>, u64), ValidationError> {
    let typical = population::iiv::typical_params(spec);
    let sim = Simulator {
        protocol,
        population: spec,
        seed,
        follow_up_days: protocol.simulation.follow_up_days,
    };
    match trial::run::enroll_by(planned, |id| screen(&sim, &typical, overrides, id)) {
        Ok((enrolled, screening)) => Ok((enrolled, screening.screened)),
        Err(trial::run::TrialError::NotEnoughEligible {
            enrolled,
            planned,
            screened,
        }) => Err(ValidationError::NotEnoughEligible {
            replica: protocol.study.id.clone(),
            enrolled,
            planned,
            screened,
        }),
        Err(trial::run::TrialError::Simulation(e)) => Err(e.into()),
        Err(other) => Err(ValidationError::Trial(Box::new(other))),
    }
}

fn event(v: EndpointValue) -> bool {
    match v {
        EndpointValue::Binary(b) => b,
        EndpointValue::Time { event, .. } => event,
        _ => false,
    }
}

/// Runs `replica` and compares it with its published interval.
pub fn run(replica: &Replica, settings: &Settings) -> Result<ReplicaResult, ValidationError> {
    let protocol = &replica.protocol;
    let v = &replica.validation;
    let seed = settings.seed.unwrap_or(protocol.simulation.seed);
    let planned = u64::from(settings.patients.unwrap_or(protocol.simulation.patients));
    let spec = PopulationSpec::named(&protocol.simulation.population)?;
    let (enrolled, screened) = enroll(protocol, &spec, seed, planned, &settings.overrides)?;
    let sim = Simulator {
        protocol,
        population: &spec,
        seed,
        follow_up_days: protocol.simulation.follow_up_days,
    };
    let endpoint = replica.endpoint();
    debug_assert_eq!(endpoint.kind, EndpointKind::Binary);
    let outcome = |c: &Candidate, arm: usize| -> Result<bool, SimulationError> {
        Ok(event(value(&sim.course(c, arm)?, endpoint)))
    };
    let paired = v.effect == EffectSource::Twin || !v.measure.compares_arms();
    let (simulated, arm_risks) = if paired {
        let arms = if v.measure.compares_arms() { 2 } else { 1 };
        let pairs: Vec<(bool, bool)> = enrolled
            .par_iter()
            .map(|c| {
                let first = outcome(c, 0)?;
                let second = if arms == 2 { outcome(c, 1)? } else { false };
                Ok((first, second))
            })
            .collect::<Result<_, SimulationError>>()?;
        let table = PairedTable::from_pairs(pairs);
        let n = table.n() as f64;
        let mut risks = vec![table.first_events() as f64 / n];
        if arms == 2 {
            risks.push(table.second_events() as f64 / n);
        }
        (estimate::paired(v.measure, &table)?, risks)
    } else {
        let (design, _) = trial::run::design(protocol)?;
        let enrollees: Vec<Enrollee> = enrolled
            .iter()
            .map(|c| Enrollee {
                id: c.covariates.patient_id,
                levels: Vec::new(),
            })
            .collect();
        let arms = allocate(&design, seed, &enrollees)?;
        let events: Vec<(usize, bool)> = enrolled
            .par_iter()
            .zip(arms.par_iter())
            .map(|(c, &arm)| Ok((arm, outcome(c, arm)?)))
            .collect::<Result<_, SimulationError>>()?;
        let count = |arm: usize| {
            let in_arm = events.iter().filter(|(a, _)| *a == arm);
            let n = in_arm.clone().count() as u64;
            (in_arm.filter(|(_, e)| *e).count() as u64, n)
        };
        let (first, second) = (count(0), count(1));
        let risk = |(e, n): (u64, u64)| e as f64 / n.max(1) as f64;
        (
            estimate::unpaired(v.measure, first, second)?,
            vec![risk(first), risk(second)],
        )
    };
    Ok(compare(replica, simulated, planned, screened, arm_risks))
}

fn compare(
    replica: &Replica,
    simulated: Simulated,
    patients: u64,
    screened: u64,
    arm_risks: Vec<f64>,
) -> ReplicaResult {
    let v = &replica.validation;
    ReplicaResult {
        replica: replica.name.clone(),
        study: replica.protocol.study.id.clone(),
        measure: v.measure.name(),
        published: v.estimate,
        ci: v.ci,
        ci_kind: v.ci_kind,
        simulated: simulated.estimate,
        mc_ci: [simulated.lower, simulated.upper],
        inside: v.ci_kind.contains(v.ci, simulated.estimate),
        effect: if v.measure == EffectMeasure::Proportion {
            EffectSource::Twin
        } else {
            v.effect
        },
        endpoint: v.endpoint.clone(),
        patients,
        screened,
        arm_risks,
        source: v.source.clone(),
    }
}
