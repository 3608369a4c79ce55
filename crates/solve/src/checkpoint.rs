//! A course saved part-way, to continue under other doses without integrating again from
//! infection ([`crate::solve_to_checkpoint`], [`crate::resume`]).

use crate::dopri5::Dopri5;
use crate::{Record, SolveFailure, SolverOptions};
use model::{Covariates, N_STATES, Params, State};
use thiserror::Error;

/// The integration state of a course at its end of follow-up, before anything due at that
/// time (admission, the row of that day, doses) was applied.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub(crate) time_days: f64,
    pub(crate) solver: Dopri5<N_STATES>,
    pub(crate) record: Record,
    pub(crate) params: Params,
    pub(crate) covariates: Covariates,
    pub(crate) onset_day: f64,
    pub(crate) hazard_start_day: f64,
    pub(crate) death_threshold: Option<f64>,
    pub(crate) options: SolverOptions,
}

/// Why a course could not be continued from a checkpoint.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ResumeError {
    /// The problem is not the checkpoint's patient, or its clock differs.
    #[error("the problem is not the checkpoint's course: its {0} differ")]
    OtherCourse(&'static str),
    /// A dose starts before the checkpoint, which has already integrated past it without it.
    #[error(
        "a dose at day {dose_day} (since infection) starts before the checkpoint at day {checkpoint_day}"
    )]
    DoseBeforeCheckpoint {
        /// Start of the dose, days since infection.
        dose_day: f64,
        /// Time of the checkpoint, days since infection.
        checkpoint_day: f64,
    },
    /// The problem ends before the checkpoint.
    #[error("follow-up ends at day {end_day}, before the checkpoint at day {checkpoint_day}")]
    EndsBeforeCheckpoint {
        /// End of the problem, days since infection.
        end_day: f64,
        /// Time of the checkpoint, days since infection.
        checkpoint_day: f64,
    },
    /// The death hazard had accumulated by the checkpoint under another death threshold, so
    /// a crossing of this problem's threshold may have been missed.
    #[error("the death hazard accumulated before the checkpoint under another death threshold")]
    OtherDeathThreshold,
    /// The continued integration failed.
    #[error(transparent)]
    Solve(#[from] SolveFailure),
}

impl Checkpoint {
    /// Time of the checkpoint, days since infection.
    pub fn time_days(&self) -> f64 {
        self.time_days
    }

    /// Whether `problem` can continue this course.
    pub(crate) fn check(&self, problem: &crate::PatientProblem) -> Result<(), ResumeError> {
        if problem.params != self.params {
            return Err(ResumeError::OtherCourse("parameters"));
        }
        if problem.covariates != self.covariates {
            return Err(ResumeError::OtherCourse("covariates"));
        }
        if problem.onset_day != self.onset_day || problem.hazard_start_day != self.hazard_start_day
        {
            return Err(ResumeError::OtherCourse("onset or admission times"));
        }
        if problem.end_day < self.time_days {
            return Err(ResumeError::EndsBeforeCheckpoint {
                end_day: problem.end_day,
                checkpoint_day: self.time_days,
            });
        }
        if let Some(dose) = problem.doses.iter().find(|d| d.time_days < self.time_days) {
            return Err(ResumeError::DoseBeforeCheckpoint {
                dose_day: dose.time_days,
                checkpoint_day: self.time_days,
            });
        }
        let hazard = State::from_array(&self.solver.y).cum_hazard;
        if hazard > 0.0 && problem.death_threshold != self.death_threshold {
            return Err(ResumeError::OtherDeathThreshold);
        }
        Ok(())
    }
}
