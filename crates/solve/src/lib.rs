//! One patient: parameters and dosing events in, a [`Trajectory`] out. The only crate that knows
//! the ODE integrator (a Dormand–Prince 5(4) pair with dense output, [`dopri5`]).
//!
//! ```
//! use model::{Covariates, Phenotype};
//! use solve::{PatientProblem, solve};
//!
//! let problem = PatientProblem::natural_history(Phenotype::Severe.params(), Covariates::default(), 28.0);
//! let course = solve(&problem).expect("solves");
//! assert_eq!(course.rows.len(), 29); // days 0..=28 since onset
//! ```
//!
//! The integration runs segment by segment between breakpoints (dose starts and ends, onset,
//! admission, end of follow-up), so state jumps and infusion-rate changes happen exactly on
//! time. Inside each accepted step, crossings of the clinical thresholds and the death threshold
//! are located on the step's interpolant by root-finding and fed, in time order, to the care
//! state machine of [`model::clinical`].

mod checkpoint;
pub mod dopri5;
mod problem;
mod roots;
mod schedule;
mod trajectory;

pub use checkpoint::{Checkpoint, ResumeError};

pub use problem::{
    DEFAULT_INCUBATION_DAYS, DEFAULT_ONSET_TO_ADMISSION_DAYS, PatientProblem, ProblemError,
    SolverOptions,
};
pub use trajectory::{
    AppliedDose, DayRow, Event, EventKind, Extremum, FailureReason, SolveFailure, Trajectory,
};

use dopri5::{Dopri5, Settings, StepFailure, System};
use model::clinical::{self, CareMachine, CareTransition, PF_THRESHOLDS};
use model::observables::{lung_injury, pf_ratio};
use model::{Derived, Inputs, N_STATES, Observables, State, viral_load};

/// The model as the integrator sees it: per-patient constants plus the inputs of one segment.
///
/// The dexamethasone compartments are not integrated: their entries in `y` hold the values at
/// the segment start (derivative 0) and the right-hand side uses their closed form at `t`
/// ([`schedule::DexSegment`]); the solver writes the closed form back at each breakpoint.
struct PatientSystem<'a> {
    derived: &'a Derived,
    inputs: Inputs,
    dex: schedule::DexSegment,
}

impl System<N_STATES> for PatientSystem<'_> {
    fn rhs(&self, t: f64, y: &[f64; N_STATES], dy: &mut [f64; N_STATES]) {
        let mut s = State::from_array(y);
        self.dex.patch(t, &mut s);
        let mut ds = model::derivative(self.derived, &s, &self.inputs);
        ds.dex_gut = 0.0;
        ds.dex_conc = 0.0;
        *dy = ds.to_array();
    }

    /// Clip integration round-off below zero (at most the absolute tolerance) so it cannot
    /// grow; see [`State::project_physical`].
    fn project(&self, y: &mut [f64; N_STATES]) -> bool {
        let mut s = State::from_array(y);
        let changed = s.project_physical();
        if changed {
            *y = s.to_array();
        }
        changed
    }
}

/// Solve with the default tolerances.
pub fn solve(problem: &PatientProblem) -> Result<Trajectory, SolveFailure> {
    solve_with(problem, &SolverOptions::default())
}

/// Solve with explicit tolerances.
pub fn solve_with(
    problem: &PatientProblem,
    options: &SolverOptions,
) -> Result<Trajectory, SolveFailure> {
    let (derived, settings) = prepare(problem, options)?;
    let mut course = Course::new(problem, &derived, options.record_states);
    let mut solver = Dopri5::new(0.0, State::initial(&derived).to_array(), &settings);
    integrate(&mut course, &mut solver, 0.0, options, &settings, false)?;
    Ok(course.finish(solver.accepted, &solver.y))
}

fn failure(problem: &PatientProblem, reason: FailureReason) -> SolveFailure {
    SolveFailure {
        patient_id: problem.patient_id,
        params: Box::new(problem.params),
        covariates: problem.covariates,
        reason,
    }
}

