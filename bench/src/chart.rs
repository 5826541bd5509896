//! The bench table as an SVG bar chart: generation and prompt tokens/s and time
//! to first token per row (medians), with llama-bench's figure marked as the
//! ceiling on the two speed panels. Plain SVG text, no dependency.

use crate::measure::{median, Sample};
use std::fmt::Write;

const ROW_HEIGHT: f64 = 18.0;
const LABEL_WIDTH: f64 = 190.0;
const BAR_WIDTH: f64 = 260.0;
const PANEL_GAP: f64 = 40.0;

/// One panel: a figure per row, and the ceiling's value, if any, drawn as a line.
struct Panel {
    title: &'static str,
    get: fn(&Sample) -> f64,
}

const PANELS: [Panel; 3] = [
    Panel { title: "generation tokens/s", get: |s| s.tg },
    Panel { title: "prompt tokens/s", get: |s| s.pp },
    Panel { title: "time to first token, ms", get: |s| s.ttft_ms },
];

/// The chart for `rows`, `ceiling` naming llama-bench's row; `caption` says how it was made.
pub fn svg(rows: &[(&str, Vec<Sample>)], ceiling: Option<usize>, caption: &str) -> String {
    let med = |samples: &[Sample], get: fn(&Sample) -> f64| median(&mut samples.iter().map(get).collect::<Vec<_>>());
    let panel_height = 30.0 + ROW_HEIGHT * rows.len() as f64;
    let width = LABEL_WIDTH + 3.0 * (BAR_WIDTH + PANEL_GAP);
    let height = panel_height + 40.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, (name, _)) in rows.iter().enumerate() {
        let y = 30.0 + ROW_HEIGHT * i as f64 + 12.0;
        let _ = writeln!(out, r#"<text x="4" y="{y}">{}</text>"#, escape(name));
    }
    for (p, panel) in PANELS.iter().enumerate() {
        let x0 = LABEL_WIDTH + p as f64 * (BAR_WIDTH + PANEL_GAP);
        let values: Vec<f64> = rows.iter().map(|(_, s)| med(s, panel.get)).collect();
        let top = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        let _ = writeln!(out, r#"<text x="{x0}" y="16" font-weight="bold">{}</text>"#, panel.title);
        for (i, value) in values.iter().enumerate() {
            let y = 30.0 + ROW_HEIGHT * i as f64;
            if !value.is_finite() {
                let _ = writeln!(out, r#"<text x="{x0}" y="{}" fill="gray">n/a</text>"#, y + 12.0);
                continue;
            }
            let w = BAR_WIDTH * value / top;
            let fill = if Some(i) == ceiling { "#888" } else { "#3b7dd8" };
            let _ = writeln!(
                out,
                r#"<rect x="{x0}" y="{}" width="{w:.1}" height="{}" fill="{fill}"/>"#,
                y + 2.0,
                ROW_HEIGHT - 4.0
            );
            let _ = writeln!(out, r#"<text x="{:.1}" y="{}">{value:.1}</text>"#, x0 + w + 3.0, y + 12.0);
        }
        if let Some(c) = ceiling.filter(|_| p < 2).map(|c| values[c]).filter(|v| v.is_finite()) {
            let x = x0 + BAR_WIDTH * c / top;
            let _ = writeln!(
                out,
                r##"<line x1="{x:.1}" y1="24" x2="{x:.1}" y2="{panel_height}" stroke="#c33" stroke-dasharray="4 3"/>"##
            );
        }
    }
    let _ = writeln!(out, r##"<text x="4" y="{}" fill="#555">{}</text>"##, height - 10.0, escape(caption));
    out.push_str("</svg>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
