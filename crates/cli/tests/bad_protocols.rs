//! A gallery of bad protocols run through the built binary: each must exit with status 2 and
//! name the file:line:column, the field path, what is wrong and (where there is one) the hint.
//! Line and column numbers are counted by hand from `BASE` below.

use std::process::Command;

/// A small valid protocol. Line numbers matter: the cases below point into it.
const BASE: &str = r#"[study]
id = "TEST-1"
brief_title = "Gallery base"
allocation = "RANDOMIZED"
intervention_model = "PARALLEL"
masking = "NONE"
enrollment = 100
minimum_age = "18 Years"

[eligibility]
inclusion = ["age >= 18", "pf_ratio < 300"]
exclusion = ["pregnant"]

[[arm]]
label = "Plasma"
type = "EXPERIMENTAL"
ratio = 1
regimens = ["soc", "plasma"]

[[arm]]
label = "Control"
type = "ACTIVE_COMPARATOR"
ratio = 1
regimens = ["soc"]

[[regimen]]
name = "soc"
[regimen.bundle]
name = "standard_therapy_2020"

[[regimen]]
name = "plasma"
start_day = 0
[regimen.plasma]
kind = "hyperimmune"
units = 2
unit_volume_ml = 300
interval_days = 2
donor_titer = { median_id50 = 320, gsd = 2.5 }
qualification_min_id50 = 160
pathogen_reduction = "amotosalen_uva"

[[regimen]]
name = "dex"
[regimen.dexamethasone]
mg_per_day = 6.0
days = 10
route = "oral"

[[endpoint]]
name = "death_d28"
kind = "binary"
measure = "death"
day = 28
primary = true

[[endpoint]]
name = "who_d14"
kind = "ordinal"
measure = "who_score"
day = 14

[simulation]
seed = 1
population = "hospitalized_severe"
patients = 100
follow_up_days = 28
"#;

struct Case {
    name: &'static str,
    /// Edits to BASE: text to replace (must occur exactly once) and its replacement.
    edits: &'static [(&'static str, &'static str)],
    /// "line:column" expected in the output.
    at: &'static str,
    path: &'static str,
    message: &'static str,
    hint: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        name: "wrong_type",
        edits: &[("enrollment = 100", "enrollment = \"100\"")],
        at: "7:14",
        path: "study.enrollment",
        message: "invalid type: string \"100\"",
        hint: Some("numbers are written without quotes"),
    },
    Case {
        name: "unknown_key",
        edits: &[("masking = \"NONE\"", "maskin = \"NONE\"")],
        at: "6:1",
        path: "study.maskin",
        message: "unknown key `maskin`",
        hint: Some("did you mean `masking`?"),
    },
    Case {
        name: "misspelled_enum",
        edits: &[("\"RANDOMIZED\"", "\"RANDOMISED\"")],
        at: "4:14",
        path: "study.allocation",
        message: "unknown value `RANDOMISED`",
        hint: Some("did you mean `RANDOMIZED`?"),
    },
    Case {
        name: "no_primary_endpoint",
        edits: &[("primary = true", "primary = false")],
        at: "50:1",
        path: "endpoint[0]",
        message: "no primary endpoint",
        hint: Some("mark the primary endpoint with `primary = true`"),
    },
    Case {
        name: "two_primary_endpoints",
        edits: &[("day = 14", "day = 14\nprimary = true")],
        at: "62:11",
        path: "endpoint[1].primary",
        message: "2 primary endpoints",
        hint: None,
    },
    Case {
        name: "negative_dose",
        edits: &[("mg_per_day = 6.0", "mg_per_day = -6.0")],
        at: "46:14",
        path: "regimen[2].dexamethasone.mg_per_day",
        message: "-6 mg/day is out of bounds",
        hint: Some("doses, volumes and counts are positive amounts"),
    },
    Case {
        name: "zero_ratio",
        edits: &[(
            "ratio = 1\nregimens = [\"soc\"]",
            "ratio = 0\nregimens = [\"soc\"]",
        )],
        at: "23:9",
        path: "arm[1].ratio",
        message: "allocation ratio 0",
        hint: None,
    },
    Case {
        name: "criteria_syntax_error",
        edits: &[("\"pf_ratio < 300\"", "\"pf_ratio < \"")],
        at: "11:39",
        path: "eligibility.inclusion[1]",
        message: "unexpected end of criterion",
        hint: None,
    },
    Case {
        name: "unknown_criteria_variable",
        edits: &[("[\"pregnant\"]", "[\"pregnat\"]")],
        at: "12:15",
        path: "eligibility.exclusion[0]",
        message: "unknown variable `pregnat`",
        hint: Some("did you mean `pregnant`?"),
    },
    Case {
        name: "single_group_with_two_arms",
        edits: &[("\"PARALLEL\"", "\"SINGLE_GROUP\"")],
        at: "5:22",
        path: "study.intervention_model",
        message: "SINGLE_GROUP design with 2 arms",
        hint: None,
    },
    Case {
        name: "randomized_with_one_arm",
        edits: &[
            ("\"PARALLEL\"", "\"SINGLE_GROUP\""),
            (
                "[[arm]]\nlabel = \"Control\"\ntype = \"ACTIVE_COMPARATOR\"\nratio = 1\nregimens = [\"soc\"]\n",
                "",
            ),
        ],
        at: "4:14",
        path: "study.allocation",
        message: "RANDOMIZED allocation with 1 arm",
        hint: None,
    },
    Case {
        name: "unknown_regimen_in_arm",
        edits: &[("regimens = [\"soc\"]", "regimens = [\"sco\"]")],
        at: "24:13",
        path: "arm[1].regimens[0]",
        message: "no regimen named `sco`",
        hint: Some("did you mean `soc`?"),
    },
    Case {
        name: "schedule_after_follow_up",
        edits: &[("start_day = 0", "start_day = 30")],
        at: "33:13",
        path: "regimen[1].start_day",
        message: "after the end of follow-up (day 28)",
        hint: None,
    },
    Case {
        name: "missing_required_key",
        edits: &[("brief_title = \"Gallery base\"\n", "")],
        at: "1:1",
        path: "study.brief_title",
        message: "missing required key `brief_title`",
        hint: None,
    },
    Case {
        name: "toml_syntax_error",
        edits: &[("seed = 1", "seed = ")],
        at: "64:8",
        path: "simulation.seed",
        message: "missing value after `=`",
        hint: None,
    },
    Case {
        name: "two_volume_keys",
        edits: &[(
            "unit_volume_ml = 300",
            "unit_volume_ml = 300\nunit_volume_ml_per_kg = 4",
        )],
        at: "38:25",
        path: "regimen[1].plasma.unit_volume_ml_per_kg",
        message: "both `unit_volume_ml` and `unit_volume_ml_per_kg` are set",
        hint: None,
    },
    Case {
        name: "endpoint_after_follow_up",
        edits: &[("day = 14", "day = 40")],
        at: "61:7",
        path: "endpoint[1].day",
        message: "day 40 is outside follow-up",
        hint: None,
    },
    Case {
        name: "misspelled_product_setting",
        edits: &[("\"amotosalen_uva\"", "\"amotosalen-uva\"")],
        at: "41:22",
        path: "regimen[1].plasma.pathogen_reduction",
        message: "unknown value `amotosalen-uva`",
        hint: Some("did you mean `amotosalen_uva`?"),
    },
    Case {
        name: "misspelled_product_table",
        edits: &[("[regimen.dexamethasone]", "[regimen.dexametasone]")],
        at: "45:10",
        path: "regimen[2].dexametasone",
        message: "unknown key `dexametasone`",
        hint: Some("did you mean `dexamethasone`?"),
    },
    Case {
        name: "criteria_not_a_list",
        edits: &[(
            "inclusion = [\"age >= 18\", \"pf_ratio < 300\"]",
            "inclusion = \"age >= 18\"",
        )],
        at: "11:13",
        path: "eligibility.inclusion",
        message: "invalid type: string \"age >= 18\"",
        hint: None,
    },
    Case {
        name: "wrong_level_in_criterion",
        edits: &[("[\"pregnant\"]", "[\"sex == femal\"]")],
        at: "12:22",
        path: "eligibility.exclusion[0]",
        message: "`femal` is not a level of `sex`",
        hint: Some("did you mean `female`?"),
    },
    Case {
        name: "duplicate_key",
        edits: &[(
            "masking = \"NONE\"",
            "masking = \"NONE\"\nmasking = \"DOUBLE\"",
        )],
        at: "7:1",
        path: "study.masking",
        message: "duplicate key",
        hint: Some("each key may appear once per table"),
    },
    Case {
        name: "unquoted_text",
        edits: &[("\"hospitalized_severe\"", "hospitalized_severe")],
        at: "65:14",
        path: "simulation.population",
        message: "string values must be quoted",
        hint: Some("put text values in double quotes"),
    },
    Case {
        name: "quoted_number",
        edits: &[("patients = 100", "patients = \"100\"")],
        at: "66:12",
        path: "simulation.patients",
        message: "invalid type: string \"100\"",
        hint: Some("numbers are written without quotes"),
    },
];

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

