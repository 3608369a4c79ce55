//! Dormand–Prince 5(4) with Shampine's 4th-order continuous extension (Hairer, Nørsett &
//! Wanner, *Solving ODEs I*, §II.5–6; coefficients as in their DOPRI5 code).
//!
//! Written here (about 200 lines) rather than taken from a crate: the solver has to stop exactly
//! at every dose (state jumps, changes of infusion rate), hand each accepted step's interpolant
//! to our own root-finding of clinical thresholds and extrema, and keep a stack-allocated
//! `[f64; N]` state with no allocation and no dependency to build. The comparison with the
//! crates measured in ECOSYSTEM.md §2 is in ARCHITECTURE.md ("Integrator").

// The stage formulas read as in the textbook with one index over all components.
#![allow(clippy::needless_range_loop)]

/// A right-hand side y' = f(t, y), smooth between two breakpoints.
pub trait System<const N: usize> {
    /// Write f(t, y) into `dy`.
    fn rhs(&self, t: f64, y: &[f64; N], dy: &mut [f64; N]);

    /// Project an accepted state back onto the physical domain (e.g. clip round-off below
    /// zero); return whether anything changed. Default: nothing to do.
    fn project(&self, _y: &mut [f64; N]) -> bool {
        false
    }
}

// Nodes c_i (c_1 = 0, c_6 = c_7 = 1).
const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
const A71: f64 = 35.0 / 384.0;
const A73: f64 = 500.0 / 1113.0;
const A74: f64 = 125.0 / 192.0;
const A75: f64 = -2187.0 / 6784.0;
const A76: f64 = 11.0 / 84.0;
// Error coefficients: 5th-order weights minus 4th-order weights.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;
// Dense output.
const D1: f64 = -12715105075.0 / 11282082432.0;
const D3: f64 = 87487479700.0 / 32700410799.0;
const D4: f64 = -10690763975.0 / 1880347072.0;
const D5: f64 = 701980252875.0 / 199316789632.0;
const D6: f64 = -1453857185.0 / 822651844.0;
const D7: f64 = 69997945.0 / 29380423.0;

/// Step-size controller safety factor and limits on the change per step (Hairer's defaults).
const SAFETY: f64 = 0.9;
const MAX_GROWTH: f64 = 5.0;
const MIN_SHRINK: f64 = 0.2;

/// The interpolant of one accepted step over [t0, t0 + h].
#[derive(Debug, Clone, Copy)]
pub struct DenseStep<const N: usize> {
    /// Step start.
    pub t0: f64,
    /// Step length.
    pub h: f64,
    r1: [f64; N],
    r2: [f64; N],
    r3: [f64; N],
    r4: [f64; N],
    r5: [f64; N],
    /// Derivative at the start.
    pub dy0: [f64; N],
    /// Derivative at the end.
    pub dy1: [f64; N],
}

impl<const N: usize> DenseStep<N> {
    /// State at time `t` in [t0, t0 + h].
    pub fn eval(&self, t: f64) -> [f64; N] {
        let th = ((t - self.t0) / self.h).clamp(0.0, 1.0);
        let th1 = 1.0 - th;
        let mut y = [0.0; N];
        for i in 0..N {
            y[i] = self.r1[i]
                + th * (self.r2[i] + th1 * (self.r3[i] + th * (self.r4[i] + th1 * self.r5[i])));
        }
        y
    }

    /// Step end.
    pub fn t1(&self) -> f64 {
        self.t0 + self.h
    }
}

/// Why integration stopped early.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepFailure {
    /// The step size fell below the smallest allowed.
    StepTooSmall { t: f64, h: f64 },
    /// The right-hand side produced NaN or infinity even at the smallest step.
    NonFinite { t: f64 },
}

/// Integrator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings<const N: usize> {
    /// Relative tolerance per component.
    pub rtol: [f64; N],
    /// Absolute tolerance per component.
    pub atol: [f64; N],
    /// Largest step, days.
    pub max_step: f64,
    /// First trial step after a restart, days.
    pub first_step: f64,
    /// Smallest step before giving up, days.
    pub min_step: f64,
}

