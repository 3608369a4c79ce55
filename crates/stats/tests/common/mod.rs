//! Helpers shared by the fixture tests: load a JSON fixture, compare within a relative tolerance.
#![allow(dead_code)]

use serde_json::Value;

/// Relative agreement required for deterministic quantities (issue 6: 1e-6).
pub const REL_TOL: f64 = 1e-6;

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

pub fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

pub fn vec_f(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(f).collect(),
        other => vec![f(other)],
    }
}

pub fn vec_opt(v: &Value) -> Vec<Option<f64>> {
    match v {
        Value::Array(a) => a.iter().map(opt).collect(),
        other => vec![opt(other)],
    }
}

pub fn vec_bool(v: &Value) -> Vec<bool> {
    vec_f(v).into_iter().map(|x| x == 1.0).collect()
}

pub fn vec_u32(v: &Value) -> Vec<u32> {
    vec_f(v).into_iter().map(|x| x as u32).collect()
}

/// |a − b| ≤ tol · max(|b|, tiny), with a readable failure message.
pub fn close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = want.abs().max(1e-12);
    assert!(
        (got - want).abs() <= tol * scale
            || (got.is_infinite() && want.is_infinite() && got == want),
        "{what}: got {got}, R gives {want} (relative error {:.2e})",
        (got - want).abs() / scale
    );
}

pub fn close_opt(what: &str, got: Option<f64>, want: Option<f64>, tol: f64) {
    match (got, want) {
        (Some(g), Some(w)) => close(what, g, w, tol),
        (None, None) => {}
        _ => panic!("{what}: got {got:?}, R gives {want:?}"),
    }
}