/// Validate the problem; the per-patient constants and the step-control settings.
fn prepare(
    problem: &PatientProblem,
    options: &SolverOptions,
) -> Result<(Derived, Settings<N_STATES>), SolveFailure> {
    problem.validate().map_err(|e| failure(problem, e.into()))?;
    let derived = Derived::new(&problem.params, &problem.covariates);
    let atol_state = State::absolute_tolerances().to_array();
    let settings = Settings {
        rtol: State::relative_tolerance_weights()
            .to_array()
            .map(|w| w * options.rtol),
        atol: atol_state.map(|a| a * options.atol_scale),
        max_step: options.max_step,
        first_step: FIRST_STEP_DAYS,
        min_step: MIN_STEP_DAYS,
    };
    Ok((derived, settings))
}

/// Integrate from breakpoint `t` to the end of the course's problem. With `save_at_end`, returns
/// the integrator and the record as they are on arriving at the end, before anything due at
/// that time (admission, rows, doses) is applied: a [`Checkpoint`]'s content.
fn integrate(
    course: &mut Course<'_>,
    solver: &mut Dopri5<N_STATES>,
    mut t: f64,
    options: &SolverOptions,
    settings: &Settings<N_STATES>,
    save_at_end: bool,
) -> Result<Option<(Dopri5<N_STATES>, Record)>, SolveFailure> {
    let problem = course.problem;
    let derived = course.derived;
    let fail = |reason| failure(problem, reason);
    let mut saved = None;
    loop {
        if save_at_end && t >= problem.end_day {
            saved = Some((*solver, course.rec.clone()));
        }
        course.at_breakpoint(t, &mut solver.y);
        if t >= problem.end_day {
            break;
        }
        let next = schedule::next_breakpoint(problem, t);
        let inputs = schedule::inputs(problem, t, next);
        let system = PatientSystem {
            derived,
            inputs,
            dex: schedule::DexSegment::start(derived, t, &State::from_array(&solver.y), &inputs),
        };
        course.rec.inputs = system.inputs;
        course.rec.dex = system.dex;
        if system.dex.absorbing() {
            // The steroid effect rises over the absorption time 1/k_a (≈ 40 min): start there
            // rather than with the step carried over, which can step across the whole rise.
            solver.limit_step(1.0 / derived.params.dex_ka);
        }
        course.rec.last_viral_load =
            viral_load(derived, &State::from_array(&solver.y), &system.inputs);
        solver.restart(&system, settings);
        while solver.t < next {
            if solver.accepted + solver.rejected >= options.max_steps {
                return Err(fail(FailureReason::TooManySteps {
                    t: solver.t,
                    max_steps: options.max_steps,
                }));
            }
            let step = solver.step(&system, settings, next).map_err(|e| {
                fail(match e {
                    StepFailure::StepTooSmall { t, h } => FailureReason::StepTooSmall { t, h },
                    StepFailure::NonFinite { t } => FailureReason::NonFinite { t },
                })
            })?;
            course.after_step(&step);
        }
        let mut s = State::from_array(&solver.y);
        system.dex.patch(next, &mut s);
        solver.y = s.to_array();
        t = next;
    }
    Ok(saved)
}

/// Solve `problem` (as [`solve_with`]) and also keep the integration state at its end, so that
/// a longer course of the same patient — the same course continued with doses from that time
/// on — can be [`resume`]d from there instead of integrated again from infection.
///
/// A trial uses it to screen a patient on the untreated course up to randomization and then
/// continue that course under each arm.
pub fn solve_to_checkpoint(
    problem: &PatientProblem,
    options: &SolverOptions,
) -> Result<(Trajectory, Checkpoint), SolveFailure> {
    let (derived, settings) = prepare(problem, options)?;
    let mut course = Course::new(problem, &derived, options.record_states);
    let mut solver = Dopri5::new(0.0, State::initial(&derived).to_array(), &settings);
    let (saved_solver, saved_record) =
        integrate(&mut course, &mut solver, 0.0, options, &settings, true)?
            .expect("the loop always reaches the end of follow-up");
    let checkpoint = Checkpoint {
        time_days: problem.end_day,
        solver: saved_solver,
        record: saved_record,
        params: problem.params,
        covariates: problem.covariates,
        onset_day: problem.onset_day,
        hazard_start_day: problem.hazard_start_day,
        death_threshold: problem.death_threshold,
        options: *options,
    };
    Ok((course.finish(solver.accepted, &solver.y), checkpoint))
}