/// DOPRI5 integrator state.
#[derive(Debug, Clone, Copy)]
pub struct Dopri5<const N: usize> {
    /// Current time.
    pub t: f64,
    /// Current state.
    pub y: [f64; N],
    dy: [f64; N],
    h: f64,
    /// Accepted steps so far.
    pub accepted: usize,
    /// Rejected steps so far.
    pub rejected: usize,
}

impl<const N: usize> Dopri5<N> {
    /// Start at (t, y).
    pub fn new(t: f64, y: [f64; N], settings: &Settings<N>) -> Self {
        Dopri5 {
            t,
            y,
            dy: [0.0; N],
            h: settings.first_step,
            accepted: 0,
            rejected: 0,
        }
    }

    /// Restart after a discontinuity (new system or state jump): recompute the first stage.
    /// The step size carries over; if the jump makes it too large, the controller rejects and
    /// shrinks it (cheaper, measured, than restarting from `first_step` at every dose).
    pub fn restart(&mut self, system: &impl System<N>, _settings: &Settings<N>) {
        system.rhs(self.t, &self.y, &mut self.dy);
    }

    /// Make the next trial step at most `h` (after an input whose time scale is known to be short).
    pub fn limit_step(&mut self, h: f64) {
        self.h = self.h.min(h);
    }

