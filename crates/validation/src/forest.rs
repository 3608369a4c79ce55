//! Forest plot of replicas: per replica, the published estimate with its interval (grey) and
//! the simulated estimate with its Monte-Carlo interval (blue), drawn with the report crate's
//! hand-written SVG helpers ([`report::svg`]). Ratios share a log axis; proportions and
//! differences are drawn in a second panel on a linear axis.

use report::html::fixed;
use report::svg::{Axis, Frame, forest_axis, forest_frame, null_line, path, rect, text};

use crate::ReplicaResult;
use protocol::validation::CiKind;

/// Row height, px.
const ROW: f64 = 34.0;
/// Width of the label column, px.
const LABELS: f64 = 250.0;
/// Width of the number column on the right, px.
const NUMBERS: f64 = 200.0;
/// Published colour (grey) and simulated colour (Okabe–Ito blue).
const PUBLISHED: &str = "#7f7f7f";
const SIMULATED: &str = "#0072B2";
/// Styles of the standalone file (the report's `svg.chart` rules).
const STYLE: &str = "<style>text{font-family:sans-serif;font-size:11px;fill:#333}\
.axis-title{font-size:12px}.grid{stroke:#e5e5e5;fill:none}.axis{stroke:#333;fill:none}</style>\n";

fn is_ratio(measure: &str) -> bool {
    measure.ends_with("_ratio")
}

/// One panel (a nested `<svg>`) for `rows`, all on one scale.
fn panel(rows: &[&ReplicaResult], ratio: bool) -> (String, f64) {
    let values = rows.iter().flat_map(|r| {
        [
            r.published,
            r.ci[0],
            r.ci[1],
            r.simulated,
            r.mc_ci[0],
            r.mc_ci[1],
        ]
    });
    let title = if ratio {
        "ratio (log scale)"
    } else {
        "proportion or difference"
    };
    let (x, null) = forest_axis(values, ratio, title);
    let frame = forest_frame(x, rows.len(), ROW, LABELS, NUMBERS);
    let mut s = frame.open(&format!("Replicas: simulated vs published, {title}"));
    let top = frame.top;
    if ratio {
        s.push_str(&null_line(&frame, null));
    }
    let clamp = |v: f64| v.clamp(frame.x.min, frame.x.max);
    let line = |y: f64, l: f64, r: f64, colour: &str, width: f64| {
        path(
            &format!(
                "M{} {}H{}",
                fixed(frame.px(clamp(l)), 1),
                fixed(y, 1),
                fixed(frame.px(clamp(r)), 1)
            ),
            colour,
            "none",
            &format!(" stroke-width=\"{width}\""),
        )
    };
    for (k, r) in rows.iter().enumerate() {
        let y = top + (k as f64 + 0.5) * ROW;
        let (yp, ys) = (y - 6.0, y + 6.0);
        s.push_str(&text(8.0, y + 4.0, "start", "tick", &r.replica));
        let published_lo = match r.ci_kind {
            CiKind::TwoSided95 => r.ci[0],
            CiKind::UpperOneSided90 => frame.x.min,
        };
        s.push_str(&line(yp, published_lo, r.ci[1], PUBLISHED, 3.0));
        let px = frame.px(clamp(r.published));
        s.push_str(&rect(
            px - 4.0,
            yp - 4.0,
            8.0,
            8.0,
            PUBLISHED,
            &format!("{}: published {}", r.replica, fixed(r.published, 3)),
        ));
        s.push_str(&line(ys, r.mc_ci[0], r.mc_ci[1], SIMULATED, 1.5));
        let sx = frame.px(clamp(r.simulated));
        s.push_str(&rect(
            sx - 4.0,
            ys - 4.0,
            8.0,
            8.0,
            SIMULATED,
            &format!("{}: simulated {}", r.replica, fixed(r.simulated, 3)),
        ));
        let verdict = if r.inside { "inside" } else { "outside" };
        s.push_str(&text(
            frame.width - 4.0,
            y + 4.0,
            "end",
            "tick",
            &format!(
                "{} vs {} · {verdict}",
                fixed(r.published, 2),
                fixed(r.simulated, 2)
            ),
        ));
    }
    s.push_str("</svg>\n");
    (s, frame.height)
}

/// The forest plot of `results` as a standalone SVG document.
pub fn svg(results: &[ReplicaResult]) -> String {
    let ratios: Vec<&ReplicaResult> = results.iter().filter(|r| is_ratio(r.measure)).collect();
    let others: Vec<&ReplicaResult> = results.iter().filter(|r| !is_ratio(r.measure)).collect();
    let mut body = String::new();
    let mut y = 0.0;
    let mut width: f64 = 0.0;
    for (rows, ratio) in [(ratios, true), (others, false)] {
        if rows.is_empty() {
            continue;
        }
        let (panel, height) = panel(&rows, ratio);
        body.push_str(&format!("<g transform=\"translate(0 {})\">\n", fixed(y, 1)));
        body.push_str(&panel);
        body.push_str("</g>\n");
        y += height;
        width = width.max(Frame::new(Axis::linear(0.0, 1.0, ""), Axis::linear(0.0, 1.0, "")).width);
    }
    let legend_y = y + 16.0;
    let legend = format!(
        "<rect x=\"8\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{PUBLISHED}\"/>\
         <text x=\"24\" y=\"{}\">published estimate and interval</text>\
         <rect x=\"260\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{SIMULATED}\"/>\
         <text x=\"276\" y=\"{}\">simulated estimate and Monte-Carlo 95% interval</text>\n",
        fixed(legend_y - 9.0, 1),
        fixed(legend_y, 1),
        fixed(legend_y - 9.0, 1),
        fixed(legend_y, 1)
    );
    let height = legend_y + 10.0;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\"><title>Replicas of published trials: simulated vs published</title>\n\
         {STYLE}<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n{body}{legend}</svg>\n",
        w = fixed(width, 1),
        h = fixed(height, 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::validation::EffectSource;

    fn result(name: &str, measure: &'static str, published: f64, simulated: f64) -> ReplicaResult {
        ReplicaResult {
            replica: name.into(),
            study: name.into(),
            measure,
            published,
            ci: [published * 0.8, published * 1.2],
            ci_kind: CiKind::TwoSided95,
            simulated,
            mc_ci: [simulated * 0.9, simulated * 1.1],
            inside: false,
            effect: EffectSource::Twin,
            endpoint: "death".into(),
            patients: 10,
            screened: 10,
            arm_risks: vec![],
            source: String::new(),
        }
    }

    #[test]
    fn one_row_per_replica_in_two_panels() {
        let s = svg(&[
            result("a", "risk_ratio", 0.5, 0.7),
            result("b", "proportion", 0.065, 0.2),
            result("c", "risk_ratio", 1.0, 1.0),
        ]);
        assert_eq!(s.matches("<svg").count(), 3, "outer + two panels");
        for name in [
            "a: published 0.500",
            "b: simulated 0.200",
            "c: published 1.000",
        ] {
            assert!(s.contains(name), "{name}");
        }
        assert_eq!(s.matches("outside").count(), 3);
        // Ratio panel first: row a above row b's panel.
        assert!(s.find(">a<").unwrap() < s.find(">b<").unwrap());
    }
}