/// Continue a course from `checkpoint` under `problem`: the same patient (parameters,
/// covariates, onset and admission times), no dose before the checkpoint, and follow-up at
/// least to it. The tolerances are the checkpoint's.
///
/// The result is bit-identical to `solve_with(problem, checkpoint's options)` whenever the
/// checkpoint time is also a breakpoint of `problem` (its admission, a dose time or its end),
/// because the integrator then takes the same steps up to it in both; elsewhere it is as
/// accurate but its steps differ.
pub fn resume(
    checkpoint: &Checkpoint,
    problem: &PatientProblem,
) -> Result<Trajectory, ResumeError> {
    checkpoint.check(problem)?;
    let options = &checkpoint.options;
    let (derived, settings) = prepare(problem, options)?;
    let mut course = Course::resumed(
        problem,
        &derived,
        options.record_states,
        checkpoint.record.clone(),
    );
    let mut solver = checkpoint.solver;
    integrate(
        &mut course,
        &mut solver,
        checkpoint.time_days,
        options,
        &settings,
        false,
    )?;
    Ok(course.finish(solver.accepted, &solver.y))
}

/// First trial step after each breakpoint, days (about 15 min; the controller grows it).
const FIRST_STEP_DAYS: f64 = 0.01;
/// Smallest step before the solve is declared failed, days.
const MIN_STEP_DAYS: f64 = 1e-10;
/// Time resolution of root-finding, days (≈ 10 µs).
const ROOT_TOLERANCE_DAYS: f64 = 1e-10;

/// Everything recorded while integrating.
struct Course<'a> {
    problem: &'a PatientProblem,
    derived: &'a Derived,
    /// Last daily row to emit (days since onset), from the problem's end of follow-up.
    last_row_day: u32,
    record_states: bool,
    rec: Record,
}

/// The part of a [`Course`] that owns its data: what a [`Checkpoint`] saves.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    care: CareMachine,
    /// Inputs of the segment being integrated (the viral load depends on a running antiviral).
    inputs: Inputs,
    /// Dexamethasone closed form of the segment being integrated.
    dex: schedule::DexSegment,
    rows: Vec<DayRow>,
    events: Vec<Event>,
    doses: Vec<trajectory::AppliedDose>,
    next_row_day: u32,
    states: Vec<State>,
    /// Viral load at the end of the last step.
    last_viral_load: f64,
    cleared: bool,
    pf_nadir: Extremum,
    viral_peak: Extremum,
    il6_peak: Extremum,
    lymphocyte_nadir: Extremum,
    who_peak: u8,
}

/// Last daily row of a problem's course, days since onset.
fn last_row_day(problem: &PatientProblem) -> u32 {
    ((problem.end_day - problem.onset_day) + 1e-9).floor() as u32
}

/// A state-based scalar to track the extreme of (its slope is known from the derivative).
#[derive(Clone, Copy)]
enum Tracked {
    LungInjury,
    Il6,
    Lymphocytes,
}

impl Tracked {
    fn value(self, d: &Derived, s: &State) -> f64 {
        match self {
            Tracked::LungInjury => lung_injury(d, s),
            Tracked::Il6 => s.il6,
            Tracked::Lymphocytes => s.lymphocytes,
        }
    }
    fn slope(self, d: &Derived, ds: &State) -> f64 {
        match self {
            Tracked::LungInjury => ds.damaged + d.params.omega_i * ds.infected,
            Tracked::Il6 => ds.il6,
            Tracked::Lymphocytes => ds.lymphocytes,
        }
    }
}

