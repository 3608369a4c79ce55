//! A small Nelder–Mead minimiser.
//!
//! Hand-written because the `argmin` crate is not in the offline cargo cache of this project's
//! build machines, and calibration needs only a derivative-free simplex search over a handful of
//! parameters (the simulated loss is piecewise constant in the parameters at a fixed seed, so
//! gradients are useless). Standard coefficients (Nelder & Mead 1965; Lagarias et al., SIAM J
//! Optim 1998;9:112): reflection 1, expansion 2, contraction 1/2, shrink 1/2. Deterministic:
//! the same start and function give the same path, so a seeded loss gives a reproducible fit.

/// Stopping rules and the initial simplex.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Step of each coordinate from the start for the initial simplex.
    pub initial_step: f64,
    /// Stop when the best and worst values differ by less than this.
    pub f_tolerance: f64,
    /// Stop when every vertex is within this distance (max norm) of the best.
    pub x_tolerance: f64,
    /// Stop after this many function evaluations.
    pub max_evaluations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            initial_step: 0.5,
            f_tolerance: 1e-8,
            x_tolerance: 1e-6,
            max_evaluations: 200,
        }
    }
}

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// Best point found.
    pub x: Vec<f64>,
    /// Function value there.
    pub value: f64,
    /// Function evaluations used.
    pub evaluations: usize,
    /// Whether a tolerance was met (else the evaluation budget ran out).
    pub converged: bool,
}

/// Minimises `f` from `start`.
pub fn minimise<E>(
    mut f: impl FnMut(&[f64]) -> Result<f64, E>,
    start: &[f64],
    options: Options,
) -> Result<Minimum, E> {
    const REFLECT: f64 = 1.0;
    const EXPAND: f64 = 2.0;
    const CONTRACT: f64 = 0.5;
    const SHRINK: f64 = 0.5;
    let n = start.len();
    let mut evaluations = 0;
    let mut eval = |x: &[f64], count: &mut usize| -> Result<f64, E> {
        *count += 1;
        let v = f(x)?;
        Ok(if v.is_nan() { f64::INFINITY } else { v })
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), eval(start, &mut evaluations)?));
    for i in 0..n {
        let mut x = start.to_vec();
        x[i] += options.initial_step;
        let v = eval(&x, &mut evaluations)?;
        simplex.push((x, v));
    }
    let point = |a: &[f64], b: &[f64], t: f64| -> Vec<f64> {
        a.iter().zip(b).map(|(ai, bi)| ai + t * (bi - ai)).collect()
    };
    loop {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        let spread = simplex[1..]
            .iter()
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (worst - best).abs() < options.f_tolerance || spread < options.x_tolerance {
            return Ok(finish(simplex, evaluations, true));
        }
        if evaluations >= options.max_evaluations {
            return Ok(finish(simplex, evaluations, false));
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / n as f64)
            .collect();
        let worst_x = simplex[n].0.clone();
        // Points along the line from the worst vertex through the centroid.
        let reflected = point(&centroid, &worst_x, -REFLECT);
        let fr = eval(&reflected, &mut evaluations)?;
        if fr < best {
            let expanded = point(&centroid, &worst_x, -EXPAND);
            let fe = eval(&expanded, &mut evaluations)?;
            simplex[n] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
            continue;
        }
        if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
            continue;
        }
        let (contracted, fc) = if fr < worst {
            let x = point(&centroid, &reflected, CONTRACT);
            let v = eval(&x, &mut evaluations)?;
            (x, v)
        } else {
            let x = point(&centroid, &worst_x, CONTRACT);
            let v = eval(&x, &mut evaluations)?;
            (x, v)
        };
        if fc < fr.min(worst) {
            simplex[n] = (contracted, fc);
            continue;
        }
        let best_x = simplex[0].0.clone();
        for vertex in simplex.iter_mut().skip(1) {
            let x = point(&best_x, &vertex.0, SHRINK);
            let v = eval(&x, &mut evaluations)?;
            *vertex = (x, v);
        }
    }
}

fn finish(mut simplex: Vec<(Vec<f64>, f64)>, evaluations: usize, converged: bool) -> Minimum {
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, value) = simplex.swap_remove(0);
    Minimum {
        x,
        value,
        evaluations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    #[test]
    fn finds_the_minimum_of_a_shifted_quadratic() {
        // (x − 3)² + 2(y + 1)² + 5 has its minimum 5 at (3, −1).
        let f = |x: &[f64]| -> Result<f64, Infallible> {
            Ok((x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2) + 5.0)
        };
        let m = minimise(f, &[0.0, 0.0], Options::default()).unwrap();
        assert!(m.converged);
        assert!((m.x[0] - 3.0).abs() < 1e-3, "{:?}", m.x);
        assert!((m.x[1] + 1.0).abs() < 1e-3, "{:?}", m.x);
        assert!((m.value - 5.0).abs() < 1e-6);
    }

    #[test]
    fn finds_the_rosenbrock_valley_floor() {
        // (1 − x)² + 100(y − x²)²: minimum 0 at (1, 1), from the classic start (−1.2, 1).
        let f = |x: &[f64]| -> Result<f64, Infallible> {
            Ok((1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2))
        };
        let options = Options {
            max_evaluations: 2000,
            f_tolerance: 1e-14,
            x_tolerance: 1e-9,
            ..Options::default()
        };
        let m = minimise(f, &[-1.2, 1.0], options).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-3, "{:?}", m);
        assert!((m.x[1] - 1.0).abs() < 1e-3, "{:?}", m);
    }

    #[test]
    fn the_budget_is_respected_and_errors_pass_through() {
        let f = |x: &[f64]| -> Result<f64, Infallible> { Ok(x[0].abs()) };
        let m = minimise(
            f,
            &[10.0],
            Options {
                max_evaluations: 5,
                initial_step: 1e-3,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(!m.converged);
        assert!(m.evaluations <= 5 + 2, "{}", m.evaluations);
        let failing = |_: &[f64]| -> Result<f64, &'static str> { Err("no") };
        assert_eq!(minimise(failing, &[0.0], Options::default()), Err("no"));
    }
}
