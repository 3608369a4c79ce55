//! Calibration: fit free model parameters to published targets, stage by stage in priority
//! order (MODEL.md §8.8), with a seeded, reproducible Nelder–Mead search.
//!
//! Each target is one number of one replica: the share with the event in one arm (usual-care
//! mortality) or the replica's published effect. Its loss term is the squared distance on the
//! log scale (ratios) or logit scale (proportions), in units of the published standard error:
//! `weight · ((g(simulated) − g(published)) / se)²`, with se from the published 95% interval
//! (`(g(hi) − g(lo)) / (2 · 1.96)`) or, for an arm's share, from its published count
//! (`1 / sqrt(n p (1 − p))`). A term of 3.84 puts the simulated value on the edge of a 95%
//! interval. Every evaluation runs the replicas with the same seed (common random numbers), so
//! the loss is a deterministic function of the parameters.
//!
//! Free parameters are searched on an unbounded scale, `x = lower + (upper − lower) ·
//! logistic(u)`, so every trial point lies within the parameter's `PARAM_INFO` bounds.

use std::collections::BTreeMap;

use model::params::param_info;
use protocol::validation::{CiKind, EffectMeasure};
use serde::Serialize;
use stats::dist::{normal_quantile, z_two_sided};

use crate::estimate::LEVEL;
use crate::nelder_mead::{self, Options};
use crate::replica::{self, Replica, ReplicaResult, Settings};
use crate::{Overrides, ValidationError};

/// What a target compares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The share with the event under arm `arm` (0-based), against `value` observed in `n`
    /// patients.
    ArmRisk {
        /// Arm index in the replica file.
        arm: usize,
        /// Published share.
        value: f64,
        /// Patients it was observed in.
        n: u32,
    },
    /// The replica's `[validation]` estimate and interval.
    Effect,
}

/// One calibration target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Replica file stem.
    pub replica: String,
    /// What is compared.
    pub kind: TargetKind,
    /// Weight of its loss term.
    pub weight: f64,
    /// Short description.
    pub label: String,
}

/// A stage: free parameters and the targets they are fitted to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Stage name.
    pub name: String,
    /// Names of the free parameters (`PARAM_INFO`).
    pub free: Vec<&'static str>,
    /// Targets.
    pub targets: Vec<Target>,
}

fn target(replica: &str, kind: TargetKind, label: &str) -> Target {
    Target {
        replica: replica.to_owned(),
        kind,
        weight: 1.0,
        label: label.to_owned(),
    }
}

/// The default plan, in MODEL.md §8.8 priority order: usual-care 28-day mortality by
/// respiratory support (RECOVERY dexamethasone control arms: 41.4% of 683 on invasive
/// ventilation, 26.2% of 2604 on oxygen, 14.0% of 1034 without oxygen) fitted with the death
/// hazard (`h0`, `theta_pf`); then the therapy effects (RECOVERY dexamethasone by support,
/// RECOVERY convalescent plasma, Libster) with the dexamethasone myeloid inhibition and the
/// plasma antibody partition (`imax_dex_myeloid`, `phi_lung`), the hazard held at its stage-1
/// fit.
pub fn default_plan() -> Vec<Stage> {
    let control = |replica: &str, value: f64, n: u32, label: &str| {
        target(replica, TargetKind::ArmRisk { arm: 1, value, n }, label)
    };
    vec![
        Stage {
            name: "usual-care mortality".into(),
            free: vec!["h0", "theta_pf"],
            targets: vec![
                control(
                    "recovery-dexamethasone-imv",
                    0.414,
                    683,
                    "usual care 28-day mortality, invasive ventilation",
                ),
                control(
                    "recovery-dexamethasone-oxygen",
                    0.262,
                    2604,
                    "usual care 28-day mortality, oxygen",
                ),
                control(
                    "recovery-dexamethasone-no-oxygen",
                    0.140,
                    1034,
                    "usual care 28-day mortality, no oxygen",
                ),
            ],
        },
        Stage {
            name: "therapy effects".into(),
            free: vec!["imax_dex_myeloid", "phi_lung"],
            targets: vec![
                target(
                    "recovery-dexamethasone-imv",
                    TargetKind::Effect,
                    "dexamethasone RR, invasive ventilation",
                ),
                target(
                    "recovery-dexamethasone-oxygen",
                    TargetKind::Effect,
                    "dexamethasone RR, oxygen",
                ),
                target(
                    "recovery-dexamethasone-no-oxygen",
                    TargetKind::Effect,
                    "dexamethasone RR, no oxygen",
                ),
                target(
                    "recovery-plasma",
                    TargetKind::Effect,
                    "plasma RR, hospitalised",
                ),
                target(
                    "libster-early-plasma",
                    TargetKind::Effect,
                    "plasma RR, early outpatients",
                ),
            ],
        },
    ]
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// A proportion kept off 0 and 1 so that its logit is finite (half an event in `n`).
fn clamp_share(p: f64, n: u64) -> f64 {
    let half = 0.5 / n.max(1) as f64;
    p.clamp(half, 1.0 - half)
}

/// The loss term of one target given its replica's result: (scaled distance, simulated value,
/// published value).
pub fn term(target: &Target, replica: &Replica, result: &ReplicaResult) -> (f64, f64, f64) {
    let z = z_two_sided(LEVEL);
    let n = result.patients;
    let (distance, simulated, published) = match target.kind {
        TargetKind::ArmRisk {
            arm,
            value,
            n: n_pub,
        } => {
            let sim = result.arm_risks.get(arm).copied().unwrap_or(f64::NAN);
            let se = 1.0 / (f64::from(n_pub) * value * (1.0 - value)).sqrt();
            ((logit(clamp_share(sim, n)) - logit(value)) / se, sim, value)
        }
        TargetKind::Effect => {
            let v = &replica.validation;
            let [lo, hi] = v.ci;
            let (g, sim): (fn(f64) -> f64, f64) = if v.measure.is_ratio() {
                (f64::ln, result.simulated.max(f64::MIN_POSITIVE))
            } else if v.measure == EffectMeasure::Proportion {
                (logit, clamp_share(result.simulated, n))
            } else {
                (|x| x, result.simulated)
            };
            let se = match v.ci_kind {
                CiKind::TwoSided95 => (g(hi) - g(lo)) / (2.0 * z),
                // Only an upper bound: the distance from the estimate to it is z(0.90) SEs.
                CiKind::UpperOneSided90 => (g(hi) - g(v.estimate)) / normal_quantile(0.90),
            };
            ((g(sim) - g(v.estimate)) / se, result.simulated, v.estimate)
        }
    };
    (target.weight * distance * distance, simulated, published)
}

/// One target's loss under the fitted parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLoss {
    /// Stage name.
    pub stage: String,
    /// The target.
    pub target: Target,
    /// Simulated value.
    pub simulated: f64,
    /// Published value.
    pub published: f64,
    /// Loss term (3.84 = edge of the 95% interval at weight 1).
    pub loss: f64,
}