impl<'a> Course<'a> {
    fn new(problem: &'a PatientProblem, derived: &'a Derived, record_states: bool) -> Self {
        let s0 = State::initial(derived);
        let o0 = Observables::of(derived, &s0, &Inputs::default());
        let at0 = |value| Extremum {
            time_days: 0.0,
            value,
        };
        let rec = Record {
            care: CareMachine::new(0.0, o0.pf_ratio),
            inputs: Inputs::default(),
            dex: schedule::DexSegment::default(),
            rows: Vec::with_capacity(last_row_day(problem) as usize + 1),
            events: Vec::new(),
            doses: Vec::with_capacity(problem.doses.len()),
            next_row_day: 0,
            states: Vec::new(),
            last_viral_load: 0.0,
            cleared: false,
            pf_nadir: at0(o0.lung_injury), // the maximum of lung injury; P/F in `finish`
            viral_peak: at0(0.0),
            il6_peak: at0(s0.il6),
            lymphocyte_nadir: at0(s0.lymphocytes),
            who_peak: 0,
        };
        Course::resumed(problem, derived, record_states, rec)
    }

    /// A course that continues `rec` under `problem` (its end of follow-up may differ).
    fn resumed(
        problem: &'a PatientProblem,
        derived: &'a Derived,
        record_states: bool,
        rec: Record,
    ) -> Self {
        Course {
            problem,
            derived,
            last_row_day: last_row_day(problem),
            record_states,
            rec,
        }
    }

    fn row_time(&self, day: u32) -> f64 {
        self.problem.onset_day + f64::from(day)
    }

    fn push_event(&mut self, kind: EventKind, t: f64) {
        self.rec.events.push(Event {
            kind,
            time_days: t,
            day_since_onset: t - self.problem.onset_day,
        });
    }

    fn push_transition(&mut self, what: Option<CareTransition>, t: f64, y: &[f64; N_STATES]) {
        let Some(what) = what else { return };
        let kind = match what {
            CareTransition::Admission => EventKind::Admission,
            CareTransition::Intubation => EventKind::Intubation,
            CareTransition::Extubation => EventKind::Extubation,
            CareTransition::Discharge => EventKind::Discharge,
            CareTransition::Death => EventKind::Death,
        };
        self.push_event(kind, t);
        self.note_who(y);
    }

    fn note_who(&mut self, y: &[f64; N_STATES]) {
        let s = State::from_array(y);
        let o = Observables::of(self.derived, &s, &self.rec.inputs);
        let who = clinical::who_score(
            self.rec.care.status,
            o.pf_ratio,
            o.il6_pg_ml,
            o.viral_load_detectable,
        );
        self.rec.who_peak = self.rec.who_peak.max(who);
    }

    /// Apply what happens exactly at breakpoint `t`: onset, admission, the rows due at `t`, then
    /// boluses (so a row at a dose time shows the pre-dose state, like a trough sample).
    fn at_breakpoint(&mut self, t: f64, y: &mut [f64; N_STATES]) {
        if t == self.problem.onset_day {
            self.rec.care.onset();
            self.push_event(EventKind::Onset, t);
        }
        if t == self.problem.hazard_start_day {
            let admitted = self.rec.care.admit(t);
            self.push_transition(admitted, t, y);
        }
        self.emit_rows_until(t, |_| *y);
        let mut s = State::from_array(y);
        for dose in &self.problem.doses {
            if dose.time_days == t {
                schedule::apply_bolus(self.derived, dose, &mut s);
                self.rec.doses.push(trajectory::AppliedDose {
                    dose: *dose,
                    started_days: t,
                    ended_days: t + dose.duration_days,
                });
            }
        }
        *y = s.to_array();
    }

    fn emit_rows_until(&mut self, t: f64, state_at: impl Fn(f64) -> [f64; N_STATES]) {
        while self.rec.next_row_day <= self.last_row_day
            && self.row_time(self.rec.next_row_day) <= t
        {
            let tr = self.row_time(self.rec.next_row_day);
            let y = state_at(tr);
            self.push_row(tr, &y);
        }
    }

