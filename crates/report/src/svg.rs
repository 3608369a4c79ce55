//! Hand-written SVG charts. Written here rather than with `plotters` because the report needs
//! only step lines, bands, bars and intervals, and writing the markup directly keeps every
//! coordinate under our fixed formatting (byte-identical output) with no font machinery: text
//! is left to the browser's generic sans-serif font.

use crate::html::{esc, fixed};
use std::fmt::Write;

/// Colour-blind-safe arm colours (Okabe & Ito 2008, "Color Universal Design").
pub const ARM_COLOURS: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
];

/// The colour of the arm at `index` (cycling).
pub fn arm_colour(index: usize) -> &'static str {
    ARM_COLOURS[index % ARM_COLOURS.len()]
}

/// Decimals of SVG coordinates (0.1 px).
const COORD_DECIMALS: usize = 1;

fn c(x: f64) -> String {
    fixed(x, COORD_DECIMALS)
}

/// Days in a week (tick step of time axes).
const DAYS_PER_WEEK: f64 = 7.0;
/// Longest follow-up drawn with weekly ticks (12 weeks); longer ones get "nice" ticks.
pub const WEEKLY_TICKS_MAX_DAYS: f64 = 84.0;

/// One axis: data range, ticks and title; optionally logarithmic (base 10, positive data).
#[derive(Debug, Clone)]
pub struct Axis {
    /// Lowest value shown.
    pub min: f64,
    /// Highest value shown.
    pub max: f64,
    /// Tick positions (data units).
    pub ticks: Vec<f64>,
    /// Decimals of tick labels.
    pub decimals: usize,
    /// Title.
    pub title: String,
    /// Log scale.
    pub log: bool,
}

impl Axis {
    /// A linear axis over `[min, max]` widened to "nice" ticks (steps of 1, 2 or 5 × 10^k).
    pub fn linear(min: f64, max: f64, title: &str) -> Self {
        let (lo, hi) = if max > min {
            (min, max)
        } else {
            (min - 0.5, min + 0.5)
        };
        /// About this many intervals between ticks.
        const TARGET_TICKS: f64 = 5.0;
        let raw = (hi - lo) / TARGET_TICKS;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let start = (lo / step).floor() * step;
        let end = (hi / step).ceil() * step;
        let n = ((end - start) / step).round() as usize;
        let ticks = (0..=n).map(|i| start + i as f64 * step).collect();
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10().floor()) as usize
        };
        Self {
            min: start,
            max: end,
            ticks,
            decimals,
            title: title.to_owned(),
            log: false,
        }
    }

    /// A time axis in days from 0 to `max` with weekly ticks (0, 7, 14, …), the visits
    /// trialists report at; falls back to [`Axis::linear`] beyond [`WEEKLY_TICKS_MAX_DAYS`].
    pub fn days(max: f64, title: &str) -> Self {
        if !(max > 0.0 && max <= WEEKLY_TICKS_MAX_DAYS) {
            return Self::linear(0.0, max, title);
        }
        let weeks = (max / DAYS_PER_WEEK).ceil() as usize;
        Self {
            min: 0.0,
            max: weeks as f64 * DAYS_PER_WEEK,
            ticks: (0..=weeks).map(|w| w as f64 * DAYS_PER_WEEK).collect(),
            decimals: 0,
            title: title.to_owned(),
            log: false,
        }
    }

    /// A log axis over `[min, max]` (positive), ticks at 1, 2, 5 × 10^k inside it.
    pub fn log(min: f64, max: f64, title: &str) -> Self {
        let lo = min.max(f64::MIN_POSITIVE);
        let hi = max.max(lo * 1.01);
        let mut ticks = Vec::new();
        let mut k = lo.log10().floor() as i32;
        while 10f64.powi(k) <= hi * 10.0 {
            for m in [1.0, 2.0, 5.0] {
                let t = m * 10f64.powi(k);
                if t >= lo && t <= hi {
                    ticks.push(t);
                }
            }
            k += 1;
        }
        Self {
            min: lo,
            max: hi,
            ticks,
            decimals: 2,
            title: title.to_owned(),
            log: true,
        }
    }

    /// Position of `v` in [0, 1] along the axis.
    fn unit(&self, v: f64) -> f64 {
        if self.log {
            (v.max(self.min).ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (v - self.min) / (self.max - self.min)
        }
    }
}