/// A fitted stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFit {
    /// Stage name.
    pub name: String,
    /// Fitted values of the free parameters.
    pub fitted: BTreeMap<String, f64>,
    /// Loss at the start and at the fit.
    pub loss_start: f64,
    /// Loss at the fit.
    pub loss: f64,
    /// Function evaluations.
    pub evaluations: usize,
    /// Whether the simplex met its tolerance.
    pub converged: bool,
}

/// The whole fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Patients per replica.
    pub patients: u32,
    /// Seed.
    pub seed: Option<u64>,
    /// Starting overrides (from `--set`).
    pub start: Vec<String>,
    /// Stages, in order.
    pub stages: Vec<StageFit>,
    /// Every fitted parameter (all stages).
    pub parameters: BTreeMap<String, f64>,
    /// Loss per target with the fitted parameters, before and after.
    pub targets: Vec<TargetLoss>,
    /// Loss per target with the starting parameters.
    pub targets_start: Vec<TargetLoss>,
}

/// Settings of a calibration.
#[derive(Debug, Clone)]
pub struct CalibrationSettings {
    /// Patients per replica per evaluation.
    pub patients: u32,
    /// Seed (`None`: each replica's own).
    pub seed: Option<u64>,
    /// Fixed overrides the fit starts from.
    pub start: Overrides,
    /// Most loss evaluations per stage.
    pub max_evaluations: usize,
}

fn to_unbounded(name: &str, value: f64) -> f64 {
    let info = param_info(name).expect("plan names PARAM_INFO parameters");
    let t = ((value - info.lower) / (info.upper - info.lower)).clamp(1e-6, 1.0 - 1e-6);
    logit(t)
}

fn to_bounded(name: &str, u: f64) -> f64 {
    let info = param_info(name).expect("plan names PARAM_INFO parameters");
    info.lower + (info.upper - info.lower) / (1.0 + (-u).exp())
}

fn current(overrides: &Overrides, name: &str) -> f64 {
    overrides
        .values
        .iter()
        .rev()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| param_info(name).map_or(f64::NAN, |i| i.default))
}

fn find<'a>(replicas: &'a [Replica], name: &str) -> Result<&'a Replica, ValidationError> {
    replicas
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| ValidationError::MissingReplica(name.to_owned()))
}

/// Loss terms of `targets` under `overrides`; `progress` is told after each evaluation.
fn evaluate(
    replicas: &[Replica],
    stage: &Stage,
    settings: &CalibrationSettings,
    overrides: &Overrides,
) -> Result<Vec<TargetLoss>, ValidationError> {
    let mut results: BTreeMap<&str, ReplicaResult> = BTreeMap::new();
    let mut out = Vec::new();
    for t in &stage.targets {
        let r = find(replicas, &t.replica)?;
        if !results.contains_key(r.name.as_str()) {
            let s = Settings {
                patients: Some(settings.patients),
                seed: settings.seed,
                overrides: overrides.clone(),
            };
            results.insert(r.name.as_str(), replica::run(r, &s)?);
        }
        let (loss, simulated, published) = term(t, r, &results[r.name.as_str()]);
        out.push(TargetLoss {
            stage: stage.name.clone(),
            target: t.clone(),
            simulated,
            published,
            loss,
        });
    }
    Ok(out)
}

