use super::adam::*;
use super::*;
use population::{Covariates, PopulationSpec, Sex};

fn small() -> Dataset {
    Dataset::new(
        "DEMO",
        "A demo dataset",
        vec![
            Column::str(
                "USUBJID",
                "Unique Subject Identifier",
                vec![
                    Some("S-1".into()),
                    None,
                    Some("has, comma \"and\" quote\nand newline".into()),
                ],
            ),
            Column::int("AGE", "Age", vec![Some(70), Some(-3), None]),
            Column::float(
                "AVAL",
                "Analysis Value",
                vec![Some(0.1), None, Some(1.234_567_890_123_456_7e-300)],
            ),
        ],
    )
    .unwrap()
}

#[test]
fn csv_round_trips_values_and_missing_values_exactly() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("demo.csv");
    let dataset = small();
    dataset.write_csv(&path).unwrap();
    let back = Dataset::read_csv(&path, "DEMO", "A demo dataset", &dataset.schema()).unwrap();
    assert_eq!(back, dataset);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("USUBJID,AGE,AVAL\nS-1,70,0.1\n,-3,\n"),
        "{text}"
    );
    // Only the final file is left in the folder (the temporary one was renamed).
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
}

#[test]
fn csv_with_a_wrong_header_or_value_is_a_typed_error() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("demo.csv");
    std::fs::write(&path, "USUBJID,AGE,AVAL\nS-1,seventy,0.1\n").unwrap();
    let schema = small().schema();
    assert!(matches!(
        Dataset::read_csv(&path, "DEMO", "", &schema),
        Err(DatasetError::BadValue { row: 1, .. })
    ));
    std::fs::write(&path, "USUBJID,AVAL\n").unwrap();
    assert!(matches!(
        Dataset::read_csv(&path, "DEMO", "", &schema),
        Err(DatasetError::HeaderMismatch { .. })
    ));
}

#[test]
fn ragged_or_duplicate_columns_are_rejected() {
    let a = Column::int("A", "", vec![Some(1)]);
    let b = Column::int("B", "", vec![]);
    assert!(matches!(
        Dataset::new("X", "", vec![a.clone(), b]),
        Err(DatasetError::RaggedColumns { .. })
    ));
    assert!(matches!(
        Dataset::new("X", "", vec![a.clone(), a]),
        Err(DatasetError::DuplicateColumn { .. })
    ));
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_back_equal_and_is_byte_identical_for_identical_input() {
    use super::parquet::{read_parquet, to_parquet_bytes, write_parquet};
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("demo.parquet");
    let dataset = small();
    write_parquet(&dataset, &path).unwrap();
    assert_eq!(read_parquet(&path).unwrap(), dataset);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes, to_parquet_bytes(&dataset.clone()).unwrap());
    // The default created_by names the library version; ours is fixed.
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("parquet-rs"));
    assert!(text.contains(super::parquet::CREATED_BY));
}

#[test]
fn study_days_have_no_day_zero() {
    assert_eq!(study_day(0.0), 1);
    assert_eq!(study_day(0.99), 1);
    assert_eq!(study_day(1.0), 2);
    assert_eq!(study_day(27.5), 28);
    assert_eq!(study_day(-0.01), -1);
    assert_eq!(study_day(-1.0), -1);
    assert_eq!(study_day(-1.5), -2);
}

fn study() -> Study {
    Study {
        studyid: "TSUNAMI".into(),
    }
}

/// Covariates of a synthetic subject: age 60 + id, men with even ids.
fn covariates(id: u64) -> Covariates {
    let mut c = PopulationSpec::named("hospitalized_severe_2020")
        .unwrap()
        .sample(1, id);
    c.age_years = 60.5 + id as f64;
    c.sex = if id.is_multiple_of(2) {
        Sex::Male
    } else {
        Sex::Female
    };
    c
}

fn subject(id: u64, arm: i64, death_day: Option<i64>) -> SubjectRecord {
    let name = if arm == 1 { "Standard care" } else { "Plasma" };
    SubjectRecord {
        subject_id: id,
        site_id: "01".into(),
        covariates: covariates(id),
        onset_to_randomization_days: 7.25,
        baseline_who_cps: Some(5),
        planned_arm: Arm {
            number: arm,
            name: name.into(),
        },
        actual_arm: (id != 3).then(|| Arm {
            number: arm,
            name: name.into(),
        }),
        randomized: true,
        safety: id != 3,
        treatment_start_day: (id != 3).then_some(1),
        death_day,
        end_of_study_day: death_day.unwrap_or(28),
        end_of_study: if death_day.is_some() {
            EndOfStudy::Death
        } else {
            EndOfStudy::Completed
        },
    }
}

