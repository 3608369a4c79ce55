//! Timing of the analyses a trial engine runs: Cox on 100,000 patients with 3 covariates, and
//! the full survival + binary analysis of 1,000 replicate trials.
//!
//! `cargo bench -p stats --bench analyses` prints the median of several runs. Targets (issue 6):
//! Cox on 100k rows well under 1 s (R's coxph takes about 0.8 s); 1,000 replicate analyses in
//! seconds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::RngExt;
use stats::binary;
use stats::dist::normal_quantile;
use stats::survival::{Ties, cox, kaplan_meier, logrank, rmst_difference};
use streams::{Purpose, stream};

/// One simulated trial: exponential survival with hazard ratio 0.75 for the experimental arm,
/// age and severity covariates, uniform censoring, times rounded up to whole days (ties).
struct Trial {
    time: Vec<f64>,
    event: Vec<bool>,
    arm: Vec<f64>,
    age: Vec<f64>,
    severity: Vec<f64>,
}

/// Baseline hazard per day (median about 35 days) — an illustrative value, not a model output.
const BASELINE_HAZARD: f64 = 0.02;
/// Administrative censoring horizon in days.
const FOLLOW_UP_DAYS: f64 = 60.0;

fn simulate(seed: u64, replicate: u64, n: usize) -> Trial {
    let mut rng = stream(seed, Purpose::Replicate, replicate);
    let mut t = Trial {
        time: vec![],
        event: vec![],
        arm: vec![],
        age: vec![],
        severity: vec![],
    };
    for _ in 0..n {
        let arm = if rng.random::<f64>() < 0.5 { 1.0 } else { 0.0 };
        let age = 40.0 + 40.0 * rng.random::<f64>();
        let severity = normal_quantile(rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12));
        let lp = (0.75f64).ln() * arm + 0.03 * (age - 60.0) + 0.5 * severity;
        let event_time = -rng.random::<f64>().max(1e-300).ln() / (BASELINE_HAZARD * lp.exp());
        let censor_time = FOLLOW_UP_DAYS * rng.random::<f64>().max(0.05);
        let (time, event) = if event_time <= censor_time {
            (event_time, true)
        } else {
            (censor_time, false)
        };
        t.time.push(time.ceil());
        t.event.push(event);
        t.arm.push(arm);
        t.age.push(age);
        t.severity.push(severity);
    }
    t
}

fn median_time(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let big = simulate(20_261_122, 0, 100_000);
    let mut runs = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let fit = cox::fit(
            &big.time,
            &big.event,
            &[&big.arm, &big.age, &big.severity],
            Ties::Efron,
        )
        .expect("fit");
        runs.push(start.elapsed());
        black_box(fit);
    }
    let fit = cox::fit(
        &big.time,
        &big.event,
        &[&big.arm, &big.age, &big.severity],
        Ties::Efron,
    )
    .expect("fit");
    println!(
        "cox efron, 100000 rows x 3 covariates ({} events, {} iterations): median {:.1} ms over {} runs; HR arm = {:.4}",
        fit.events,
        fit.iterations,
        median_time(runs.clone()).as_secs_f64() * 1e3,
        runs.len(),
        fit.terms[0].hr
    );

    let trials: Vec<Trial> = (0..1000).map(|r| simulate(7, r, 400)).collect();
    let mut runs = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        for t in &trials {
            let group: Vec<u32> = t.arm.iter().map(|&a| a as u32).collect();
            let in_a: Vec<bool> = t.arm.iter().map(|&a| a == 1.0).collect();
            for want in [true, false] {
                let (tt, ee): (Vec<f64>, Vec<bool>) = (0..t.time.len())
                    .filter(|&i| in_a[i] == want)
                    .map(|i| (t.time[i], t.event[i]))
                    .unzip();
                black_box(kaplan_meier(&tt, &ee).expect("km").median());
            }
            black_box(logrank(&t.time, &t.event, &group, None).expect("logrank"));
            black_box(cox::fit(&t.time, &t.event, &[&t.arm], Ties::Efron).expect("cox"));
            black_box(rmst_difference(&t.time, &t.event, &in_a, 28.0, 0.95).expect("rmst"));
            let dead28 = |arm: bool| {
                (0..t.time.len())
                    .filter(|&i| in_a[i] == arm && t.event[i] && t.time[i] <= 28.0)
                    .count() as u64
            };
            let n_arm = |arm: bool| in_a.iter().filter(|&&a| a == arm).count() as u64;
            black_box(
                binary::compare(dead28(true), n_arm(true), dead28(false), n_arm(false))
                    .expect("binary"),
            );
        }
        runs.push(start.elapsed());
    }
    println!(
        "1000 replicate trials x 400 patients (KM x2 + median, log-rank, Cox, RMST difference, binary): median {:.3} s over {} runs",
        median_time(runs.clone()).as_secs_f64(),
        runs.len()
    );
}
