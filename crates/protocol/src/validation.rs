//! `[validation]`: the published result that a replica protocol reproduces in silico.
//!
//! A replica protocol describes a published study (population, timing, dose, control,
//! endpoint); its `[validation]` table holds the published estimate with its confidence interval,
//! the effect measure, which simulated estimate to compare (`twin` or `randomized`), the
//! endpoint compared and the citation. Comparisons read the arms in file order: a ratio or a
//! difference is the first arm against the second; a `proportion` is the share of the first arm
//! (the only arm of a single-group study).
//!
//! ```
//! let text = r#"
//! estimate = 0.52
//! ci = [0.29, 0.94]
//! measure = "risk_ratio"
//! endpoint = "severe_d15"
//! source = "Libster R, et al. N Engl J Med 2021;384:610"
//! "#;
//! let v: protocol::validation::Validation = toml::from_str(text).unwrap();
//! assert_eq!(v.ci_kind, protocol::validation::CiKind::TwoSided95);
//! assert_eq!(v.effect, protocol::validation::EffectSource::Twin);
//! ```

use serde::{Deserialize, Serialize};

use crate::diagnostics::FieldPath;
use crate::schema::{EndpointKind, ProtocolFile};

/// `[validation]` as written (and, once validated, as kept in [`crate::Protocol`]).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Published point estimate (a ratio, a difference or a proportion, as a fraction).
    pub estimate: f64,
    /// Published confidence interval `[lo, hi]`; for `upper_one_sided_90` only `hi` is a bound
    /// (write the smallest possible value, e.g. 0, as `lo`).
    pub ci: [f64; 2],
    /// Effect measure.
    pub measure: EffectMeasure,
    /// What kind of interval `ci` is.
    #[serde(default)]
    pub ci_kind: CiKind,
    /// Which simulated estimate to compare.
    #[serde(default)]
    pub effect: EffectSource,
    /// Name of the `[[endpoint]]` compared (a binary endpoint).
    pub endpoint: String,
    /// Citation of the published result.
    pub source: String,
}

/// Effect measure of a published result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectMeasure {
    /// Risk (or rate) ratio, first arm over second.
    RiskRatio,
    /// Odds ratio, first arm over second.
    OddsRatio,
    /// Risk difference, first arm minus second.
    RiskDifference,
    /// Share with the event in the first arm.
    Proportion,
}

impl EffectMeasure {
    /// Whether the measure compares two arms.
    pub fn compares_arms(self) -> bool {
        !matches!(self, EffectMeasure::Proportion)
    }

    /// Whether the measure is a ratio (positive, compared on the log scale).
    pub fn is_ratio(self) -> bool {
        matches!(self, EffectMeasure::RiskRatio | EffectMeasure::OddsRatio)
    }

    /// The file spelling (`"risk_ratio"`, …).
    pub fn name(self) -> &'static str {
        match self {
            EffectMeasure::RiskRatio => "risk_ratio",
            EffectMeasure::OddsRatio => "odds_ratio",
            EffectMeasure::RiskDifference => "risk_difference",
            EffectMeasure::Proportion => "proportion",
        }
    }
}

/// Kind of published interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CiKind {
    /// Two-sided 95% interval.
    #[default]
    #[serde(rename = "two_sided_95")]
    TwoSided95,
    /// Upper bound of a one-sided 90% interval (Perotti 2020 reports only this).
    #[serde(rename = "upper_one_sided_90")]
    UpperOneSided90,
}

impl CiKind {
    /// Whether `value` lies inside the published interval `ci`.
    pub fn contains(self, ci: [f64; 2], value: f64) -> bool {
        match self {
            CiKind::TwoSided95 => ci[0] <= value && value <= ci[1],
            CiKind::UpperOneSided90 => value <= ci[1],
        }
    }
}

/// Which simulated estimate a published result is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectSource {
    /// The counterfactual (true) effect: every patient simulated under both arms.
    #[default]
    Twin,
    /// The randomized comparison: each patient in the arm allocated.
    Randomized,
}

