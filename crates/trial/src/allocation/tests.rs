use super::*;
use proptest::prelude::*;

fn enrollees(n: u64) -> Vec<Enrollee> {
    (0..n).map(|id| Enrollee { id, levels: vec![] }).collect()
}

/// Patients with random levels of the given factors, drawn from a test-only stream.
fn enrollees_with_levels(n: u64, levels: &[u32], seed: u64) -> Vec<Enrollee> {
    (0..n)
        .map(|id| {
            let mut rng = streams::stream(seed, Purpose::Patient, id);
            Enrollee {
                id,
                levels: levels.iter().map(|&l| rng.random_range(0..l)).collect(),
            }
        })
        .collect()
}

fn counts(arms: &[ArmIndex], n_arms: usize) -> Vec<u64> {
    let mut c = vec![0u64; n_arms];
    for &a in arms {
        c[a] += 1;
    }
    c
}

/// Largest deviation of arm counts from the ratio over all prefixes, per arm, divided by the
/// bound share·(1−share)·b_max that permuted blocks guarantee (the count of arm j inside a block
/// of size b deviates from share·t by at most share·(1−share)·b, and is exact at block ends).
fn worst_relative_deviation(arms: &[ArmIndex], ratio: &Ratio, b_max: u32) -> f64 {
    let mut c = vec![0u64; ratio.arms()];
    let mut worst: f64 = 0.0;
    for (t, &a) in arms.iter().enumerate() {
        c[a] += 1;
        let t = (t + 1) as f64;
        for (j, &n) in c.iter().enumerate() {
            let share = ratio.share(j).unwrap();
            let bound = share * (1.0 - share) * f64::from(b_max);
            worst = worst.max((n as f64 - share * t).abs() / bound);
        }
    }
    worst
}

fn ratio_strategy() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(1u32..=3, 2..=3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn one_to_one_blocks_never_exceed_half_a_block(
        seed in any::<u64>(),
        multiples in prop::collection::vec(1u32..=4, 1..=3),
        n in 1u64..300,
    ) {
        let ratio = Ratio::new(vec![1, 1]).unwrap();
        let sizes: Vec<u32> = multiples.iter().map(|m| m * 2).collect();
        let blocks = BlockSizes::new(sizes, &ratio).unwrap();
        let half = i64::from(blocks.max() / 2);
        let design = Design::new(ratio, Scheme::PermutedBlocks(blocks)).unwrap();
        let arms = allocate(&design, seed, &enrollees(n)).unwrap();
        let mut diff = 0i64;
        for a in arms {
            diff += if a == 0 { 1 } else { -1 };
            prop_assert!(diff.abs() <= half, "imbalance {diff} > {half}");
        }
    }

    #[test]
    fn blocks_with_any_ratio_stay_within_the_block_bound(
        seed in any::<u64>(),
        parts in ratio_strategy(),
        multiples in prop::collection::vec(1u32..=3, 1..=3),
        n in 1u64..300,
    ) {
        let ratio = Ratio::new(parts).unwrap();
        let sizes: Vec<u32> = multiples.iter().map(|m| m * ratio.sum()).collect();
        let blocks = BlockSizes::new(sizes, &ratio).unwrap();
        let b_max = blocks.max();
        let design = Design::new(ratio.clone(), Scheme::PermutedBlocks(blocks)).unwrap();
        let arms = allocate(&design, seed, &enrollees(n)).unwrap();
        prop_assert!(worst_relative_deviation(&arms, &ratio, b_max) <= 1.0 + 1e-12);
    }

    #[test]
    fn fixed_blocks_honour_the_ratio_exactly_at_block_ends(
        seed in any::<u64>(),
        parts in ratio_strategy(),
        multiple in 1u32..=3,
        blocks_count in 1u64..20,
    ) {
        let ratio = Ratio::new(parts.clone()).unwrap();
        let size = multiple * ratio.sum();
        let blocks = BlockSizes::new(vec![size], &ratio).unwrap();
        let design = Design::new(ratio.clone(), Scheme::PermutedBlocks(blocks)).unwrap();
        let n = u64::from(size) * blocks_count;
        let arms = allocate(&design, seed, &enrollees(n)).unwrap();
        for end in (1..=blocks_count).map(|k| (k * u64::from(size)) as usize) {
            let c = counts(&arms[..end], ratio.arms());
            let blocks_done = end as u64 / u64::from(size);
            for (j, &part) in parts.iter().enumerate() {
                prop_assert_eq!(c[j], blocks_done * u64::from(multiple * part));
            }
        }
    }

    #[test]
    fn stratified_blocks_balance_within_every_stratum(
        seed in any::<u64>(),
        n in 1u64..400,
    ) {
        let ratio = Ratio::new(vec![1, 1]).unwrap();
        let blocks = BlockSizes::new(vec![2, 4], &ratio).unwrap();
        let factors = Factors::new(vec![2, 3]).unwrap();
        let design = Design::new(
            ratio,
            Scheme::StratifiedBlocks { blocks, factors },
        )
        .unwrap();
        let patients = enrollees_with_levels(n, &[2, 3], seed);
        let arms = allocate(&design, seed, &patients).unwrap();
        let mut diff = std::collections::BTreeMap::<Vec<u32>, i64>::new();
        for (p, a) in patients.iter().zip(arms) {
            let d = diff.entry(p.levels.clone()).or_default();
            *d += if a == 0 { 1 } else { -1 };
            prop_assert!(d.abs() <= 2, "stratum {:?} imbalance {}", p.levels, d);
        }
    }

    #[test]
    fn simple_randomization_shares_converge_to_the_ratio(seed in any::<u64>()) {
        // Binomial tolerance: 5 standard errors of a proportion, sqrt(p(1-p)/n).
        let n = 6000u64;
        let ratio = Ratio::new(vec![2, 1]).unwrap();
        let design = Design::new(ratio.clone(), Scheme::Simple).unwrap();
        let arms = allocate(&design, seed, &enrollees(n)).unwrap();
        let c = counts(&arms, 2);
        let p = ratio.share(0).unwrap();
        let observed = c[0] as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        prop_assert!((observed - p).abs() < 5.0 * se, "share {observed} vs {p}");
    }
}