/// Fits `plan` stage by stage; `progress(stage, evaluation, loss)` is called after every loss
/// evaluation.
pub fn calibrate(
    replicas: &[Replica],
    plan: &[Stage],
    settings: &CalibrationSettings,
    progress: &mut dyn FnMut(&str, usize, f64),
) -> Result<Fit, ValidationError> {
    let mut overrides = settings.start.clone();
    let mut stages = Vec::new();
    let mut targets_start = Vec::new();
    for stage in plan {
        targets_start.extend(evaluate(replicas, stage, settings, &settings.start)?);
    }
    for stage in plan {
        let start: Vec<f64> = stage
            .free
            .iter()
            .map(|&name| to_unbounded(name, current(&overrides, name)))
            .collect();
        let with = |u: &[f64]| -> Result<Overrides, ValidationError> {
            let mut o = overrides.clone();
            for (&name, &ui) in stage.free.iter().zip(u) {
                o.push(name, to_bounded(name, ui))?;
            }
            Ok(o)
        };
        let mut count = 0;
        let mut loss = |u: &[f64]| -> Result<f64, ValidationError> {
            let terms = evaluate(replicas, stage, settings, &with(u)?)?;
            let total = terms.iter().map(|t| t.loss).sum();
            count += 1;
            progress(&stage.name, count, total);
            Ok(total)
        };
        let loss_start = loss(&start)?;
        let options = Options {
            max_evaluations: settings.max_evaluations,
            // A loss change of 0.01 (in squared standard errors) is far below simulation noise.
            f_tolerance: 1e-2,
            x_tolerance: 1e-3,
            initial_step: 0.5,
        };
        let m = nelder_mead::minimise(&mut loss, &start, options)?;
        overrides = with(&m.x)?;
        stages.push(StageFit {
            name: stage.name.clone(),
            fitted: stage
                .free
                .iter()
                .map(|&n| (n.to_owned(), current(&overrides, n)))
                .collect(),
            loss_start,
            loss: m.value,
            evaluations: m.evaluations + 1,
            converged: m.converged,
        });
    }
    let mut targets = Vec::new();
    for stage in plan {
        targets.extend(evaluate(replicas, stage, settings, &overrides)?);
    }
    let parameters = stages
        .iter()
        .flat_map(|s| s.fitted.iter().map(|(k, v)| (k.clone(), *v)))
        .collect();
    Ok(Fit {
        patients: settings.patients,
        seed: settings.seed,
        start: settings.start.texts(),
        stages,
        parameters,
        targets,
        targets_start,
    })
}

/// The fitted set as TOML: `[parameters]` (name = value), then the loss per target as
/// comments, ready for `--set` or for the defaults in `crates/model/src/params.rs`.
pub fn fit_toml(fit: &Fit) -> String {
    let mut s = format!(
        "# immunotrial calibrate: {} patients per replica, seed {}\n",
        fit.patients,
        fit.seed.map_or("of each replica".into(), |s| s.to_string())
    );
    if !fit.start.is_empty() {
        s.push_str(&format!("# started from: {}\n", fit.start.join(" ")));
    }
    for stage in &fit.stages {
        s.push_str(&format!(
            "# stage \"{}\": loss {:.3} -> {:.3} in {} evaluations{}\n",
            stage.name,
            stage.loss_start,
            stage.loss,
            stage.evaluations,
            if stage.converged {
                ""
            } else {
                " (budget reached)"
            }
        ));
    }
    s.push_str("\n[parameters]\n");
    for (name, value) in &fit.parameters {
        s.push_str(&format!("{name} = {value}\n"));
    }
    s.push_str("\n# loss per target (3.84 = edge of the published 95% interval)\n");
    s.push_str(
        "# target | published | simulated before | loss before | simulated after | loss after\n",
    );
    for (after, before) in fit.targets.iter().zip(&fit.targets_start) {
        s.push_str(&format!(
            "# {} | {:.3} | {:.3} | {:.2} | {:.3} | {:.2}\n",
            after.target.label,
            after.published,
            before.simulated,
            before.loss,
            after.simulated,
            after.loss
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounded_scale_round_trips_and_stays_inside() {
        for (name, value) in [("h0", 0.002), ("theta_pf", 0.9), ("phi_lung", 0.1)] {
            let back = to_bounded(name, to_unbounded(name, value));
            assert!((back - value).abs() < 1e-9, "{name}: {back}");
        }
        let info = param_info("imax_dex_myeloid").unwrap();
        for u in [-50.0, 0.0, 50.0] {
            let x = to_bounded("imax_dex_myeloid", u);
            assert!((info.lower..=info.upper).contains(&x));
        }
    }

    #[test]
    fn default_plan_names_known_parameters() {
        for stage in default_plan() {
            for name in &stage.free {
                assert!(param_info(name).is_some(), "{name}");
            }
        }
    }
}