fn str_at(d: &Dataset, column: &str, row: usize) -> Option<String> {
    match &d.column(column).unwrap().values {
        Values::Str(v) => v.get(row).map(str::to_owned),
        other => panic!("{column} is {:?}", other.kind()),
    }
}

fn int_at(d: &Dataset, column: &str, row: usize) -> Option<i64> {
    match &d.column(column).unwrap().values {
        Values::Int(v) => v[row],
        other => panic!("{column} is {:?}", other.kind()),
    }
}

fn float_at(d: &Dataset, column: &str, row: usize) -> Option<f64> {
    match &d.column(column).unwrap().values {
        Values::Float(v) => v[row],
        other => panic!("{column} is {:?}", other.kind()),
    }
}

#[test]
fn adsl_has_one_row_per_subject_in_usubjid_order_with_cdisc_codes() {
    // Given out of order: ids 10 and 2 (text order of unpadded ids would put 10 first).
    let subjects = vec![
        subject(10, 2, Some(12)),
        subject(2, 1, None),
        subject(3, 2, None),
    ];
    let adsl = adsl(&study(), &subjects).unwrap();
    assert_eq!(adsl.rows(), 3);
    for name in [
        "STUDYID", "USUBJID", "TRT01P", "TRT01A", "ITTFL", "SAFFL", "AGE", "SEX",
    ] {
        assert!(adsl.column(name).is_some(), "{name}");
    }
    assert_eq!(str_at(&adsl, "USUBJID", 0).unwrap(), "TSUNAMI-01-000000002");
    assert_eq!(str_at(&adsl, "USUBJID", 2).unwrap(), "TSUNAMI-01-000000010");
    assert_eq!(str_at(&adsl, "SEX", 0).unwrap(), "M");
    assert_eq!(int_at(&adsl, "AGE", 2), Some(70));
    let c = covariates(10);
    assert_eq!(float_at(&adsl, "BMIBL", 2), Some(c.bmi_kg_m2));
    assert_eq!(float_at(&adsl, "HEIGHTBL", 2), Some(c.height_m * 100.0));
    // Subject 3 was never treated: TRT01A missing, ACTARM "Not Treated", SAFFL "N".
    assert_eq!(str_at(&adsl, "TRT01A", 1), None);
    assert_eq!(str_at(&adsl, "ACTARM", 1).unwrap(), "Not Treated");
    assert_eq!(str_at(&adsl, "SAFFL", 1).unwrap(), "N");
    // Death flags.
    assert_eq!(str_at(&adsl, "DTHFL", 2).unwrap(), "Y");
    assert_eq!(str_at(&adsl, "DTHFL", 0), None);
    assert_eq!(str_at(&adsl, "DCSREAS", 2).unwrap(), "DEATH");
    assert_eq!(adsl.schema(), adsl_schema());
}

#[test]
fn adsl_records_masking_and_the_delay_to_treatment() {
    let subjects = vec![subject(2, 1, None), subject(3, 2, None)];
    let design = AdslDesign {
        masking: Some("DOUBLE".into()),
        treatment_delay_days: [(2, 0.75)].into_iter().collect(),
        plasma: None,
    };
    let with = adsl_with(&study(), &subjects, &design).unwrap();
    assert_eq!(str_at(&with, "MASKING", 0).unwrap(), "DOUBLE");
    assert_eq!(str_at(&with, "MASKING", 1).unwrap(), "DOUBLE");
    assert_eq!(float_at(&with, "TRTDELAY", 0), Some(0.75));
    assert_eq!(float_at(&with, "TRTDELAY", 1), None);
    // Without a design the columns exist and are empty.
    let plain = adsl(&study(), &subjects).unwrap();
    assert_eq!(str_at(&plain, "MASKING", 0), None);
    assert_eq!(plain.schema(), with.schema());
}

