use super::*;
use crate::allocation::{ArmIndex, allocate};
use protocol::{Value, Variable};
use rand::RngExt;
use streams::Purpose;

const SEED_PROTOCOL: &str =
    include_str!("../../../../protocols/nct04385043-hyperimmune-plasma.toml");

/// The seed protocol (two arms, 1:1) with `table` appended.
fn with_allocation(table: &str) -> Result<Protocol, protocol::ProtocolError> {
    protocol::parse_protocol("t.toml", &format!("{SEED_PROTOCOL}\n{table}"))
}

fn parsed(table: &str) -> Protocol {
    with_allocation(table).unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

#[test]
fn absent_table_keeps_the_default_blocks_of_four() {
    let (d, words) = design(&parsed("")).unwrap();
    assert_eq!(words, "permuted blocks of 4");
    match d.scheme() {
        Scheme::PermutedBlocks(b) => assert_eq!(b.sizes(), &[4]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_method_from_toml_gives_its_scheme() {
    let (d, _) = design(&parsed("[allocation]\nmethod = \"simple\"\n")).unwrap();
    assert_eq!(d.scheme(), &Scheme::Simple);

    let (d, words) = design(&parsed(
        "[allocation]\nmethod = \"permuted_blocks\"\nblock_sizes = [4, 6]\n",
    ))
    .unwrap();
    match d.scheme() {
        Scheme::PermutedBlocks(b) => assert_eq!(b.sizes(), &[4, 6]),
        other => panic!("{other:?}"),
    }
    assert_eq!(words, "permuted blocks of 4 or 6 (random sizes)");

    let table = "[allocation]\nmethod = \"stratified_blocks\"\nfactors = [\"age\", \"diabetes\", \
                 \"respiratory_support\"]\n[allocation.factor.age]\ncutoffs = [50, 65]\n";
    let (d, _) = design(&parsed(table)).unwrap();
    match d.scheme() {
        Scheme::StratifiedBlocks { blocks, factors } => {
            // Default size: twice the ratio sum of 1:1.
            assert_eq!(blocks.sizes(), &[4]);
            // age: 2 cut points → 3 levels; boolean → 2; six support levels.
            assert_eq!(factors.levels(), &[3, 2, 6]);
        }
        other => panic!("{other:?}"),
    }

    let table = "[allocation]\nmethod = \"minimisation\"\nfactors = [\"sex\", \"who_score\"]\n\
                 weights = [1.0, 2.0]\np_preferred = 0.9\n[allocation.factor.who_score]\ncutoffs = [6]\n";
    let p = parsed(table);
    let expected =
        Minimisation::new(Factors::new(vec![2, 2]).unwrap(), vec![1.0, 2.0], 0.9).unwrap();
    let (d, words) = design(&p).unwrap();
    assert_eq!(d.scheme(), &Scheme::Minimisation(expected));
    assert!(words.contains("p = 0.9"), "{words}");
    // Defaults: weight 1 per factor, p = 0.8.
    let p = parsed("[allocation]\nmethod = \"minimisation\"\nfactors = [\"diabetes\"]\n");
    let expected = Minimisation::new(Factors::new(vec![2]).unwrap(), vec![1.0], 0.8).unwrap();
    assert_eq!(
        design(&p).unwrap().0.scheme(),
        &Scheme::Minimisation(expected)
    );
}

#[test]
fn a_block_size_off_the_ratio_is_a_located_error_with_the_fix() {
    // Arms 1:1 → ratio sum 2; 5 is not a multiple.
    let table = "[allocation]\nmethod = \"permuted_blocks\"\nblock_sizes = [4, 5]\n";
    let err = with_allocation(table).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1, "{:?}", err.diagnostics);
    let d = &err.diagnostics[0];
    assert_eq!(d.path, "allocation.block_sizes[1]");
    let text = format!("{SEED_PROTOCOL}\n{table}");
    let line = text
        .lines()
        .position(|l| l.starts_with("block_sizes"))
        .unwrap()
        + 1;
    assert_eq!(d.line, line);
    assert!(d.message.contains("ratio sum 2"), "{}", d.message);
    assert!(
        d.hint.as_deref().unwrap().contains("block_sizes = [4, 6]"),
        "{d}"
    );
}

#[test]
fn factor_mistakes_are_named() {
    let cases = [
        // Unknown variable, with a suggestion.
        (
            "[allocation]\nmethod = \"minimisation\"\nfactors = [\"diabetis\"]\n",
            "allocation.factors[0]",
        ),
        // A number without cut points.
        (
            "[allocation]\nmethod = \"stratified_blocks\"\nfactors = [\"age\"]\n",
            "allocation.factors[0]",
        ),
        // Cut points on a boolean.
        (
            "[allocation]\nmethod = \"stratified_blocks\"\nfactors = [\"diabetes\"]\n[allocation.factor.diabetes]\ncutoffs = [1]\n",
            "allocation.factor.diabetes.cutoffs",
        ),
        // A stratified method without factors.
        (
            "[allocation]\nmethod = \"stratified_blocks\"\n",
            "allocation.method",
        ),
        // Minimisation settings on another method.
        (
            "[allocation]\nmethod = \"simple\"\np_preferred = 0.7\n",
            "allocation.p_preferred",
        ),
        // Probability out of (0, 1].
        (
            "[allocation]\nmethod = \"minimisation\"\nfactors = [\"sex\"]\np_preferred = 0\n",
            "allocation.p_preferred",
        ),
    ];
    for (table, path) in cases {
        let err = with_allocation(table).unwrap_err();
        assert!(
            err.diagnostics.iter().any(|d| d.path == path),
            "{table}: {:?}",
            err.diagnostics
        );
    }
    let err = with_allocation(cases[0].0).unwrap_err();
    assert!(
        err.diagnostics[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("diabetes")
    );
}

/// Baselines of `n` patients: age uniform on [18, 90), diabetes with probability 0.3, sex
/// 50:50, from a test-only stream.
fn baselines(n: u64, seed: u64) -> Vec<(f64, bool, bool)> {
    (0..n)
        .map(|id| {
            let mut rng = streams::stream(seed, Purpose::Patient, id);
            let age = 18.0 + 72.0 * rng.random::<f64>();
            let diabetes = rng.random::<f64>() < 0.3;
            let female = rng.random::<f64>() < 0.5;
            (age, diabetes, female)
        })
        .collect()
}

fn as_baseline(b: (f64, bool, bool)) -> impl Fn(Variable) -> Value {
    move |v| match v {
        Variable::Age => Value::Number(b.0),
        Variable::Diabetes => Value::Bool(b.1),
        Variable::Sex => Value::Category(if b.2 { "female" } else { "male" }),
        _ => Value::Missing,
    }
}

fn enrollees(p: &Protocol, people: &[(f64, bool, bool)]) -> Vec<Enrollee> {
    people
        .iter()
        .enumerate()
        .map(|(id, &b)| enrollee(p, id as u64, &as_baseline(b)).unwrap())
        .collect()
}

#[test]
fn factor_levels_follow_the_cut_points() {
    let p = parsed(
        "[allocation]\nmethod = \"stratified_blocks\"\nfactors = [\"age\", \"diabetes\", \"sex\"]\n\
         [allocation.factor.age]\ncutoffs = [50, 65]\n",
    );
    let levels = |b| enrollee(&p, 0, &as_baseline(b)).unwrap().levels;
    assert_eq!(levels((49.9, false, true)), vec![0, 0, 0]);
    assert_eq!(levels((50.0, true, false)), vec![1, 1, 1]);
    assert_eq!(levels((65.0, false, false)), vec![2, 0, 1]);
    // A variable the patient has no value of is an error, not a silent level.
    let q = parsed(
        "[allocation]\nmethod = \"minimisation\"\nfactors = [\"crp\"]\n[allocation.factor.crp]\ncutoffs = [10]\n",
    );
    assert!(matches!(
        enrollee(&q, 3, &as_baseline((40.0, false, false))),
        Err(AllocationError::MissingFactor { patient_id: 3, .. })
    ));
}

#[test]
fn stratified_blocks_keep_each_stratum_within_half_the_largest_block() {
    let p = parsed(
        "[allocation]\nmethod = \"stratified_blocks\"\nblock_sizes = [4, 6]\n\
         factors = [\"age\", \"diabetes\"]\n[allocation.factor.age]\ncutoffs = [65]\n",
    );
    let (d, _) = design(&p).unwrap();
    for seed in 1..=5u64 {
        let people = enrollees(&p, &baselines(600, seed));
        let arms = allocate(&d, seed, &people).unwrap();
        let mut diff = std::collections::BTreeMap::<Vec<u32>, i64>::new();
        for (e, &arm) in people.iter().zip(&arms) {
            let x = diff.entry(e.levels.clone()).or_default();
            *x += if arm == 0 { 1 } else { -1 };
            assert!(
                x.abs() <= 3,
                "stratum {:?}: imbalance {x} > 6 / 2",
                e.levels
            );
        }
        assert_eq!(diff.len(), 4, "two age levels × two diabetes levels");
    }
}

/// Σ over factors and levels of |n(arm 0) − n(arm 1)|: the marginal imbalance minimisation
/// targets.
fn marginal_imbalance(people: &[Enrollee], arms: &[ArmIndex]) -> i64 {
    let mut diff = std::collections::BTreeMap::<(usize, u32), i64>::new();
    for (e, &arm) in people.iter().zip(arms) {
        for (f, &level) in e.levels.iter().enumerate() {
            *diff.entry((f, level)).or_default() += if arm == 0 { 1 } else { -1 };
        }
    }
    diff.values().map(|d| d.abs()).sum()
}

#[test]
fn minimisation_balances_factors_better_than_simple_randomization() {
    let factors =
        "factors = [\"age\", \"diabetes\", \"sex\"]\n[allocation.factor.age]\ncutoffs = [65]\n";
    let minimised = parsed(&format!(
        "[allocation]\nmethod = \"minimisation\"\n{factors}"
    ));
    let simple = parsed("[allocation]\nmethod = \"simple\"\n");
    let (dm, _) = design(&minimised).unwrap();
    let (ds, _) = design(&simple).unwrap();
    for seed in 1..=5u64 {
        let people = enrollees(&minimised, &baselines(400, seed));
        let m = marginal_imbalance(&people, &allocate(&dm, seed, &people).unwrap());
        let s = marginal_imbalance(&people, &allocate(&ds, seed, &people).unwrap());
        assert!(m < s, "seed {seed}: minimisation {m} vs simple {s}");
    }
}
