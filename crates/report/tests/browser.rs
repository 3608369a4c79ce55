//! Renders the seed trial's report in headless Chromium, both the synthetic fixture and a
//! results folder written by the real engine: no console errors, no failed requests, every
//! figure drawn, and a screenshot that is not blank. Skipped (with a notice) where Chromium is
//! not installed; `.ci/run` installs it.
//!
//! Set `REPORT_SCREENSHOT_DIR` to keep the screenshots and the HTML.

mod engine;
mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Figures in the seed trial's report (2 Kaplan–Meier, discharge, WHO bars, 5 trajectories,
/// forest, replicates).
const SEED_FIGURES: usize = 11;

/// Screenshot size, px (tall enough for the whole seed report).
const WINDOW: (u32, u32) = (1280, 9000);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut c = Command::new(chromium);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Lines of Chromium's log that report a page problem: console messages (errors included)
/// and failed network loads.
fn page_problems(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("net::ERR") || l.contains("Failed to load"))
        .collect()
}

/// `src`/`href`/`url(` references that would make the browser request something (anything but
/// an in-page `#anchor` or inline `data:`). Chromium does not always log a failed image or
/// style load, so the DOM is checked for requests as well as the log.
fn external_references(dom: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "url("] {
        for part in dom.split(attr).skip(1) {
            let target: String = part
                .chars()
                .take_while(|c| *c != '"' && *c != ')')
                .collect();
            if !(target.starts_with('#') || target.starts_with("data:")) {
                out.push(format!("{attr}{target}"));
            }
        }
    }
    out
}

/// Each `<svg>…</svg>` of the DOM.
fn svgs(dom: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<svg") {
        let Some(len) = rest[start..].find("</svg>") else {
            break;
        };
        out.push(&rest[start..start + len]);
        rest = &rest[start + len..];
    }
    out
}

/// Whether an SVG draws something: a path with a non-empty `d` or a rect of positive width.
fn draws_something(svg: &str) -> bool {
    let path = svg.split("<path").skip(1).any(|p| {
        p.split_once(" d=\"")
            .is_some_and(|(_, d)| d.split('"').next().is_some_and(|d| d.len() > 3))
    });
    let rect = svg.split("<rect").skip(1).any(|r| {
        r.split_once("width=\"")
            .and_then(|(_, w)| w.split('"').next()?.parse::<f64>().ok())
            .is_some_and(|w| w > 0.0)
    });
    path || rect
}

/// Decoded RGB(A) pixels: (width, height, channels, bytes).
fn decode_png(path: &Path) -> (u32, u32, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    (info.width, info.height, channels, buf)
}

/// Pixels within `tolerance` per channel of the colour.
fn pixels_near(pixels: &[u8], channels: usize, rgb: [u8; 3], tolerance: u8) -> usize {
    pixels
        .chunks_exact(channels)
        .filter(|p| (0..3).all(|k| p[k].abs_diff(rgb[k]) <= tolerance))
        .count()
}

#[test]
fn request_and_figure_checks_catch_what_they_should() {
    assert_eq!(
        external_references(
            r##"<img src="http://x/y.png"><a href="#km">k</a><i style="background:url(a.png)">"##
        ),
        vec!["src=\"http://x/y.png".to_owned(), "url(a.png".to_owned()]
    );
    assert!(!draws_something(r#"<svg><path d=""/><rect width="0"/>"#));
    assert!(draws_something(r#"<svg><rect x="1" width="2.5"/>"#));
    assert_eq!(
        page_problems("[1:INFO:CONSOLE:1] \"boom\"\n[2:ERROR:bus.cc] dbus\n"),
        vec!["[1:INFO:CONSOLE:1] \"boom\""]
    );
}

#[test]
fn seed_trial_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("NOTICE: chromium not installed; skipping the headless-browser report test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    fixture::write_seed_trial(&results, fixture::SEED_PROTOCOL);
    check_in_chromium(
        &chromium,
        dir.path(),
        &results,
        Some(SEED_FIGURES),
        "report-seed-trial",
    );
}

#[test]
fn engine_seed_trial_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("NOTICE: chromium not installed; skipping the headless-browser report test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    engine::run_seed_trial(&results, 60);
    check_in_chromium(
        &chromium,
        dir.path(),
        &results,
        None,
        "report-engine-seed-trial",
    );
}

/// Renders `results`' report in Chromium and checks console, requests, figures (`figures`:
/// how many, when known) and the screenshot; keeps them as `name`.png/.html under
/// `REPORT_SCREENSHOT_DIR` when set.
fn check_in_chromium(
    chromium: &Path,
    dir: &Path,
    results: &Path,
    figures: Option<usize>,
    name: &str,
) {
    let report = report::write_report(results).unwrap();
    let url = format!("file://{}", report.display());

    // DOM and console.
    let profile = dir.join("profile-dom");
    let out = headless(chromium, &profile)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {out:?}");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let problems = page_problems(&log);
    assert!(
        problems.is_empty(),
        "console errors or failed requests: {problems:#?}"
    );
    let requests = external_references(&dom);
    assert!(
        requests.is_empty(),
        "the report requests resources: {requests:?}"
    );
    let drawn = svgs(&dom);
    match figures {
        Some(n) => assert_eq!(drawn.len(), n, "figures in the DOM"),
        None => assert!(
            drawn.len() >= SEED_FIGURES,
            "{} figures in the DOM",
            drawn.len()
        ),
    }
    for svg in &drawn {
        assert!(
            draws_something(svg),
            "empty figure: {}",
            &svg[..svg.len().min(300)]
        );
    }

    // Screenshot.
    let shot = dir.join("report.png");
    let profile = dir.join("profile-shot");
    let out = headless(chromium, &profile)
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium screenshot failed: {out:?}");
    let (width, height, channels, pixels) = decode_png(&shot);
    assert_eq!((width, height), WINDOW);
    let total = pixels.len() / channels;
    let white = pixels_near(&pixels, channels, [255, 255, 255], 4);
    assert!(
        white < total * 97 / 100,
        "screenshot is (almost) blank: {white} of {total} white"
    );
    // The two arm colours (Okabe–Ito blue and vermilion) are drawn.
    for (name, rgb) in [
        ("blue", [0x00, 0x72, 0xB2]),
        ("vermilion", [0xD5, 0x5E, 0x00]),
    ] {
        let n = pixels_near(&pixels, channels, rgb, 24);
        assert!(n > 500, "arm colour {name} drawn on only {n} pixels");
    }
    if let Some(keep) = std::env::var_os("REPORT_SCREENSHOT_DIR") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&shot, keep.join(format!("{name}.png"))).unwrap();
        std::fs::copy(&report, keep.join(format!("{name}.html"))).unwrap();
    }
}