    fn push_row(&mut self, t: f64, y: &[f64; N_STATES]) {
        // Rows between steps come from the interpolant, which can dip below zero by round-off.
        let mut s = State::from_array(y);
        s.project_physical();
        self.rec.dex.patch(t, &mut s);
        if self.record_states {
            self.rec.states.push(s);
        }
        let o = Observables::of(self.derived, &s, &self.rec.inputs);
        let status = self.rec.care.status;
        let who = clinical::who_score(status, o.pf_ratio, o.il6_pg_ml, o.viral_load_detectable);
        self.rec.who_peak = self.rec.who_peak.max(who);
        self.rec.rows.push(DayRow {
            day: self.rec.next_row_day,
            time_days: t,
            viral_load_log10: o.viral_load_log10,
            viral_load_detectable: o.viral_load_detectable,
            il6_pg_ml: o.il6_pg_ml,
            lymphocytes_1e9_l: o.lymphocytes_1e9_l,
            titer_id50: o.titer_id50,
            titer_passive_id50: o.titer_passive_id50,
            lung_injury: o.lung_injury,
            pf_ratio: o.pf_ratio,
            spo2: o.spo2,
            fio2_required: o.fio2_required,
            support: clinical::support(status, o.pf_ratio),
            who_score: who,
            hospitalised: status.hospitalised && !status.dead,
            alive: !status.dead,
            death_probability: o.death_probability,
            dexamethasone_ng_ml: o.dexamethasone_ng_ml,
            msc_lung_1e6_cells: s.msc_lung,
            immunoregulation: o.immunoregulation,
        });
        self.rec.next_row_day += 1;
    }

    /// Process one accepted step: extremes, threshold crossings, timers and rows, in time order.
    fn after_step(&mut self, step: &dopri5::DenseStep<N_STATES>) {
        let d = self.derived;
        let (t0, t1) = (step.t0, step.t1());
        let s0 = State::from_array(&step.eval(t0));
        let s1 = State::from_array(&step.eval(t1));
        self.track_extrema(step, &s1);

        // Threshold crossings inside the step, found on the interpolant.
        let mut crossings = roots::Crossings::default();
        if !self.rec.care.status.dead {
            let pf_at = |t: f64| pf_ratio(d, lung_injury(d, &State::from_array(&step.eval(t))));
            let (pf0, pf1) = (
                pf_ratio(d, lung_injury(d, &s0)),
                pf_ratio(d, lung_injury(d, &s1)),
            );
            for (index, thr) in PF_THRESHOLDS.iter().enumerate() {
                if (pf0 < *thr) != (pf1 < *thr) {
                    let t = roots::bracketed(|t| pf_at(t) - thr, t0, t1, pf0 - thr, pf1 - thr);
                    crossings.push(
                        t,
                        roots::Crossing::Pf {
                            index,
                            downward: pf1 < *thr,
                        },
                    );
                }
            }
            if let Some(thr) = self.problem.death_threshold
                && s0.cum_hazard < thr
                && s1.cum_hazard >= thr
            {
                let lam = |t: f64| State::from_array(&step.eval(t)).cum_hazard - thr;
                let t = roots::bracketed(lam, t0, t1, s0.cum_hazard - thr, s1.cum_hazard - thr);
                crossings.push(t, roots::Crossing::Death);
            }
            let lod = d.params.vl_lod;
            let u = &self.rec.inputs;
            let (v0, v1) = (viral_load(d, &s0, u), viral_load(d, &s1, u));
            if !self.rec.cleared && v0 >= lod && v1 < lod {
                let v = |t: f64| viral_load(d, &State::from_array(&step.eval(t)), u) - lod;
                let t = roots::bracketed(v, t0, t1, v0 - lod, v1 - lod);
                crossings.push(t, roots::Crossing::ViralClearance);
            }
        }
        crossings.sort();

        for (t, crossing) in crossings.iter() {
            self.fire_timers_until(t, step);
            self.emit_rows_before(t, step);
            let y = step.eval(t);
            match crossing {
                roots::Crossing::Pf { index, downward } => {
                    if !self.rec.care.status.dead {
                        let what = self.rec.care.on_pf_crossing(t, index, downward);
                        self.push_transition(what, t, &y);
                    }
                }
                roots::Crossing::Death => {
                    let what = self.rec.care.die();
                    self.push_transition(what, t, &y);
                }
                roots::Crossing::ViralClearance => {
                    if !self.rec.care.status.dead {
                        self.rec.cleared = true;
                        self.push_event(EventKind::ViralClearance, t);
                    }
                }
            }
        }
        self.fire_timers_until(t1, step);
        self.emit_rows_until(t1, |t| step.eval(t));
        self.note_who(&step.eval(t1));
    }

