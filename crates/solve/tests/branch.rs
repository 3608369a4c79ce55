//! A course continued from a checkpoint is the course solved in one go: screening a patient on
//! the untreated course to randomization and continuing it under each arm gives, bit for bit,
//! what solving each arm from infection gives.

use model::{Covariates, DoseEvent, DoseInput, Phenotype};
use solve::{
    PatientProblem, ResumeError, SolverOptions, resume, solve, solve_to_checkpoint, solve_with,
};

/// A patient screened and randomized at `screen_day` (days since infection; also admission).
fn screening(phenotype: Phenotype, screen_day: f64) -> PatientProblem {
    let mut p = PatientProblem::natural_history(phenotype.params(), Covariates::default(), 0.0);
    p.patient_id = 7;
    p.hazard_start_day = screen_day;
    p.end_day = screen_day;
    p
}

/// The same patient followed 28 days after randomization with `doses` and a death draw.
fn arm(screen: &PatientProblem, doses: Vec<DoseEvent>, threshold: f64) -> PatientProblem {
    PatientProblem {
        doses,
        end_day: screen.end_day + 28.0,
        death_threshold: Some(threshold),
        ..screen.clone()
    }
}

fn plasma(t: f64) -> DoseEvent {
    DoseEvent {
        time_days: t,
        duration_days: 2.0 / 24.0,
        input: DoseInput::PassiveAntibody {
            amount_id50_ml: 250.0 * 640.0,
        },
    }
}

fn dexamethasone(t: f64) -> Vec<DoseEvent> {
    (0..10)
        .map(|k| DoseEvent {
            time_days: t + f64::from(k),
            duration_days: 0.0,
            input: DoseInput::Dexamethasone {
                dose_mg: 6.0,
                bioavailability: 0.81,
            },
        })
        .collect()
}

#[test]
fn arms_continued_from_the_screening_checkpoint_equal_full_solves() {
    for phenotype in Phenotype::ALL {
        for screen_day in [5.5 + 3.0, 5.5 + 7.0, 5.5 + 10.0] {
            let screen = screening(phenotype, screen_day);
            let (screened, checkpoint) =
                solve_to_checkpoint(&screen, &SolverOptions::default()).expect("solves");
            // The screening course itself is unchanged by keeping a checkpoint.
            assert_eq!(screened, solve(&screen).expect("solves"));
            assert_eq!(checkpoint.time_days(), screen_day);
            let arms = [
                Vec::new(),
                vec![plasma(screen_day), plasma(screen_day + 2.0)],
                dexamethasone(screen_day + 0.25),
            ];
            for doses in arms {
                // Thresholds that kill early, late, or not at all within follow-up.
                for threshold in [0.05, 0.5, 50.0] {
                    let problem = arm(&screen, doses.clone(), threshold);
                    let whole = solve(&problem).expect("solves");
                    let continued = resume(&checkpoint, &problem).expect("resumes");
                    assert_eq!(continued, whole, "{phenotype}, day {screen_day}");
                }
            }
        }
    }
}

#[test]
fn checkpoint_keeps_its_tolerances() {
    let screen = screening(Phenotype::Severe, 12.5);
    let tight = SolverOptions::default().tightened(100.0);
    let (_, checkpoint) = solve_to_checkpoint(&screen, &tight).expect("solves");
    let problem = arm(&screen, vec![plasma(12.5)], 1.0);
    assert_eq!(
        resume(&checkpoint, &problem).expect("resumes"),
        solve_with(&problem, &tight).expect("solves")
    );
}

#[test]
fn a_course_that_is_not_the_checkpoints_is_refused() {
    let screen = screening(Phenotype::Severe, 12.5);
    let (_, checkpoint) = solve_to_checkpoint(&screen, &SolverOptions::default()).expect("solves");
    let early_dose = arm(&screen, vec![plasma(11.0)], 1.0);
    assert_eq!(
        resume(&checkpoint, &early_dose),
        Err(ResumeError::DoseBeforeCheckpoint {
            dose_day: 11.0,
            checkpoint_day: 12.5
        })
    );
    let mut other = arm(&screen, Vec::new(), 1.0);
    other.params.delta *= 2.0;
    assert_eq!(
        resume(&checkpoint, &other),
        Err(ResumeError::OtherCourse("parameters"))
    );
    let mut shorter = arm(&screen, Vec::new(), 1.0);
    shorter.end_day = 10.0;
    assert!(matches!(
        resume(&checkpoint, &shorter),
        Err(ResumeError::EndsBeforeCheckpoint { .. })
    ));
    let mut later_admission = arm(&screen, Vec::new(), 1.0);
    later_admission.hazard_start_day = 13.0;
    assert_eq!(
        resume(&checkpoint, &later_admission),
        Err(ResumeError::OtherCourse("onset or admission times"))
    );
}