#[test]
fn base_protocol_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("base.toml");
    std::fs::write(&path, BASE).unwrap();
    let out = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK "));
}

#[test]
fn every_bad_protocol_gets_a_located_actionable_error() {
    assert!(CASES.len() >= 15);
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let mut text = BASE.to_string();
        for (from, to) in case.edits {
            assert_eq!(
                text.matches(from).count(),
                1,
                "{}: `{from}` must occur exactly once",
                case.name
            );
            text = text.replacen(from, to, 1);
        }
        let path = dir.path().join(format!("{}.toml", case.name));
        std::fs::write(&path, text).unwrap();
        let file = path.to_str().unwrap();
        let out = run(&["validate", file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut wanted = vec![
            format!("{file}:{}", case.at),
            format!("`{}`", case.path),
            case.message.to_string(),
        ];
        if let Some(h) = case.hint {
            wanted.push(h.to_string());
        }
        let missing: Vec<&String> = wanted
            .iter()
            .filter(|w| !stderr.contains(w.as_str()))
            .collect();
        if out.status.code() != Some(2) || !missing.is_empty() {
            failures.push(format!(
                "{}: status {:?}, missing {missing:?}\n{stderr}",
                case.name,
                out.status.code()
            ));
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn several_semantic_problems_are_reported_together() {
    let text = BASE
        .replacen(
            "ratio = 1\nregimens = [\"soc\"]",
            "ratio = 0\nregimens = [\"soc\"]",
            1,
        )
        .replacen("mg_per_day = 6.0", "mg_per_day = 600.0", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.toml");
    std::fs::write(&path, text).unwrap();
    let out = run(&["validate", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("allocation ratio 0") && stderr.contains("600 mg/day is out of bounds"),
        "{stderr}"
    );
}

#[test]
fn unreadable_file_is_bad_input() {
    let out = run(&["validate", "/nonexistent/protocol.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn several_syntax_errors_are_reported_together() {
    let text = BASE.replacen("seed = 1", "seed = ", 1).replacen(
        "\"hospitalized_severe\"",
        "hospitalized_severe",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syntax.toml");
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    let out = run(&["validate", file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(&format!("{file}:64:8")) && stderr.contains(&format!("{file}:65:14")),
        "{stderr}"
    );
}