    fn emit_rows_before(&mut self, t: f64, step: &dopri5::DenseStep<N_STATES>) {
        while self.rec.next_row_day <= self.last_row_day && self.row_time(self.rec.next_row_day) < t
        {
            let tr = self.row_time(self.rec.next_row_day);
            self.push_row(tr, &step.eval(tr));
        }
    }

    fn fire_timers_until(&mut self, t: f64, step: &dopri5::DenseStep<N_STATES>) {
        while let Some((due, what)) = self.rec.care.next_due() {
            if due > t {
                break;
            }
            self.emit_rows_before(due, step);
            let fired = self.rec.care.fire(due, what);
            self.push_transition(Some(fired), due, &step.eval(due));
        }
    }

    fn track_extrema(&mut self, step: &dopri5::DenseStep<N_STATES>, s1: &State) {
        let d = self.derived;
        let ds0 = State::from_array(&step.dy0);
        let ds1 = State::from_array(&step.dy1);
        let value_at = |what: Tracked, t: f64| what.value(d, &State::from_array(&step.eval(t)));
        let update = |best: &mut Extremum, what: Tracked, sign: f64| {
            // sign = +1 tracks a maximum, −1 a minimum.
            let t1 = step.t1();
            let v1 = sign * what.value(d, s1);
            if v1 > sign * best.value {
                *best = Extremum {
                    time_days: t1,
                    value: sign * v1,
                };
            }
            let (g0, g1) = (sign * what.slope(d, &ds0), sign * what.slope(d, &ds1));
            if g0 > 0.0 && g1 < 0.0 {
                let (t, v) = roots::golden_max(
                    |t| sign * value_at(what, t),
                    step.t0,
                    t1,
                    ROOT_TOLERANCE_DAYS,
                );
                if v > sign * best.value {
                    *best = Extremum {
                        time_days: t,
                        value: sign * v,
                    };
                }
            }
        };
        update(&mut self.rec.pf_nadir, Tracked::LungInjury, 1.0);
        update(&mut self.rec.il6_peak, Tracked::Il6, 1.0);
        update(&mut self.rec.lymphocyte_nadir, Tracked::Lymphocytes, -1.0);

        // The viral load is algebraic in the state (no slope at hand): refine when the midpoint
        // is above both ends.
        let v_at = |t: f64| viral_load(d, &State::from_array(&step.eval(t)), &self.rec.inputs);
        let (t0, t1) = (step.t0, step.t1());
        let v0 = self.rec.last_viral_load;
        let v1 = viral_load(d, s1, &self.rec.inputs);
        self.rec.last_viral_load = v1;
        if v1 < v0 && v1 < self.rec.viral_peak.value {
            return; // falling and below the peak: nothing to refine
        }
        let vm = v_at(0.5 * (t0 + t1));
        let best = if vm > v0 && vm > v1 {
            roots::golden_max(v_at, t0, t1, ROOT_TOLERANCE_DAYS)
        } else if v1 >= v0 {
            (t1, v1)
        } else {
            (t0, v0)
        };
        if best.1 > self.rec.viral_peak.value {
            self.rec.viral_peak = Extremum {
                time_days: best.0,
                value: best.1,
            };
        }
    }

    fn finish(mut self, steps: usize, y_end: &[f64; N_STATES]) -> Trajectory {
        // `pf_nadir` tracked the maximum of lung injury; convert to P/F.
        self.rec.pf_nadir.value = pf_ratio(self.derived, self.rec.pf_nadir.value);
        let final_death_probability =
            Observables::of(self.derived, &State::from_array(y_end), &self.rec.inputs)
                .death_probability;
        Trajectory {
            patient_id: self.problem.patient_id,
            onset_day: self.problem.onset_day,
            rows: self.rec.rows,
            events: self.rec.events,
            doses: self.rec.doses,
            pf_nadir: self.rec.pf_nadir,
            viral_peak: self.rec.viral_peak,
            il6_peak: self.rec.il6_peak,
            lymphocyte_nadir: self.rec.lymphocyte_nadir,
            who_peak: self.rec.who_peak,
            final_death_probability,
            steps,
            states: self.rec.states,
        }
    }
}

#[cfg(test)]
mod cross_check {
    //! Our DOPRI5 against an independent implementation of a different method (the `ivp`
    //! crate's DOP853, a port of SciPy's) on the full model, at tight tolerances.