/// A problem with a `[validation]` table: where, what, what was expected, a hint.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub path: FieldPath,
    pub message: String,
    pub expected: String,
    pub hint: Option<String>,
}

/// The range a measure's values live in, as (lowest, highest, words).
fn range(measure: EffectMeasure) -> (f64, f64, &'static str) {
    match measure {
        EffectMeasure::RiskRatio | EffectMeasure::OddsRatio => {
            (f64::MIN_POSITIVE, f64::INFINITY, "a positive ratio")
        }
        EffectMeasure::RiskDifference => (-1.0, 1.0, "a difference of proportions in [-1, 1]"),
        EffectMeasure::Proportion => (0.0, 1.0, "a proportion in [0, 1] (6.5% is 0.065)"),
    }
}

/// The cross-field rules of `[validation]` against the rest of the file.
pub(crate) fn problems(v: &Validation, f: &ProtocolFile) -> Vec<Problem> {
    let at = |key: &str| FieldPath::parse("validation").key(key);
    let mut out = Vec::new();
    let mut push = |path: FieldPath, message: String, expected: String, hint: Option<String>| {
        out.push(Problem {
            path,
            message,
            expected,
            hint,
        })
    };
    let (lo, hi, words) = range(v.measure);
    let fits = |x: f64| x.is_finite() && lo <= x && x <= hi;
    if !fits(v.estimate) {
        push(
            at("estimate"),
            format!("{} is not a valid {}", v.estimate, v.measure.name()),
            words.into(),
            None,
        );
    }
    let [ci_lo, ci_hi] = v.ci;
    let one_sided = v.ci_kind == CiKind::UpperOneSided90;
    let lo_ok = fits(ci_lo) || (one_sided && ci_lo == 0.0);
    if !lo_ok || !fits(ci_hi) {
        push(
            at("ci"),
            format!("[{ci_lo}, {ci_hi}] is not an interval of {}", words),
            format!("two values, each {words}"),
            None,
        );
    } else if ci_lo > ci_hi {
        push(
            at("ci"),
            format!("the interval [{ci_lo}, {ci_hi}] runs backwards"),
            "[lower, upper] with lower <= upper".into(),
            None,
        );
    } else if fits(v.estimate) && !v.ci_kind.contains(v.ci, v.estimate) {
        let hint = (v.measure == EffectMeasure::Proportion && v.estimate > 1.0)
            .then(|| "proportions are fractions: 6.5% is 0.065".to_string());
        push(
            at("ci"),
            format!(
                "the interval [{ci_lo}, {ci_hi}] does not contain the estimate {}",
                v.estimate
            ),
            "an interval around the estimate".into(),
            hint.or_else(|| Some("check the order of estimate and bounds".into())),
        );
    }
    match f.endpoint.iter().find(|e| e.name == v.endpoint) {
        None => {
            let names: Vec<&str> = f.endpoint.iter().map(|e| e.name.as_str()).collect();
            push(
                at("endpoint"),
                format!("no [[endpoint]] is called `{}`", v.endpoint),
                "the name of a binary [[endpoint]] of this file".into(),
                crate::did_you_mean(&v.endpoint, &names),
            );
        }
        Some(e) if e.kind != EndpointKind::Binary => push(
            at("endpoint"),
            format!(
                "endpoint `{}` is {}, and a {} needs a binary endpoint",
                v.endpoint,
                crate::validate::kind_name(e.kind),
                v.measure.name()
            ),
            "the name of a binary [[endpoint]]".into(),
            None,
        ),
        Some(_) => {}
    }
    if v.measure.compares_arms() && f.arm.len() < 2 {
        push(
            at("measure"),
            format!(
                "a {} compares two arms, and the file has {}",
                v.measure.name(),
                f.arm.len()
            ),
            "\"proportion\" for a single-group study, or a second [[arm]]".into(),
            None,
        );
    }
    if v.source.trim().is_empty() {
        push(
            at("source"),
            "empty citation".into(),
            "the publication the numbers come from".into(),
            None,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-arm protocol with a `[validation]` table written after `[simulation]`.
    fn protocol_with(validation: &str) -> String {
        format!(
            r#"[study]
id = "REPLICA"
brief_title = "replica"
allocation = "RANDOMIZED"
intervention_model = "PARALLEL"

[[arm]]
label = "Plasma"
type = "EXPERIMENTAL"
regimens = []

[[arm]]
label = "Placebo"
type = "PLACEBO_COMPARATOR"
regimens = []

[[endpoint]]
name = "death_d28"
kind = "binary"
measure = "death"
day = 28
primary = true

[simulation]
seed = 1
population = "hospitalized_severe"
patients = 10
follow_up_days = 28

[validation]
{validation}"#
        )
    }

    fn diagnostics(validation: &str) -> Vec<crate::Diagnostic> {
        match crate::parse_protocol("replica.toml", &protocol_with(validation)) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics,
        }
    }

    const GOOD: &str = r#"estimate = 1.00
ci = [0.93, 1.07]
measure = "risk_ratio"
endpoint = "death_d28"
source = "RECOVERY Collaborative Group. Lancet 2021;397:2049"
"#;

    #[test]
    fn a_valid_table_is_kept_with_its_defaults() {
        let p = crate::parse_protocol("replica.toml", &protocol_with(GOOD)).unwrap();
        let v = p.validation.unwrap();
        assert_eq!(v.ci, [0.93, 1.07]);
        assert_eq!(v.measure, EffectMeasure::RiskRatio);
        assert_eq!(v.ci_kind, CiKind::TwoSided95);
        assert_eq!(v.effect, EffectSource::Twin);
    }

    #[test]
    fn an_interval_that_misses_the_estimate_is_located_at_ci() {
        let d = diagnostics(&GOOD.replace("[0.93, 1.07]", "[0.75, 0.93]"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "validation.ci");
        // `ci` is the second line of the table, which starts on line 31.
        assert_eq!(d[0].line, 32);
        assert!(d[0].message.contains("does not contain the estimate 1"));
    }

    #[test]
    fn a_percentage_for_a_proportion_is_refused_with_a_hint() {
        let d = diagnostics(
            r#"estimate = 6.5
ci = [0, 13.9]
measure = "proportion"
ci_kind = "upper_one_sided_90"
endpoint = "death_d28"
source = "Perotti 2020"
"#,
        );
        let paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["validation.estimate", "validation.ci"], "{d:?}");
        assert!(d[0].expected.as_deref().unwrap().contains("6.5% is 0.065"));
    }

    #[test]
    fn an_unknown_measure_is_refused_with_the_list() {
        let d = diagnostics(&GOOD.replace("risk_ratio", "hazard_ratio"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "validation.measure");
        let expected = d[0].expected.as_deref().unwrap_or_default();
        assert!(expected.contains("`risk_difference`"), "{expected}");
    }

    #[test]
    fn the_endpoint_must_exist_and_be_binary() {
        let d = diagnostics(&GOOD.replace("\"death_d28\"", "\"death_28\""));
        assert_eq!(d[0].path, "validation.endpoint");
        assert_eq!(d[0].hint.as_deref(), Some("did you mean `death_d28`?"));
    }

    #[test]
    fn a_ratio_needs_two_arms() {
        let text = protocol_with(GOOD).replacen(
            "[[arm]]\nlabel = \"Placebo\"\ntype = \"PLACEBO_COMPARATOR\"\nregimens = []\n",
            "",
            1,
        );
        let text = text
            .replace("RANDOMIZED", "NA")
            .replace("PARALLEL", "SINGLE_GROUP");
        let e = crate::parse_protocol("replica.toml", &text).unwrap_err();
        let paths: Vec<&str> = e.diagnostics.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["validation.measure"], "{:?}", e.diagnostics);
    }

    #[test]
    fn one_sided_interval_checks_only_the_upper_bound() {
        assert!(CiKind::UpperOneSided90.contains([0.0, 0.139], 0.01));
        assert!(!CiKind::UpperOneSided90.contains([0.0, 0.139], 0.14));
        assert!(CiKind::TwoSided95.contains([0.93, 1.07], 1.0));
        assert!(!CiKind::TwoSided95.contains([0.93, 1.07], 0.92));
    }
}
