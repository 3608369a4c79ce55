//! The dosing schedule: breakpoints, the piecewise-constant inputs between them, and boluses.

use model::{Derived, DoseEvent, DoseInput, Inputs, State};

use crate::PatientProblem;

/// 10⁶ cells per cell (the MSC state is counted in millions of cells).
const MILLION: f64 = 1e6;

/// Fraction of an oral dose left in the gut at which absorption is treated as complete: the
/// remainder moves to plasma at once. Keeps the fast absorption rate (36/d) from limiting the
/// explicit step size for the rest of the course; the error is ≤ 1e-12 of the dose.
const GUT_NEGLIGIBLE_FRACTION: f64 = 1e-12;

/// Time after an oral dose at which its absorption is declared complete, days.
pub fn absorption_cutoff_days(d: &Derived) -> f64 {
    -GUT_NEGLIGIBLE_FRACTION.ln() / d.params.dex_ka
}

/// Whether `dose` is an oral dexamethasone bolus (absorbed through the gut depot).
pub fn is_oral_dex(dose: &DoseEvent) -> bool {
    matches!(dose.input, DoseInput::Dexamethasone { bioavailability, .. } if bioavailability < 1.0)
        && dose.duration_days == 0.0
}

/// At `t`, if some oral dose reaches its absorption cut-off and no other oral dose is still
/// being absorbed, move what is left in the gut into plasma (mass is conserved).
pub fn finish_absorption(problem: &PatientProblem, d: &Derived, t: f64, s: &mut State) {
    let cutoff = absorption_cutoff_days(d);
    let oral = || problem.doses.iter().filter(|dose| is_oral_dex(dose));
    let reaches_cutoff = oral().any(|dose| dose.time_days + cutoff == t);
    let still_absorbing = oral().any(|dose| dose.time_days < t && t < dose.time_days + cutoff);
    if reaches_cutoff && !still_absorbing {
        s.dex_conc += s.dex_gut * d.dex_conc_per_mg();
        s.dex_gut = 0.0;
    }
}

/// The first breakpoint strictly after `t`: a dose start or end, onset, admission, or the end.
pub fn next_breakpoint(problem: &PatientProblem, d: &Derived, t: f64) -> f64 {
    let mut next = problem.end_day;
    let mut consider = |x: f64| {
        if x > t && x < next {
            next = x;
        }
    };
    consider(problem.onset_day);
    consider(problem.hazard_start_day);
    let cutoff = absorption_cutoff_days(d);
    for dose in &problem.doses {
        consider(dose.time_days);
        consider(dose.time_days + dose.duration_days);
        if is_oral_dex(dose) {
            consider(dose.time_days + cutoff);
        }
    }
    next
}

fn active(dose: &DoseEvent, mid: f64) -> bool {
    dose.duration_days > 0.0 && dose.time_days <= mid && mid < dose.time_days + dose.duration_days
}

/// Inputs that hold over the segment (a, b): infusions and time-limited drug effects in
/// progress, and whether the hazard clock runs.
pub fn inputs(problem: &PatientProblem, a: f64, b: f64) -> Inputs {
    let mid = 0.5 * (a + b);
    let mut u = Inputs {
        hazard_active: mid >= problem.hazard_start_day,
        ..Inputs::default()
    };
    let mut antiviral_pass = 1.0;
    let mut il6_pass = 1.0;
    for dose in problem.doses.iter().filter(|d| active(d, mid)) {
        let per_day = 1.0 / dose.duration_days;
        match dose.input {
            DoseInput::PassiveAntibody { amount_id50_ml } => {
                u.antibody_rate += amount_id50_ml * per_day
            }
            DoseInput::MesenchymalStromalCells { viable_cells } => {
                u.msc_rate += viable_cells / MILLION * per_day
            }
            DoseInput::Dexamethasone {
                dose_mg,
                bioavailability,
            } => u.dex_rate += bioavailability * dose_mg * per_day,
            DoseInput::Antiviral { efficacy } => antiviral_pass *= 1.0 - efficacy,
            DoseInput::Il6Blockade { efficacy } => il6_pass *= 1.0 - efficacy,
        }
    }
    u.antiviral = 1.0 - antiviral_pass;
    u.il6_blockade = 1.0 - il6_pass;
    u
}

/// Apply a bolus (`duration_days == 0`) to the state; infusions and effects are inputs instead.
///
/// A dexamethasone bolus with bioavailability < 1 is oral: the bioavailable amount enters the
/// gut depot and is absorbed at `dex_ka`. With bioavailability 1 it is an IV push into plasma.
pub fn apply_bolus(d: &Derived, dose: &DoseEvent, s: &mut State) {
    if dose.duration_days > 0.0 {
        return;
    }
    match dose.input {
        DoseInput::PassiveAntibody { amount_id50_ml } => s.ab_plasma += amount_id50_ml,
        DoseInput::MesenchymalStromalCells { viable_cells } => {
            s.msc_lung += d.params.f_trap * viable_cells / MILLION
        }
        DoseInput::Dexamethasone {
            dose_mg,
            bioavailability,
        } => {
            if bioavailability < 1.0 {
                s.dex_gut += bioavailability * dose_mg;
            } else {
                s.dex_conc += dose_mg * d.dex_conc_per_mg();
            }
        }
        // Effects with no duration act for no time.
        DoseInput::Antiviral { .. } | DoseInput::Il6Blockade { .. } => {}
    }
}
