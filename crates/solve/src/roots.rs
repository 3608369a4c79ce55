//! Root-finding and maximisation on one step's interpolant.

/// Maximum number of crossings looked for in one step (4 P/F thresholds, death, clearance).
const MAX_CROSSINGS: usize = 6;

/// A threshold crossing inside a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// P/F crossed `model::clinical::PF_THRESHOLDS[index]`.
    Pf { index: usize, downward: bool },
    /// The cumulative hazard reached the death threshold.
    Death,
    /// The viral load fell below the limit of detection.
    ViralClearance,
}

/// The crossings of one step, on the stack.
#[derive(Debug, Default)]
pub struct Crossings {
    items: [Option<(f64, Crossing)>; MAX_CROSSINGS],
    len: usize,
}

impl Crossings {
    pub fn push(&mut self, t: f64, c: Crossing) {
        if self.len < MAX_CROSSINGS {
            self.items[self.len] = Some((t, c));
            self.len += 1;
        }
    }

    /// Sort by time (stable insertion sort: ties keep the order pushed).
    pub fn sort(&mut self) {
        let key = |x: &Option<(f64, Crossing)>| x.map_or(f64::INFINITY, |(t, _)| t);
        for i in 1..self.len {
            let mut j = i;
            while j > 0 && key(&self.items[j - 1]) > key(&self.items[j]) {
                self.items.swap(j - 1, j);
                j -= 1;
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (f64, Crossing)> + '_ {
        self.items[..self.len].iter().flatten().copied()
    }
}

/// Root of `f` in [a, b] where `fa` and `fb` have opposite signs: Illinois variant of regula
/// falsi, with every third step a bisection so the bracket always shrinks to the tolerance.
pub fn bracketed(f: impl Fn(f64) -> f64, a: f64, b: f64, fa: f64, fb: f64) -> f64 {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    let mut side = 0i8;
    for iteration in 0..300 {
        if (b - a).abs() <= super::ROOT_TOLERANCE_DAYS {
            break;
        }
        let mut c = (a * fb - b * fa) / (fb - fa);
        if iteration % 3 == 2 || !c.is_finite() || c <= a || c >= b {
            c = 0.5 * (a + b);
        }
        let fc = f(c);
        if fc == 0.0 {
            return c;
        }
        if (fc < 0.0) == (fa < 0.0) {
            a = c;
            fa = fc;
            if side == -1 {
                fb *= 0.5;
            }
            side = -1;
        } else {
            b = c;
            fb = fc;
            if side == 1 {
                fa *= 0.5;
            }
            side = 1;
        }
    }
    // The crossing time is the first time the sign has changed: report the right end.
    b
}

/// Maximum of a unimodal `f` on [a, b] by golden-section search: (argmax, max).
pub fn golden_max(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> (f64, f64) {
    let inv_phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (a, b);
    let mut c = b - inv_phi * (b - a);
    let mut d = a + inv_phi * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while (b - a).abs() > tol {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - inv_phi * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + inv_phi * (b - a);
            fd = f(d);
        }
    }
    let t = 0.5 * (a + b);
    (t, f(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_known_roots_and_maxima() {
        let r = bracketed(|t| t * t - 2.0, 0.0, 2.0, -2.0, 2.0);
        assert!((r - 2f64.sqrt()).abs() < 1e-9);
        let r = bracketed(|t| (t - 0.3).powi(3), 0.0, 1.0, -0.027, 0.343);
        assert!((r - 0.3).abs() < 1e-3);
        let (t, v) = golden_max(|t| -(t - 0.7) * (t - 0.7) + 5.0, 0.0, 1.0, 1e-10);
        assert!((t - 0.7).abs() < 1e-6 && (v - 5.0).abs() < 1e-12);
    }
}