/// A plotting frame: canvas size, margins and the two axes.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Canvas width, px.
    pub width: f64,
    /// Canvas height, px.
    pub height: f64,
    /// Left margin (y tick labels), px.
    pub left: f64,
    /// Right margin, px.
    pub right: f64,
    /// Top margin, px.
    pub top: f64,
    /// Bottom margin (x tick labels and title), px.
    pub bottom: f64,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
}

impl Frame {
    /// A frame with the report's standard size and margins.
    pub fn new(x: Axis, y: Axis) -> Self {
        Self {
            width: 860.0,
            height: 360.0,
            left: 64.0,
            right: 16.0,
            top: 16.0,
            bottom: 48.0,
            x,
            y,
        }
    }

    /// Pixel x of data x.
    pub fn px(&self, x: f64) -> f64 {
        self.left + self.x.unit(x) * (self.width - self.left - self.right)
    }

    /// Pixel y of data y.
    pub fn py(&self, y: f64) -> f64 {
        self.height - self.bottom - self.y.unit(y) * (self.height - self.top - self.bottom)
    }

    /// Opening tag, accessible title, grid, ticks and axis titles.
    pub fn open(&self, title: &str) -> String {
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" \
             width=\"{}\" height=\"{}\" role=\"img\"><title>{}</title>\n",
            c(self.width),
            c(self.height),
            c(self.width),
            c(self.height),
            esc(title)
        );
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.height - self.bottom, self.top);
        for &t in &self.y.ticks {
            let y = self.py(t);
            let _ = writeln!(
                s,
                "<path class=\"grid\" d=\"M{} {}H{}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" \
                 text-anchor=\"end\">{}</text>",
                c(x0),
                c(y),
                c(x1),
                c(x0 - 6.0),
                c(y + 4.0),
                fixed(t, self.y.decimals)
            );
        }
        for &t in &self.x.ticks {
            let x = self.px(t);
            let _ = writeln!(
                s,
                "<path class=\"axis\" d=\"M{} {}v5\"/><text class=\"tick\" x=\"{}\" y=\"{}\" \
                 text-anchor=\"middle\">{}</text>",
                c(x),
                c(y0),
                c(x),
                c(y0 + 18.0),
                fixed(t, self.x.decimals)
            );
        }
        let _ = writeln!(
            s,
            "<path class=\"axis\" d=\"M{} {}V{}H{}\"/>",
            c(x0),
            c(y1),
            c(y0),
            c(x1)
        );
        let _ = writeln!(
            s,
            "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            c((x0 + x1) / 2.0),
            c(self.height - 8.0),
            esc(&self.x.title)
        );
        let _ = writeln!(
            s,
            "<text class=\"axis-title\" transform=\"translate(14 {}) rotate(-90)\" \
             text-anchor=\"middle\">{}</text>",
            c((y0 + y1) / 2.0),
            esc(&self.y.title)
        );
        s
    }

    /// A right-continuous step line through `(x, y)` points, starting at `(x0, y0)`.
    pub fn step_path(&self, start: (f64, f64), points: &[(f64, f64)], end_x: f64) -> String {
        let mut d = format!("M{} {}", c(self.px(start.0)), c(self.py(start.1)));
        for &(x, y) in points {
            let _ = write!(d, "H{}V{}", c(self.px(x)), c(self.py(y)));
        }
        let _ = write!(d, "H{}", c(self.px(end_x)));
        d
    }

    /// A polyline through points (skipping none; callers pass finite values).
    pub fn line_path(&self, points: &[(f64, f64)]) -> String {
        let mut d = String::new();
        for (i, &(x, y)) in points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if i == 0 { "M" } else { "L" },
                c(self.px(x)),
                c(self.py(y))
            );
        }
        d
    }

    /// A closed band between lower and upper curves over the same x values.
    pub fn band_path(&self, x: &[f64], lower: &[f64], upper: &[f64]) -> String {
        let top: Vec<(f64, f64)> = x.iter().copied().zip(upper.iter().copied()).collect();
        let mut d = self.line_path(&top);
        for (&xi, &yi) in x.iter().zip(lower).rev() {
            let _ = write!(d, "L{} {}", c(self.px(xi)), c(self.py(yi)));
        }
        d.push('Z');
        d
    }
}

