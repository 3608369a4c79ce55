use super::*;

const N: u64 = 20_000;
const SEED: u64 = 2020;

fn cohort(spec: &PopulationSpec) -> Vec<Covariates> {
    (0..N).map(|id| spec.sample(SEED, id)).collect()
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Mean and SD of a truncated normal by Simpson's rule on its density (independent of the
/// sampler): ∫x f / ∫f and ∫x² f / ∫f over [min, max].
fn truncated_normal_moments(d: &TruncatedNormal) -> (f64, f64) {
    let steps = 20_000;
    let h = (d.max - d.min) / steps as f64;
    let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for i in 0..=steps {
        let x = d.min + h * i as f64;
        let w = if i == 0 || i == steps {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let f = (-0.5 * ((x - d.mean) / d.sd).powi(2)).exp();
        m0 += w * f;
        m1 += w * f * x;
        m2 += w * f * x * x;
    }
    let mean = m1 / m0;
    (mean, (m2 / m0 - mean * mean).sqrt())
}

/// Sample quantile (nearest rank).
fn quantile(x: &[f64], p: f64) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v[((p * v.len() as f64).ceil() as usize).saturating_sub(1)]
}

#[test]
fn age_mean_and_sd_match_the_truncated_normal() {
    for spec in all() {
        let ages: Vec<f64> = cohort(&spec).iter().map(|c| c.age_years).collect();
        let (mean, sd) = mean_sd(&ages);
        let (expected_mean, expected_sd) = truncated_normal_moments(&spec.age_years.value);
        // 4 standard errors: SE(mean) = sd/√n, SE(sd) ≈ sd/√(2n).
        let n = N as f64;
        assert!(
            (mean - expected_mean).abs() < 4.0 * expected_sd / n.sqrt(),
            "{}: mean {mean} vs {expected_mean}",
            spec.name
        );
        assert!(
            (sd - expected_sd).abs() < 4.0 * expected_sd / (2.0 * n).sqrt(),
            "{}: sd {sd} vs {expected_sd}",
            spec.name
        );
        assert!(
            ages.iter()
                .all(|&a| (MIN_AGE_YEARS..=MAX_AGE_YEARS).contains(&a))
        );
    }
}

#[test]
fn the_integration_matches_the_closed_form_truncated_normal_moments() {
    // Closed form for N(66.1, 15.7²) truncated to [18, 100], with a = −3.064, b = 2.159:
    // mean = μ + σ(φ(a) − φ(b))/(Φ(b) − Φ(a)),
    // var = σ²[1 + (aφ(a) − bφ(b))/Z − ((φ(a) − φ(b))/Z)²], evaluated with Python's math.erf:
    // mean 65.539405, SD 14.912712.
    let (mean, sd) = truncated_normal_moments(&hospitalized_severe_2020().age_years.value);
    assert!((mean - 65.539_405).abs() < 1e-5, "{mean}");
    assert!((sd - 14.912_712).abs() < 1e-5, "{sd}");
}

#[test]
fn sex_fraction_matches_within_binomial_error() {
    for spec in all() {
        let males = cohort(&spec).iter().filter(|c| c.sex == Sex::Male).count() as f64;
        let p = spec.male_fraction.value;
        let se = (p * (1.0 - p) / N as f64).sqrt();
        assert!((males / N as f64 - p).abs() < 4.0 * se, "{}", spec.name);
    }
}

#[test]
fn incubation_matches_lauer_2020() {
    let incubation: Vec<f64> = cohort(&hospitalized_severe_2020())
        .iter()
        .map(|c| c.incubation_days)
        .collect();
    let logs: Vec<f64> = incubation.iter().map(|x| x.ln()).collect();
    let (mu, sigma) = mean_sd(&logs);
    let n = N as f64;
    assert!((mu - 1.621).abs() < 4.0 * 0.418 / n.sqrt(), "meanlog {mu}");
    assert!(
        (sigma - 0.418).abs() < 4.0 * 0.418 / (2.0 * n).sqrt(),
        "sdlog {sigma}"
    );
    // Published summaries (Lauer 2020): median 5.1 d, 97.5th percentile 11.5 d.
    assert!((quantile(&incubation, 0.5) - 5.1).abs() < 0.1);
    assert!((quantile(&incubation, 0.975) - 11.5).abs() < 0.5);
}

#[test]
fn onset_to_admission_has_median_8_and_iqr_6_to_11() {
    let days: Vec<f64> = cohort(&hospitalized_severe_2020())
        .iter()
        .map(|c| c.onset_to_presentation_days)
        .collect();
    // Sampling error of a quartile here is about 0.05 d; the log-normal reproduces an IQR
    // given as whole days only approximately (8·e^{±0.303} = 5.9, 10.8).
    assert!((quantile(&days, 0.5) - 8.0).abs() < 0.2);
    assert!((quantile(&days, 0.25) - 6.0).abs() < 0.3);
    assert!((quantile(&days, 0.75) - 11.0).abs() < 0.4);
}

#[test]
fn abo_frequencies_pass_a_chi_square_test() {
    let spec = hospitalized_severe_2020();
    let mut counts = [0f64; 4];
    for c in cohort(&spec) {
        counts[AboGroup::ALL.iter().position(|&g| g == c.abo).unwrap()] += 1.0;
    }
    let chi2: f64 = counts
        .iter()
        .zip(spec.abo_frequencies.value)
        .map(|(&o, p)| {
            let e = p * N as f64;
            (o - e).powi(2) / e
        })
        .sum();
    // χ²(3 df) 0.999 quantile = 16.27 (standard tables).
    assert!(chi2 < 16.27, "chi-square {chi2}");
}

#[test]
fn comorbidities_follow_their_age_band_prevalence() {
    let spec = hospitalized_severe_2020();
    let patients = cohort(&spec);
    type Check<'a> = (&'a str, &'a Sourced<Prevalence>, fn(&Covariates) -> bool);
    let checks: [Check; 8] = [
        ("hypertension", &spec.hypertension, |c| c.hypertension),
        ("diabetes", &spec.diabetes, |c| c.diabetes),
        ("obesity", &spec.obesity, |c| c.obesity),
        ("chronic lung disease", &spec.chronic_lung_disease, |c| {
            c.chronic_lung_disease
        }),
        ("immunosuppression", &spec.immunosuppression, |c| {
            c.immunosuppression
        }),
        (
            "cardiovascular disease",
            &spec.cardiovascular_disease,
            |c| c.cardiovascular_disease,
        ),
        (
            "chronic kidney disease",
            &spec.chronic_kidney_disease,
            |c| c.chronic_kidney_disease,
        ),
        (
            "blood-product hypersensitivity",
            &spec.blood_product_hypersensitivity,
            |c| c.blood_product_hypersensitivity,
        ),
    ];
    for (name, prevalence, has) in checks {
        for older in [false, true] {
            let band: Vec<&Covariates> = patients
                .iter()
                .filter(|c| (c.age_years >= OLDER_BAND_FROM_YEARS) == older)
                .collect();
            let p = if older {
                prevalence.value.from_65
            } else {
                prevalence.value.under_65
            };
            let n = band.len() as f64;
            let observed = band.iter().filter(|c| has(c)).count() as f64 / n;
            assert!(
                (observed - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt(),
                "{name}, older {older}: {observed} vs {p}"
            );
        }
    }
}

#[test]
fn body_size_is_consistent_with_sex_and_the_obesity_flag() {
    let spec = hospitalized_severe_2020();
    let patients = cohort(&spec);
    for c in &patients {
        assert_eq!(c.bmi_kg_m2 >= OBESITY_BMI, c.obesity, "{c:?}");
        assert!((c.weight_kg - c.bmi_kg_m2 * c.height_m * c.height_m).abs() < 1e-9);
    }
    for (sex, d) in [
        (Sex::Male, spec.body.height_m_male.value),
        (Sex::Female, spec.body.height_m_female.value),
    ] {
        let heights: Vec<f64> = patients
            .iter()
            .filter(|c| c.sex == sex)
            .map(|c| c.height_m)
            .collect();
        let (mean, _) = mean_sd(&heights);
        let (expected, sd) = truncated_normal_moments(&d);
        assert!(
            (mean - expected).abs() < 4.0 * sd / (heights.len() as f64).sqrt(),
            "{sex:?}: {mean} vs {expected}"
        );
    }
}

#[test]
fn only_women_under_50_are_pregnant() {
    let spec = outpatient_early();
    let patients = cohort(&spec);
    assert!(
        patients
            .iter()
            .filter(|c| c.pregnant)
            .all(|c| c.sex == Sex::Female && c.age_years < PREGNANCY_MAX_AGE_YEARS)
    );
    let eligible: Vec<&Covariates> = patients
        .iter()
        .filter(|c| c.sex == Sex::Female && c.age_years < PREGNANCY_MAX_AGE_YEARS)
        .collect();
    let p = spec.pregnant_if_female_under_50.value;
    let n = eligible.len() as f64;
    let observed = eligible.iter().filter(|c| c.pregnant).count() as f64 / n;
    assert!(
        (observed - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt(),
        "{observed} vs {p}"
    );
}

#[test]
fn a_patient_is_the_same_whatever_else_is_sampled() {
    let spec = icu_critical();
    let alone = spec.sample(7, 123);
    let with_others: Vec<Covariates> = (100..130).rev().map(|id| spec.sample(7, id)).collect();
    assert_eq!(
        with_others.iter().find(|c| c.patient_id == 123),
        Some(&alone)
    );
    assert_ne!(spec.sample(7, 124), alone);
    assert_ne!(spec.sample(8, 123), alone);
}

#[test]
fn named_populations_are_found_and_unknown_names_listed() {
    for name in [
        "hospitalized_severe_2020",
        "outpatient_early",
        "icu_critical",
    ] {
        assert_eq!(PopulationSpec::named(name).unwrap().name, name);
    }
    let error = PopulationSpec::named("icu").unwrap_err();
    assert!(error.to_string().contains("icu_critical"), "{error}");
}

#[test]
fn every_distribution_has_a_source_and_is_in_the_docs() {
    let docs = include_str!("../../../../docs/population.md");
    for spec in all() {
        assert!(docs.contains(spec.name), "{} missing from docs", spec.name);
        for row in spec.parameter_table() {
            assert!(!row.source.is_empty());
            assert!(
                docs.contains(row.source),
                "{}: {} source not in docs/population.md",
                spec.name,
                row.name
            );
        }
        let abo: f64 = spec.abo_frequencies.value.iter().sum();
        assert!((abo - 1.0).abs() < 1e-12);
    }
}
