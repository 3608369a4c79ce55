//! The dosing schedule: breakpoints, the piecewise-constant inputs between them, and boluses.

use model::{Derived, DoseEvent, DoseInput, Inputs, State};

use crate::PatientProblem;

/// 10⁶ cells per cell (the MSC state is counted in millions of cells).
const MILLION: f64 = 1e6;

/// Gut content (as the plasma concentration it would make, ng/mL) below which no oral dose is
/// considered to be absorbing: 1e-6 of the steroid IC50 scale (8 ng/mL).
const GUT_NEGLIGIBLE_NG_ML: f64 = 1e-6;

/// Dexamethasone PK over one segment, in closed form.
///
/// The gut depot and the plasma concentration form a linear one-way chain that nothing else
/// feeds (MODEL.md §6: first-order absorption `dex_ka`, one compartment, elimination
/// `dex_kel`), so between two breakpoints they are the superposition of the amounts present at
/// the segment start and any constant IV rate:
///
/// A(τ) = A₀·e^(−k_a τ),
/// G(τ) = G₀·e^(−k τ) + c·A₀·k_a·(e^(−k τ) − e^(−k_a τ))/(k_a − k) + c·R·(1 − e^(−k τ))/k,
///
/// with c = ng/mL per mg. Evaluating this instead of integrating it removes the fast absorption
/// rate (36/d) from the explicit integrator's step-size limit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DexSegment {
    /// Segment start, days since infection.
    t0: f64,
    /// Gut depot at the start, mg.
    gut0: f64,
    /// Plasma concentration at the start, ng/mL.
    conc0: f64,
    /// IV rate over the segment, mg/d.
    rate: f64,
    ka: f64,
    kel: f64,
    conc_per_mg: f64,
}

impl DexSegment {
    /// The segment starting at `t0` from state `s` under inputs `u`.
    pub fn start(d: &Derived, t0: f64, s: &State, u: &Inputs) -> Self {
        DexSegment {
            t0,
            gut0: s.dex_gut,
            conc0: s.dex_conc,
            rate: u.dex_rate,
            ka: d.params.dex_ka,
            kel: d.dex_kel,
            conc_per_mg: d.dex_conc_per_mg(),
        }
    }

    /// (gut depot mg, plasma ng/mL) at `t` (≥ the segment start).
    pub fn at(&self, t: f64) -> (f64, f64) {
        if self.gut0 == 0.0 && self.conc0 == 0.0 && self.rate == 0.0 {
            return (0.0, 0.0);
        }
        let tau = (t - self.t0).max(0.0);
        let decay = (-self.kel * tau).exp();
        let gut = self.gut0 * (-self.ka * tau).exp();
        // (e^(−k τ) − e^(−k_a τ))/(k_a − k), symmetric in k and k_a, written as
        // e^(−slow τ)·(1 − e^(−gap τ))/gap with expm1: it never overflows whichever rate is
        // faster, and k_a → k stays exact (its limit is τ·e^(−k τ)).
        let slow = self.ka.min(self.kel);
        let gap = (self.ka - self.kel).abs();
        let bateman = if gap * tau == 0.0 {
            tau * (-slow * tau).exp()
        } else {
            (-slow * tau).exp() * -(-gap * tau).exp_m1() / gap
        };
        let conc = self.conc0 * decay
            + self.conc_per_mg * self.gut0 * self.ka * bateman
            + self.conc_per_mg * self.rate * -(-self.kel * tau).exp_m1() / self.kel;
        (gut, conc)
    }

    /// Whether an oral dose is still being absorbed at the segment start.
    pub fn absorbing(&self) -> bool {
        self.gut0 * self.conc_per_mg > GUT_NEGLIGIBLE_NG_ML
    }

    /// `s` with its dexamethasone compartments set to their values at `t`.
    pub fn patch(&self, t: f64, s: &mut State) {
        (s.dex_gut, s.dex_conc) = self.at(t);
    }
}

/// The first breakpoint strictly after `t`: a dose start or end, onset, admission, or the end.
pub fn next_breakpoint(problem: &PatientProblem, t: f64) -> f64 {
    let mut next = problem.end_day;
    let mut consider = |x: f64| {
        if x > t && x < next {
            next = x;
        }
    };
    consider(problem.onset_day);
    consider(problem.hazard_start_day);
    for dose in &problem.doses {
        consider(dose.time_days);
        consider(dose.time_days + dose.duration_days);
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