/// Sum over factors and levels of |n_A − n_B| (marginal imbalance, 1:1).
fn marginal_imbalance(patients: &[Enrollee], arms: &[ArmIndex], levels: &[u32]) -> i64 {
    let mut total = 0;
    for (f, &n_levels) in levels.iter().enumerate() {
        for level in 0..n_levels {
            let d: i64 = patients
                .iter()
                .zip(arms)
                .filter(|(p, _)| p.levels[f] == level)
                .map(|(_, &a)| if a == 0 { 1 } else { -1 })
                .sum();
            total += d.abs();
        }
    }
    total
}

#[test]
fn minimisation_reduces_marginal_imbalance_compared_with_simple_randomization() {
    let levels = [2, 3, 2];
    let ratio = Ratio::new(vec![1, 1]).unwrap();
    let minimisation = Design::new(
        ratio.clone(),
        Scheme::Minimisation(
            Minimisation::new(
                Factors::new(levels.to_vec()).unwrap(),
                vec![1.0; 3],
                Minimisation::DEFAULT_P_PREFERRED,
            )
            .unwrap(),
        ),
    )
    .unwrap();
    let simple = Design::new(ratio, Scheme::Simple).unwrap();
    let seeds = 200u64;
    let (mut total_min, mut total_simple) = (0i64, 0i64);
    for seed in 0..seeds {
        let patients = enrollees_with_levels(100, &levels, seed);
        total_min += marginal_imbalance(
            &patients,
            &allocate(&minimisation, seed, &patients).unwrap(),
            &levels,
        );
        total_simple += marginal_imbalance(
            &patients,
            &allocate(&simple, seed, &patients).unwrap(),
            &levels,
        );
    }
    let mean_min = total_min as f64 / seeds as f64;
    let mean_simple = total_simple as f64 / seeds as f64;
    // Independent anchor for simple randomization: E|n_A − n_B| over m patients ≈ sqrt(2m/π).
    // Factors with 2, 3 and 2 levels give four levels of about 50 patients and three of about
    // 33: 4·sqrt(2·50/π) + 3·sqrt(2·33.3/π) ≈ 36.4. Minimisation should remove most of that.
    let level_mean = |m: f64| (2.0 * m / std::f64::consts::PI).sqrt();
    let anchor = 4.0 * level_mean(50.0) + 3.0 * level_mean(100.0 / 3.0);
    assert!(
        (mean_simple - anchor).abs() < 0.1 * anchor,
        "simple mean {mean_simple} vs {anchor}"
    );
    assert!(
        mean_min < 0.5 * mean_simple,
        "minimisation {mean_min} vs simple {mean_simple}"
    );
}

#[test]
fn deterministic_minimisation_with_one_factor_alternates_arms() {
    // p = 1 and a single one-level factor: after an odd patient the trial is 1 ahead, and the
    // next patient must go to the other arm, so the imbalance is never more than 1.
    let design = Design::new(
        Ratio::new(vec![1, 1]).unwrap(),
        Scheme::Minimisation(
            Minimisation::new(Factors::new(vec![1]).unwrap(), vec![1.0], 1.0).unwrap(),
        ),
    )
    .unwrap();
    let patients: Vec<Enrollee> = (0..101)
        .map(|id| Enrollee {
            id,
            levels: vec![0],
        })
        .collect();
    let arms = allocate(&design, 9, &patients).unwrap();
    for pair in arms.chunks(2).filter(|c| c.len() == 2) {
        assert_ne!(pair[0], pair[1]);
    }
}