#[test]
fn adtte_derives_study_days_and_keeps_continuous_times() {
    let subjects = vec![subject(1, 1, Some(5)), subject(2, 2, None)];
    let records = vec![
        TimeToEventRecord {
            subject_id: 2,
            parameter: Parameter {
                code: "OS28".into(),
                label: "Time to Death up to Day 28 (days)".into(),
            },
            time_days: 28.0,
            outcome: TteOutcome::Censored {
                code: 1,
                description: "ALIVE AT DAY 28".into(),
            },
        },
        TimeToEventRecord {
            subject_id: 1,
            parameter: Parameter {
                code: "OS28".into(),
                label: "Time to Death up to Day 28 (days)".into(),
            },
            time_days: 4.3,
            outcome: TteOutcome::Event {
                description: "DEATH".into(),
            },
        },
    ];
    let adtte = adtte(&study(), &subjects, &records).unwrap();
    assert_eq!(adtte.schema(), adtte_schema());
    // Subject 1 first (USUBJID order).
    assert_eq!(float_at(&adtte, "AVAL", 0), Some(4.3));
    assert_eq!(int_at(&adtte, "CNSR", 0), Some(0));
    assert_eq!(int_at(&adtte, "ADT", 0), Some(5));
    assert_eq!(int_at(&adtte, "STARTDT", 0), Some(1));
    assert_eq!(int_at(&adtte, "CNSR", 1), Some(1));
    assert_eq!(int_at(&adtte, "ADT", 1), Some(29));
    assert_eq!(str_at(&adtte, "EVNTDESC", 1).unwrap(), "ALIVE AT DAY 28");
    assert_eq!(str_at(&adtte, "TRT01P", 1).unwrap(), "Plasma");

    let unknown = [TimeToEventRecord {
        subject_id: 99,
        ..records[0].clone()
    }];
    assert!(matches!(
        super::adam::adtte(&study(), &subjects, &unknown),
        Err(DatasetError::UnknownSubject { subject_id: 99, .. })
    ));
    let negative = [TimeToEventRecord {
        time_days: -1.0,
        ..records[0].clone()
    }];
    assert!(matches!(
        super::adam::adtte(&study(), &subjects, &negative),
        Err(DatasetError::BadRecord { .. })
    ));
}

#[test]
fn bds_flags_the_last_value_up_to_day_1_as_baseline_and_derives_change() {
    let subjects = vec![subject(1, 1, None)];
    let scores: Vec<WhoScoreRecord> = [(-1, 4), (1, 5), (3, 6), (7, 4)]
        .iter()
        .map(|&(study_day, score)| WhoScoreRecord {
            subject_id: 1,
            study_day,
            score,
        })
        .collect();
    let adcps = adcps(&study(), &subjects, &scores).unwrap();
    assert_eq!(adcps.schema(), bds_schema());
    assert_eq!(adcps.rows(), 4);
    let ablfl: Vec<Option<String>> = (0..4).map(|r| str_at(&adcps, "ABLFL", r)).collect();
    assert_eq!(ablfl, vec![None, Some("Y".into()), None, None]);
    assert_eq!(str_at(&adcps, "AVISIT", 1).unwrap(), "Baseline");
    assert_eq!(int_at(&adcps, "AVISITN", 1), Some(0));
    assert_eq!(str_at(&adcps, "AVISIT", 2).unwrap(), "Day 3");
    let base: Vec<Option<f64>> = (0..4).map(|r| float_at(&adcps, "BASE", r)).collect();
    assert_eq!(base, vec![Some(5.0); 4]);
    let chg: Vec<Option<f64>> = (0..4).map(|r| float_at(&adcps, "CHG", r)).collect();
    assert_eq!(chg, vec![None, None, Some(1.0), Some(-1.0)]);
    assert_eq!(str_at(&adcps, "PARAMCD", 0).unwrap(), "WHOCPS");
    assert_eq!(
        str_at(&adcps, "AVALC", 3).unwrap(),
        "Hospitalised; no oxygen therapy"
    );

    let out_of_range = [WhoScoreRecord {
        subject_id: 1,
        study_day: 2,
        score: 11,
    }];
    assert!(super::adam::adcps(&study(), &subjects, &out_of_range).is_err());
    let day_zero = [WhoScoreRecord {
        subject_id: 1,
        study_day: 0,
        score: 5,
    }];
    assert!(super::adam::adcps(&study(), &subjects, &day_zero).is_err());
}