/// The frame of a forest plot: one row of `row_height` px per estimate on the `x` axis, `left`
/// px for the labels, `right` px for the numbers, no y ticks.
pub fn forest_frame(x: Axis, rows: usize, row_height: f64, left: f64, right: f64) -> Frame {
    let mut frame = Frame::new(x, Axis::linear(0.0, 1.0, ""));
    frame.left = left;
    frame.right = right;
    frame.height = rows as f64 * row_height + frame.top + frame.bottom;
    frame.y = Axis {
        ticks: Vec::new(),
        ..frame.y
    };
    frame
}

/// The x axis of a forest plot over `values` and the null value (1 for a ratio, on a log scale;
/// 0 otherwise), which the axis always spans; values that are not finite, or not positive on a
/// ratio scale, are left out. Returns the axis and the null value.
pub fn forest_axis(values: impl IntoIterator<Item = f64>, ratio: bool, title: &str) -> (Axis, f64) {
    let null: f64 = if ratio { 1.0 } else { 0.0 };
    let (lo, hi) = values
        .into_iter()
        .filter(|x| x.is_finite() && (!ratio || *x > 0.0))
        .fold((null, null), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let axis = if ratio {
        Axis::log(lo, hi, title)
    } else {
        Axis::linear(lo, hi, title)
    };
    (axis, null)
}

/// The dashed vertical line of a forest plot at the null value (`null` on the x axis).
pub fn null_line(frame: &Frame, null: f64) -> String {
    path(
        &format!(
            "M{} {}V{}",
            fixed(frame.px(null), 1),
            fixed(frame.top, 1),
            fixed(frame.height - frame.bottom, 1)
        ),
        "#555",
        "none",
        " stroke-dasharray=\"4 3\"",
    )
}

/// A `<path>` element.
pub fn path(d: &str, stroke: &str, fill: &str, extra: &str) -> String {
    format!("<path d=\"{d}\" stroke=\"{stroke}\" fill=\"{fill}\"{extra}/>\n")
}

/// A `<rect>` element (pixel units).
pub fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) -> String {
    format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect>\n",
        c(x),
        c(y),
        c(w.max(0.0)),
        c(h.max(0.0)),
        esc(tip)
    )
}

/// A `<text>` element (pixel units).
pub fn text(x: f64, y: f64, anchor: &str, class: &str, body: &str) -> String {
    format!(
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>\n",
        c(x),
        c(y),
        esc(body)
    )
}

/// An HTML legend of coloured swatches.
pub fn legend(entries: &[(String, &str)]) -> String {
    let mut s = String::from("<p class=\"legend\">");
    for (label, colour) in entries {
        let _ = write!(
            s,
            "<span><i style=\"background:{colour}\"></i>{}</span> ",
            esc(label)
        );
    }
    s.push_str("</p>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_linear_ticks_cover_the_range() {
        let a = Axis::linear(0.0, 28.0, "Day");
        assert_eq!(a.ticks, vec![0.0, 10.0, 20.0, 30.0]);
        let b = Axis::linear(0.0, 1.0, "S");
        assert_eq!(b.ticks, vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(b.decimals, 1);
    }

    #[test]
    fn day_axes_tick_weekly() {
        assert_eq!(
            Axis::days(28.0, "d").ticks,
            vec![0.0, 7.0, 14.0, 21.0, 28.0]
        );
        assert_eq!(Axis::days(12.0, "d").ticks, vec![0.0, 7.0, 14.0]);
        assert_eq!(Axis::days(365.0, "d").ticks.len(), 5); // 0, 100, …, 400
    }

    #[test]
    fn log_axis_maps_one_to_the_middle_of_a_symmetric_range() {
        let a = Axis::log(0.5, 2.0, "HR");
        assert!((a.unit(1.0) - 0.5).abs() < 1e-12);
        assert_eq!(a.ticks, vec![0.5, 1.0, 2.0]);
    }
}
