//! `--give` parsing: examples from the issue, and errors that suggest the right name.

use therapy::give::{GiveError, parse};
use therapy::{PathogenReduction, RegimenItem, SpecError};

#[test]
fn examples_from_the_issue_parse() {
    let plasma = parse("plasma@3:units=2,titer=1000,reduction=amotosalen").unwrap();
    match &plasma.items[..] {
        [RegimenItem::Plasma(p)] => {
            assert_eq!(p.spec().first_day, 3.0);
            assert_eq!(p.spec().units_per_dose, 2);
            assert_eq!(p.spec().titer_id50, Some(1000.0));
            assert_eq!(p.spec().pathogen_reduction, PathogenReduction::Amotosalen);
        }
        other => panic!("{other:?}"),
    }
    let msc = parse("msc@7:dose=1e6,infusions=3").unwrap();
    assert!(matches!(&msc.items[..], [RegimenItem::Msc(m)] if m.spec().infusions == 3));
    let dex = parse("dexamethasone@5").unwrap();
    assert!(matches!(&dex.items[..], [RegimenItem::Standard(_)]));
    assert_eq!(parse("standard_therapy_2020@0").unwrap().items.len(), 2);
}

#[test]
fn unknown_product_suggests_the_nearest() {
    let err = parse("plasm@3").unwrap_err();
    assert_eq!(
        err,
        GiveError::UnknownProduct {
            name: "plasm".into(),
            suggestion: Some("plasma".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown product `plasm`; did you mean `plasma`?"
    );
    let err = parse("dexamethazone@1").unwrap_err();
    assert!(
        err.to_string().ends_with("did you mean `dexamethasone`?"),
        "{err}"
    );
    // Nothing close: no suggestion.
    assert!(matches!(
        parse("aspirin@1"),
        Err(GiveError::UnknownProduct {
            suggestion: None,
            ..
        })
    ));
}

#[test]
fn unknown_key_and_choice_suggest_the_nearest() {
    let err = parse("plasma@3:unit=2").unwrap_err();
    assert!(
        matches!(&err, GiveError::UnknownKey { key, suggestion: Some(s), .. } if key == "unit" && s == "units"),
        "{err:?}"
    );
    let err = parse("plasma@3:reduction=amotosalan").unwrap_err();
    assert!(
        matches!(&err, GiveError::BadValue { suggestion: Some(s), .. } if s == "amotosalen"),
        "{err:?}"
    );
    // A key valid for another product is still unknown here.
    assert!(matches!(
        parse("remdesivir@1:mg=200"),
        Err(GiveError::UnknownKey { .. })
    ));
}

#[test]
fn malformed_and_out_of_range_values_are_typed_errors() {
    assert!(matches!(parse("plasma"), Err(GiveError::Syntax { .. })));
    assert!(matches!(
        parse("plasma@day3"),
        Err(GiveError::Syntax { .. })
    ));
    assert!(matches!(
        parse("plasma@3:units"),
        Err(GiveError::Syntax { .. })
    ));
    assert!(matches!(
        parse("plasma@3:units=two"),
        Err(GiveError::BadValue { .. })
    ));
    assert!(matches!(
        parse("plasma@3:units=0"),
        Err(GiveError::Spec(SpecError::OutOfBounds {
            field: "units_per_dose",
            ..
        }))
    ));
    assert!(matches!(
        parse("msc@1:viability=1.5"),
        Err(GiveError::Spec(SpecError::OutOfBounds {
            field: "viability",
            ..
        }))
    ));
    assert!(matches!(parse("plasma@-1"), Err(GiveError::Spec(_))));
    assert!(matches!(parse("plasma@NaN"), Err(GiveError::Spec(_))));
}

#[test]
fn protocol_tables_deserialize_into_regimen_items() {
    use therapy::abo::AboFrequencies;
    use therapy::regimen::RegimenItemSpec;
    let spec: RegimenItemSpec = toml::from_str(
        r#"
        product = "plasma"
        first_day = 1
        doses = 3
        units_per_dose = 1
        unit_volume_ml = 300
        pathogen_reduction = "methylene_blue"
        qualification = { assay = "prnt50", min_id50 = 160 }
        "#,
    )
    .unwrap();
    let item = RegimenItem::from_spec(spec, AboFrequencies::ITALY).unwrap();
    assert!(
        matches!(item, RegimenItem::Plasma(p) if p.spec().pathogen_reduction == PathogenReduction::MethyleneBlue)
    );
    let dex: RegimenItemSpec =
        toml::from_str("product = \"dexamethasone\"\nfirst_day = 7\ndaily_mg = 12").unwrap();
    assert!(matches!(
        RegimenItem::from_spec(dex, AboFrequencies::ITALY),
        Ok(RegimenItem::Standard(_))
    ));
    // Unknown keys are errors.
    assert!(toml::from_str::<RegimenItemSpec>("product = \"msc\"\ncells = 1e6").is_err());
    assert!(toml::from_str::<RegimenItemSpec>("product = \"plasm\"\nfirst_day = 1").is_err());
}

#[test]
fn unknown_protocol_key_error_names_the_key() {
    let err = toml::from_str::<therapy::regimen::RegimenItemSpec>("product = \"msc\"\ncells = 1e6")
        .unwrap_err();
    assert!(err.to_string().contains("cells"), "{err}");
    let ok: therapy::regimen::RegimenItemSpec = toml::from_str(
        "product = \"msc\"\nfirst_day = 2\ndose = { flat_cells = 1e8 }\ninfusions = 2",
    )
    .unwrap();
    assert!(matches!(ok, therapy::regimen::RegimenItemSpec::Msc(m) if m.infusions == 2));
}
