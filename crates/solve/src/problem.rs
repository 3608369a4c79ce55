//! What to solve: one patient, their doses and clock, and the solver settings.

use model::{Covariates, DoseEvent, DoseInput, Params};

/// One patient's course to integrate. All times are days since infection (the model clock).
#[derive(Debug, Clone, PartialEq)]
pub struct PatientProblem {
    /// Patient identifier, carried into failures and trajectories.
    pub patient_id: u64,
    /// Model parameters.
    pub params: Params,
    /// Covariates.
    pub covariates: Covariates,
    /// Doses (any order; applied in time order).
    pub doses: Vec<DoseEvent>,
    /// Symptom onset, days since infection. Daily rows are days since this time.
    pub onset_day: f64,
    /// Admission, days since infection: the patient is admitted then (if not already for
    /// oxygen) and the death hazard accumulates from then on.
    pub hazard_start_day: f64,
    /// End of follow-up, days since infection.
    pub end_day: f64,
    /// Death threshold −ln U with U ~ Uniform(0, 1) drawn by the caller; `None` reports the
    /// death probability but never kills.
    pub death_threshold: Option<f64>,
}

/// Median incubation period (infection to onset), days: MODEL.md §8.7 (log-normal, median ≈ 5.5 d,
/// from memory) and the prototype of §8.9.
pub const DEFAULT_INCUBATION_DAYS: f64 = 5.5;
/// Median onset-to-admission interval, days: MODEL.md §8.7 (≈ 8 d, IQR 6–11) uses 8; the
/// prototype of §8.9 starts the hazard 7 days after onset, which we keep as the default.
pub const DEFAULT_ONSET_TO_ADMISSION_DAYS: f64 = 7.0;

impl PatientProblem {
    /// A natural-history problem: no doses, onset at 5.5 d, admission 7 d after onset,
    /// follow-up to `days_after_onset`, no death draw.
    pub fn natural_history(params: Params, covariates: Covariates, days_after_onset: f64) -> Self {
        let onset = DEFAULT_INCUBATION_DAYS;
        PatientProblem {
            patient_id: 0,
            params,
            covariates,
            doses: Vec::new(),
            onset_day: onset,
            hazard_start_day: onset + DEFAULT_ONSET_TO_ADMISSION_DAYS,
            end_day: onset + days_after_onset,
            death_threshold: None,
        }
    }
}

/// Integrator tolerances and limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverOptions {
    /// Relative tolerance.
    pub rtol: f64,
    /// Multiplier on the per-state absolute tolerances of [`model::State::absolute_tolerances`].
    pub atol_scale: f64,
    /// Largest step, days (also bounds how far apart two threshold crossings can hide).
    pub max_step: f64,
    /// Largest number of accepted plus rejected steps before giving up.
    pub max_steps: usize,
    /// Also return the full model state at each daily row ([`crate::Trajectory::states`]).
    pub record_states: bool,
}

impl Default for SolverOptions {
    /// The defaults proven by the convergence test (`tests/convergence.rs`).
    fn default() -> Self {
        SolverOptions {
            rtol: 1e-4,
            atol_scale: 1.0,
            max_step: 0.5,
            max_steps: 200_000,
            record_states: false,
        }
    }
}

impl SolverOptions {
    /// The same options with both tolerances divided by `factor`.
    pub fn tightened(self, factor: f64) -> Self {
        SolverOptions {
            rtol: self.rtol / factor,
            atol_scale: self.atol_scale / factor,
            ..self
        }
    }
}

/// Why a problem is invalid (checked before integrating).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemError {
    /// A parameter is out of bounds.
    #[error(transparent)]
    Param(#[from] model::ParamError),
    /// A covariate is out of range.
    #[error(transparent)]
    Covariate(#[from] model::params::CovariateError),
    /// The clock is inconsistent.
    #[error(
        "times must satisfy 0 <= onset_day ({onset}) <= end_day ({end}) and hazard_start_day ({hazard}) >= 0"
    )]
    Clock { onset: f64, hazard: f64, end: f64 },
    /// A dose is invalid.
    #[error("dose {index} ({dose:?}) is invalid: {why}")]
    Dose {
        index: usize,
        dose: DoseEvent,
        why: &'static str,
    },
    /// The death threshold is not a positive finite number.
    #[error("death threshold {0} must be finite and > 0")]
    DeathThreshold(f64),
}

impl PatientProblem {
    /// Check every input; the solver only integrates valid problems.
    pub fn validate(&self) -> Result<(), ProblemError> {
        self.params.validate()?;
        self.covariates.validate()?;
        let (onset, hazard, end) = (self.onset_day, self.hazard_start_day, self.end_day);
        let finite = onset.is_finite() && hazard.is_finite() && end.is_finite();
        if !finite || onset < 0.0 || end < onset || hazard < 0.0 {
            return Err(ProblemError::Clock { onset, hazard, end });
        }
        if let Some(thr) = self.death_threshold
            && !(thr.is_finite() && thr > 0.0)
        {
            return Err(ProblemError::DeathThreshold(thr));
        }
        for (index, dose) in self.doses.iter().enumerate() {
            if let Err(why) = check_dose(dose, end) {
                return Err(ProblemError::Dose {
                    index,
                    dose: *dose,
                    why,
                });
            }
        }
        Ok(())
    }
}

fn check_dose(dose: &DoseEvent, end: f64) -> Result<(), &'static str> {
    let finite_nonneg = |x: f64| x.is_finite() && x >= 0.0;
    if !finite_nonneg(dose.time_days) || !finite_nonneg(dose.duration_days) {
        return Err("time and duration must be finite and >= 0");
    }
    if dose.time_days > end {
        return Err("starts after the end of follow-up");
    }
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    match dose.input {
        DoseInput::PassiveAntibody { amount_id50_ml } if !finite_nonneg(amount_id50_ml) => {
            Err("antibody amount must be finite and >= 0")
        }
        DoseInput::MesenchymalStromalCells { viable_cells } if !finite_nonneg(viable_cells) => {
            Err("cell number must be finite and >= 0")
        }
        DoseInput::Dexamethasone {
            dose_mg,
            bioavailability,
        } => {
            if !finite_nonneg(dose_mg) {
                Err("dexamethasone dose must be finite and >= 0")
            } else if !(bioavailability > 0.0 && bioavailability <= 1.0) {
                Err("bioavailability must be in (0, 1]")
            } else {
                Ok(())
            }
        }
        DoseInput::Antiviral { efficacy } | DoseInput::Il6Blockade { efficacy }
            if !unit(efficacy) =>
        {
            Err("efficacy must be in [0, 1]")
        }
        _ => Ok(()),
    }
}