    use super::*;
    use ivp::prelude::*;
    use model::{Covariates, Params, Phenotype};

    /// The full ODE, dexamethasone compartments integrated too (independent of our closed form).
    struct FullOde<'a> {
        derived: &'a Derived,
        inputs: Inputs,
    }

    impl IVP for FullOde<'_> {
        fn ode(&self, _t: f64, y: &[f64], dydx: &mut [f64]) {
            let mut a = [0.0; N_STATES];
            a.copy_from_slice(y);
            let dy = model::derivative(self.derived, &State::from_array(&a), &self.inputs);
            dydx.copy_from_slice(&dy.to_array());
        }
    }

    /// The dexamethasone closed form against DOP853 on the full ODE (gut depot, plasma, an IV
    /// rate), also where absorption and elimination rates coincide (the Bateman limit).
    #[test]
    fn dexamethasone_closed_form_matches_the_integrated_ode() {
        let base = Phenotype::Severe.params();
        let kel = Derived::new(&base, &Covariates::default()).dex_kel;
        for ka in [base.dex_ka, kel, kel / 40.0] {
            let params = Params { dex_ka: ka, ..base };
            let derived = Derived::new(&params, &Covariates::default());
            let inputs = Inputs {
                dex_rate: 2.0,
                ..Inputs::default()
            };
            let mut s0 = State::initial(&derived);
            s0.dex_gut = 4.86;
            s0.dex_conc = 3.0;
            let segment = schedule::DexSegment::start(&derived, 1.5, &s0, &inputs);
            let reference = FullOde {
                derived: &derived,
                inputs,
            };
            let options = Options::builder()
                .method(Method::DOP853)
                .rtol(1e-12)
                .atol(1e-16)
                .build();
            let sol = solve_ivp(&reference, 1.5, 3.5, &s0.to_array(), options).expect("solves");
            let end = State::from_array(
                &sol.y
                    .last()
                    .expect("final")
                    .as_slice()
                    .try_into()
                    .expect("N"),
            );
            let (gut, conc) = segment.at(3.5);
            assert!(
                (gut - end.dex_gut).abs() <= 1e-9 * 4.86,
                "ka {ka}: {gut} vs {}",
                end.dex_gut
            );
            assert!(
                (conc / end.dex_conc - 1.0).abs() < 1e-8,
                "ka {ka}: {conc} vs {}",
                end.dex_conc
            );
        }
    }

    #[test]
    fn agrees_with_independent_solvers() {
        for ph in Phenotype::ALL {
            let derived = Derived::new(&ph.params(), &Covariates::default());
            let inputs = Inputs {
                hazard_active: true,
                ..Inputs::default()
            };
            let system = PatientSystem {
                derived: &derived,
                inputs,
                dex: schedule::DexSegment::default(),
            };
            let reference = FullOde {
                derived: &derived,
                inputs,
            };
            let y0 = State::initial(&derived).to_array();
            let t_end = 40.0;
            let settings = Settings {
                rtol: [1e-11; N_STATES],
                atol: [1e-16; N_STATES],
                max_step: 0.5,
                first_step: 1e-3,
                min_step: 1e-14,
            };
            let mut ours = Dopri5::new(0.0, y0, &settings);
            ours.restart(&system, &settings);
            while ours.t < t_end {
                ours.step(&system, &settings, t_end).expect("steps");
            }
            for (method, rtol) in [(Method::DOP853, 1e-12)] {
                let options = Options::builder()
                    .method(method)
                    .rtol(rtol)
                    .atol(1e-16)
                    .build();
                let sol =
                    solve_ivp(&reference, 0.0, t_end, &y0, options).expect("reference solves");
                let theirs = sol.y.last().expect("final state");
                for (i, (a, b)) in ours.y.iter().zip(theirs).enumerate() {
                    // Relative 1e-6, or absolute 1e-12 for the vanishing infected fractions.
                    let scale = a.abs().max(b.abs()).max(1e-6);
                    assert!(
                        (a - b).abs() / scale < 1e-6,
                        "{ph} vs {method:?}: component {i}: {a} vs {b}"
                    );
                }
            }
        }
    }
}