    /// Take one accepted step, not going past `t_end`; returns its interpolant.
    pub fn step(
        &mut self,
        system: &impl System<N>,
        settings: &Settings<N>,
        t_end: f64,
    ) -> Result<DenseStep<N>, StepFailure> {
        let y = self.y;
        let k1 = self.dy;
        loop {
            let remaining = t_end - self.t;
            let mut h = self.h.min(settings.max_step);
            // Land exactly on the breakpoint instead of leaving a sliver.
            if h >= remaining * (1.0 - 1e-12) || remaining - h < settings.min_step {
                h = remaining;
            }
            let mut yt = [0.0; N];
            let mut k2 = [0.0; N];
            let mut k3 = [0.0; N];
            let mut k4 = [0.0; N];
            let mut k5 = [0.0; N];
            let mut k6 = [0.0; N];
            let mut k7 = [0.0; N];
            let mut y1 = [0.0; N];
            for i in 0..N {
                yt[i] = y[i] + h * A21 * k1[i];
            }
            system.rhs(self.t + C2 * h, &yt, &mut k2);
            for i in 0..N {
                yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
            }
            system.rhs(self.t + C3 * h, &yt, &mut k3);
            for i in 0..N {
                yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
            }
            system.rhs(self.t + C4 * h, &yt, &mut k4);
            for i in 0..N {
                yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
            }
            system.rhs(self.t + C5 * h, &yt, &mut k5);
            for i in 0..N {
                yt[i] = y[i]
                    + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
            }
            system.rhs(self.t + h, &yt, &mut k6);
            for i in 0..N {
                y1[i] = y[i]
                    + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
            }
            system.rhs(self.t + h, &y1, &mut k7);

            let mut sum = 0.0;
            let mut finite = true;
            for i in 0..N {
                let err = h
                    * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                let scale = settings.atol[i] + settings.rtol[i] * y[i].abs().max(y1[i].abs());
                let r = err / scale;
                sum += r * r;
                finite &= y1[i].is_finite() && k7[i].is_finite();
            }
            let err = (sum / N as f64).sqrt();
            if !finite || !err.is_finite() {
                if h <= settings.min_step {
                    return Err(StepFailure::NonFinite { t: self.t });
                }
                self.h = (h * MIN_SHRINK).max(settings.min_step);
                self.rejected += 1;
                continue;
            }
            // Elementary controller h_new = h·0.9·err^(−1/5), limited to [0.2, 5]×.
            let factor = if err == 0.0 {
                MAX_GROWTH
            } else {
                (SAFETY * err.powf(-0.2)).clamp(MIN_SHRINK, MAX_GROWTH)
            };
            if err <= 1.0 {
                let mut dense = DenseStep {
                    t0: self.t,
                    h,
                    r1: y,
                    r2: [0.0; N],
                    r3: [0.0; N],
                    r4: [0.0; N],
                    r5: [0.0; N],
                    dy0: k1,
                    dy1: k7,
                };
                for i in 0..N {
                    let dy = y1[i] - y[i];
                    let bspl = h * k1[i] - dy;
                    dense.r2[i] = dy;
                    dense.r3[i] = bspl;
                    dense.r4[i] = dy - h * k7[i] - bspl;
                    dense.r5[i] = h
                        * (D1 * k1[i]
                            + D3 * k3[i]
                            + D4 * k4[i]
                            + D5 * k5[i]
                            + D6 * k6[i]
                            + D7 * k7[i]);
                }
                self.t = if h == remaining { t_end } else { self.t + h };
                self.y = y1;
                self.dy = k7;
                if system.project(&mut self.y) {
                    system.rhs(self.t, &self.y, &mut self.dy);
                }
                // Keep the proposed step even when this one was shortened to hit a breakpoint.
                self.h = if h == remaining {
                    self.h.max(h * factor)
                } else {
                    h * factor
                };
                self.accepted += 1;
                return Ok(dense);
            }
            self.rejected += 1;
            if h <= settings.min_step {
                return Err(StepFailure::StepTooSmall { t: self.t, h });
            }
            self.h = (h * factor).max(settings.min_step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y' = A y for a 2×2 rotation-with-decay system: y(t) = e^{−at}(cos ωt, −sin ωt).
    struct Spiral {
        a: f64,
        w: f64,
    }
    impl System<2> for Spiral {
        fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
            dy[0] = -self.a * y[0] + self.w * y[1];
            dy[1] = -self.w * y[0] - self.a * y[1];
        }
    }

    fn settings(rtol: f64) -> Settings<2> {
        Settings {
            rtol: [rtol; 2],
            atol: [rtol * 1e-3; 2],
            max_step: 1.0,
            first_step: 1e-3,
            min_step: 1e-12,
        }
    }

    fn exact(t: f64) -> [f64; 2] {
        let (a, w) = (0.3, 2.0);
        [
            (-a * t).exp() * (w * t).cos(),
            -(-a * t).exp() * (w * t).sin(),
        ]
    }

    #[test]
    fn matches_closed_form_at_steps_and_in_between() {
        let sys = Spiral { a: 0.3, w: 2.0 };
        let s = settings(1e-9);
        let mut solver = Dopri5::new(0.0, [1.0, 0.0], &s);
        solver.restart(&sys, &s);
        let mut worst: f64 = 0.0;
        while solver.t < 10.0 {
            let step = solver.step(&sys, &s, 10.0).unwrap();
            for frac in [0.0, 0.25, 0.5, 0.9, 1.0] {
                let t = step.t0 + frac * step.h;
                let y = step.eval(t);
                let e = exact(t);
                worst = worst.max((y[0] - e[0]).abs()).max((y[1] - e[1]).abs());
            }
        }
        assert_eq!(solver.t, 10.0);
        assert!(worst < 1e-7, "max error {worst}");
    }

    #[test]
    fn error_falls_at_fifth_order_with_fixed_steps() {
        // With no error control (huge tolerance) and a fixed step, halving h must cut the
        // global error by about 2^5 = 32.
        let sys = Spiral { a: 0.3, w: 2.0 };
        let run = |h: f64| {
            let s = Settings {
                rtol: [1e9; 2],
                atol: [1e9; 2],
                max_step: h,
                first_step: h,
                min_step: 1e-12,
            };
            let mut solver = Dopri5::new(0.0, [1.0, 0.0], &s);
            solver.restart(&sys, &s);
            while solver.t < 4.0 {
                solver.step(&sys, &s, 4.0).unwrap();
            }
            let e = exact(4.0);
            (solver.y[0] - e[0]).abs().max((solver.y[1] - e[1]).abs())
        };
        let ratio = run(0.1) / run(0.05);
        assert!((24.0..40.0).contains(&ratio), "ratio {ratio}");
    }
}
