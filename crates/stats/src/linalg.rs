//! Dense symmetric positive-definite solves for the small (p × p, p ≲ 20) information matrices
//! of Cox, proportional-odds and ANCOVA fits.
//!
//! Written here rather than pulling `nalgebra`: a Cholesky factorisation is thirty lines, the
//! matrices are tiny, and row-major `Vec<f64>` keeps the fitting code free of a second type system.

/// A square matrix stored row-major.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SquareMatrix {
    /// Number of rows (= columns).
    pub n: usize,
    /// Entries, row-major: `data[i * n + j]`.
    pub data: Vec<f64>,
}

impl SquareMatrix {
    /// The n × n zero matrix.
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            data: vec![0.0; n * n],
        }
    }
    /// Entry (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }
    /// Mutable entry (i, j).
    pub fn at(&mut self, i: usize, j: usize) -> &mut f64 {
        &mut self.data[i * self.n + j]
    }
}

/// Lower-triangular Cholesky factor L with A = L Lᵀ, or `None` if A is not (numerically)
/// positive definite. Pivots below `tol` × the largest diagonal entry count as singular.
pub fn cholesky(a: &SquareMatrix) -> Option<SquareMatrix> {
    let n = a.n;
    let max_diag = (0..n).map(|i| a.get(i, i).abs()).fold(0.0_f64, f64::max);
    let tol = 1e-12 * max_diag.max(f64::MIN_POSITIVE);
    let mut l = SquareMatrix::zeros(n);
    for j in 0..n {
        let mut d = a.get(j, j);
        for k in 0..j {
            d -= l.get(j, k) * l.get(j, k);
        }
        if d <= tol || !d.is_finite() {
            return None;
        }
        let djj = d.sqrt();
        *l.at(j, j) = djj;
        for i in (j + 1)..n {
            let mut s = a.get(i, j);
            for k in 0..j {
                s -= l.get(i, k) * l.get(j, k);
            }
            *l.at(i, j) = s / djj;
        }
    }
    Some(l)
}

/// Solve A x = b given the Cholesky factor L of A.
pub fn cholesky_solve(l: &SquareMatrix, b: &[f64]) -> Vec<f64> {
    let n = l.n;
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l.get(i, k) * y[k];
        }
        y[i] /= l.get(i, i);
    }
    for i in (0..n).rev() {
        for k in (i + 1)..n {
            y[i] -= l.get(k, i) * y[k];
        }
        y[i] /= l.get(i, i);
    }
    y
}

/// Inverse of A given its Cholesky factor L.
pub fn cholesky_inverse(l: &SquareMatrix) -> SquareMatrix {
    let n = l.n;
    let mut inv = SquareMatrix::zeros(n);
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let col = cholesky_solve(l, &e);
        for (i, v) in col.into_iter().enumerate() {
            *inv.at(i, j) = v;
        }
    }
    inv
}

/// Quadratic form xᵀ A⁻¹ x, given the Cholesky factor of A.
pub fn inverse_quadratic_form(l: &SquareMatrix, x: &[f64]) -> f64 {
    let sol = cholesky_solve(l, x);
    x.iter().zip(&sol).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system() {
        // A = [[4, 2], [2, 3]], b = [2, 1] → x = [0.5, 0] (by hand: 4·0.5 + 2·0 = 2, 2·0.5 + 0 = 1).
        let a = SquareMatrix {
            n: 2,
            data: vec![4.0, 2.0, 2.0, 3.0],
        };
        let l = cholesky(&a).expect("positive definite");
        let x = cholesky_solve(&l, &[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
        let inv = cholesky_inverse(&l);
        // det = 8; inverse = [[3, -2], [-2, 4]] / 8.
        assert!((inv.get(0, 0) - 3.0 / 8.0).abs() < 1e-15);
        assert!((inv.get(0, 1) + 2.0 / 8.0).abs() < 1e-15);
    }

    #[test]
    fn rejects_a_singular_matrix() {
        let a = SquareMatrix {
            n: 2,
            data: vec![1.0, 1.0, 1.0, 1.0],
        };
        assert!(cholesky(&a).is_none());
    }
}