#[test]
fn adlb_keeps_baselines_per_parameter() {
    let subjects = vec![subject(1, 1, None)];
    let il6 = Parameter {
        code: "IL6".into(),
        label: "Interleukin 6 (pg/mL)".into(),
    };
    let lym = Parameter {
        code: "LYM".into(),
        label: "Lymphocytes (10^9/L)".into(),
    };
    let lab = |parameter: &Parameter, study_day, value| LabRecord {
        subject_id: 1,
        parameter: parameter.clone(),
        study_day,
        value,
    };
    let records = vec![
        lab(&il6, 1, 80.0),
        lab(&lym, 1, 0.7),
        lab(&il6, 4, 30.0),
        lab(&lym, 4, 1.1),
    ];
    let adlb = adlb(&study(), &subjects, &records).unwrap();
    assert_eq!(float_at(&adlb, "CHG", 2), Some(-50.0));
    assert!((float_at(&adlb, "CHG", 3).unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(str_at(&adlb, "AVALC", 0), None);
}

#[test]
fn adae_flags_first_occurrences_and_treatment_emergence() {
    let mut s1 = subject(1, 2, None);
    s1.treatment_start_day = Some(2);
    let subjects = vec![s1];
    let ae = |term: &str, start_day| AdverseEventRecord {
        subject_id: 1,
        term: term.to_lowercase(),
        decoded_term: term.into(),
        body_system: "General disorders".into(),
        severity: Severity::Mild,
        serious: false,
        related: true,
        outcome: AeOutcome::Recovered,
        start_day,
        end_day: Some(start_day + 1),
    };
    // Given out of onset order.
    let records = vec![ae("Pyrexia", 5), ae("Chills", 1), ae("Pyrexia", 3)];
    let adae = adae(&study(), &subjects, &records).unwrap();
    assert_eq!(adae.schema(), adae_schema());
    let column =
        |name: &str| -> Vec<Option<String>> { (0..3).map(|r| str_at(&adae, name, r)).collect() };
    assert_eq!(
        column("AEDECOD"),
        vec![
            Some("Chills".into()),
            Some("Pyrexia".into()),
            Some("Pyrexia".into())
        ]
    );
    assert_eq!(
        column("TRTEMFL"),
        vec![None, Some("Y".into()), Some("Y".into())]
    );
    assert_eq!(column("AOCCFL"), vec![Some("Y".into()), None, None]);
    assert_eq!(
        column("AOCCPFL"),
        vec![Some("Y".into()), Some("Y".into()), None]
    );
    assert_eq!(column("AESEV"), vec![Some("MILD".into()); 3]);
    assert_eq!(int_at(&adae, "AESEQ", 2), Some(3));
}

/// A synthetic trial: subjects 0..n with OS28 and daily WHO scores.
fn synthetic(
    ids: impl Iterator<Item = u64>,
) -> (
    Vec<SubjectRecord>,
    Vec<TimeToEventRecord>,
    Vec<WhoScoreRecord>,
) {
    let mut subjects = Vec::new();
    let mut tte = Vec::new();
    let mut scores = Vec::new();
    for id in ids {
        let dies = id.is_multiple_of(4);
        subjects.push(subject(
            id,
            1 + (id % 2) as i64,
            dies.then_some(3 + (id % 20) as i64),
        ));
        tte.push(TimeToEventRecord {
            subject_id: id,
            parameter: Parameter {
                code: "OS28".into(),
                label: "Time to Death up to Day 28 (days)".into(),
            },
            time_days: if dies { 2.0 + id as f64 / 7.0 } else { 28.0 },
            outcome: if dies {
                TteOutcome::Event {
                    description: "DEATH".into(),
                }
            } else {
                TteOutcome::Censored {
                    code: 1,
                    description: "ALIVE AT DAY 28".into(),
                }
            },
        });
        for day in 1..=5 {
            scores.push(WhoScoreRecord {
                subject_id: id,
                study_day: day,
                score: ((id + day as u64) % 11) as u8,
            });
        }
    }
    (subjects, tte, scores)
}

#[test]
fn merged_shards_are_byte_identical_to_an_unsharded_run() {
    use crate::results::ShardSpec;
    let n = 37;
    let (subjects, tte, scores) = synthetic(0..n);
    let whole = [
        adsl(&study(), &subjects).unwrap(),
        adtte(&study(), &subjects, &tte).unwrap(),
        adcps(&study(), &subjects, &scores).unwrap(),
    ];
    let count = 4;
    let shards: Vec<[Dataset; 3]> = (0..count)
        .rev() // shards complete in another order
        .map(|i| {
            let spec = ShardSpec::new(i, count).unwrap();
            let (subjects, tte, scores) = synthetic((0..n).filter(|&id| spec.contains(id)));
            [
                adsl(&study(), &subjects).unwrap(),
                adtte(&study(), &subjects, &tte).unwrap(),
                adcps(&study(), &subjects, &scores).unwrap(),
            ]
        })
        .collect();
    for (k, whole) in whole.iter().enumerate() {
        let parts: Vec<Dataset> = shards.iter().map(|s| s[k].clone()).collect();
        let merged = Dataset::merge_sorted_by(&parts, "USUBJID").unwrap();
        assert_eq!(
            merged.to_csv_bytes().unwrap(),
            whole.to_csv_bytes().unwrap(),
            "{}",
            whole.name()
        );
        #[cfg(feature = "parquet")]
        assert_eq!(
            super::parquet::to_parquet_bytes(&merged).unwrap(),
            super::parquet::to_parquet_bytes(whole).unwrap(),
            "{}",
            whole.name()
        );
    }
}

#[test]
fn merging_shards_with_different_schemas_is_an_error() {
    let other = Dataset::new("DEMO", "", vec![Column::int("AGE", "", vec![Some(1)])]).unwrap();
    assert!(matches!(
        Dataset::merge_sorted_by(&[small(), other], "USUBJID"),
        Err(DatasetError::SchemaMismatch { shard: 1, .. })
    ));
}

/// The CSV text as `csv::Writer` writes it, field by field (the reference for the dataset's
/// own writer, which encodes each distinct string once).
fn csv_writer_reference(d: &Dataset) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(d.columns().iter().map(|c| c.name.as_str()))
        .unwrap();
    for row in 0..d.rows() {
        for c in d.columns() {
            let text = match &c.values {
                Values::Str(v) => v.get(row).unwrap_or("").to_owned(),
                Values::Int(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
                Values::Float(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            };
            w.write_field(text).unwrap();
        }
        w.write_record(None::<&[u8]>).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn csv_text_is_what_csv_writer_writes() {
    let awkward = [
        Some(""),
        None,
        Some("plain"),
        Some("comma, inside"),
        Some("\"quoted\""),
        Some("line\nbreak"),
        Some("carriage\rreturn"),
        Some(" leading and trailing "),
        Some("#hash"),
        Some("ünïcödé, ∑"),
        Some("plain"),
    ];
    let n = awkward.len();
    let d = Dataset::new(
        "AWK",
        "Awkward text",
        vec![
            Column::str(
                "TEXT",
                "Text",
                awkward.iter().map(|s| s.map(str::to_owned)).collect(),
            ),
            Column::int(
                "N",
                "Integers",
                (0..n as i64)
                    .map(|i| (i != 3).then_some(i * -7_000_000_000))
                    .collect(),
            ),
            Column::float(
                "X",
                "Floats",
                [
                    0.1,
                    -0.0,
                    1e21,
                    1e-7,
                    f64::NAN,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    123.456,
                    5e-324,
                    f64::MAX,
                    2.0,
                ]
                .iter()
                .map(|&x| Some(x))
                .collect(),
            ),
            Column::str("EMPTY", "Always missing", vec![None; n]),
        ],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(d.to_csv_bytes().unwrap()).unwrap(),
        String::from_utf8(csv_writer_reference(&d)).unwrap()
    );
    // One column: csv::Writer quotes an empty field so that the record is not a blank line.
    let lone = Dataset::new(
        "ONE",
        "One column",
        vec![Column::str(
            "A",
            "A",
            vec![None, Some(String::new()), Some("x".into())],
        )],
    )
    .unwrap();
    assert_eq!(
        lone.to_csv_bytes().unwrap(),
        csv_writer_reference(&lone),
        "{}",
        String::from_utf8_lossy(&lone.to_csv_bytes().unwrap())
    );
    assert_eq!(lone.to_csv_bytes().unwrap(), b"A\n\"\"\n\"\"\nx\n");
}

proptest::proptest! {
    #[test]
    fn csv_text_matches_csv_writer_on_any_text(
        texts in proptest::collection::vec(proptest::option::of(".{0,12}"), 1..20),
        numbers in proptest::collection::vec(proptest::num::f64::ANY, 20),
    ) {
        let n = texts.len();
        let d = Dataset::new(
            "PROP",
            "Any text",
            vec![
                Column::str("T", "Text", texts),
                Column::float("X", "Floats", numbers[..n].iter().map(|&x| Some(x)).collect()),
            ],
        )
        .unwrap();
        proptest::prop_assert_eq!(d.to_csv_bytes().unwrap(), csv_writer_reference(&d));
    }
}