#[test]
fn minimisation_honours_an_unequal_ratio() {
    // 2:1 with p = 1 and one single-level factor: counts scaled by the ratio stay balanced, so
    // after every 3 patients arm 0 has exactly twice arm 1.
    let design = Design::new(
        Ratio::new(vec![2, 1]).unwrap(),
        Scheme::Minimisation(
            Minimisation::new(Factors::new(vec![1]).unwrap(), vec![1.0], 1.0).unwrap(),
        ),
    )
    .unwrap();
    let patients: Vec<Enrollee> = (0..300)
        .map(|id| Enrollee {
            id,
            levels: vec![0],
        })
        .collect();
    let arms = allocate(&design, 3, &patients).unwrap();
    for end in (3..=300).step_by(3) {
        let c = counts(&arms[..end], 2);
        assert_eq!(c[0], 2 * c[1], "after {end} patients: {c:?}");
    }
}

#[test]
fn simple_randomization_of_a_patient_does_not_depend_on_the_others() {
    let design = Design::new(Ratio::new(vec![1, 1, 1]).unwrap(), Scheme::Simple).unwrap();
    let all = allocate(&design, 5, &enrollees(50)).unwrap();
    let odd: Vec<Enrollee> = enrollees(50)
        .into_iter()
        .filter(|p| p.id % 2 == 1)
        .collect();
    let odd_arms = allocate(&design, 5, &odd).unwrap();
    for (p, a) in odd.iter().zip(odd_arms) {
        assert_eq!(all[p.id as usize], a);
    }
}

#[test]
fn allocation_is_reproducible_and_depends_on_the_seed() {
    let ratio = Ratio::new(vec![1, 1]).unwrap();
    let blocks = BlockSizes::new(vec![4, 6], &ratio).unwrap();
    let design = Design::new(ratio, Scheme::PermutedBlocks(blocks)).unwrap();
    let a = allocate(&design, 1, &enrollees(60)).unwrap();
    assert_eq!(a, allocate(&design, 1, &enrollees(60)).unwrap());
    assert_ne!(a, allocate(&design, 2, &enrollees(60)).unwrap());
}

#[test]
fn single_group_puts_everyone_in_the_one_arm() {
    let design = Design::new(Ratio::new(vec![1]).unwrap(), Scheme::SingleGroup).unwrap();
    assert_eq!(allocate(&design, 0, &enrollees(7)).unwrap(), vec![0; 7]);
    assert_eq!(
        Design::new(Ratio::new(vec![1, 1]).unwrap(), Scheme::SingleGroup),
        Err(AllocationError::SingleGroupWithSeveralArms { arms: 2 })
    );
}

#[test]
fn invalid_designs_are_rejected() {
    assert_eq!(Ratio::new(vec![]), Err(AllocationError::EmptyRatio));
    assert_eq!(
        Ratio::new(vec![2, 0]),
        Err(AllocationError::ZeroRatio { arm: 1 })
    );
    let ratio = Ratio::new(vec![2, 1]).unwrap();
    assert_eq!(
        BlockSizes::new(vec![3, 4], &ratio),
        Err(AllocationError::BadBlockSize {
            size: 4,
            ratio_sum: 3
        })
    );
    assert!(matches!(
        Minimisation::new(Factors::new(vec![2]).unwrap(), vec![1.0], 0.0),
        Err(AllocationError::BadPreferredProbability { .. })
    ));
    assert!(matches!(
        Minimisation::new(Factors::new(vec![2]).unwrap(), vec![-1.0], 0.8),
        Err(AllocationError::BadFactorWeight { factor: 0, .. })
    ));
    assert_eq!(
        Minimisation::new(Factors::new(vec![2, 3]).unwrap(), vec![1.0], 0.8),
        Err(AllocationError::WeightCount {
            factors: 2,
            weights: 1
        })
    );
    assert_eq!(
        Factors::new(vec![2, 0]),
        Err(AllocationError::EmptyFactor { factor: 1 })
    );
}

#[test]
fn a_patient_with_a_level_out_of_range_is_an_error() {
    let ratio = Ratio::new(vec![1, 1]).unwrap();
    let design = Design::new(
        ratio.clone(),
        Scheme::StratifiedBlocks {
            blocks: BlockSizes::new(vec![2], &ratio).unwrap(),
            factors: Factors::new(vec![2]).unwrap(),
        },
    )
    .unwrap();
    let bad = [Enrollee {
        id: 4,
        levels: vec![2],
    }];
    assert!(matches!(
        allocate(&design, 0, &bad),
        Err(AllocationError::BadPatientLevels { patient_id: 4, .. })
    ));
}
