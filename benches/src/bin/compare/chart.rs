//! The PNG chart: MB/s against event size, publish and receive + acknowledge side by side.
//! Text is drawn with an embedded DejaVu Sans (plotters' `ab_glyph` backend), so the chart needs
//! no fontconfig or freetype on the machine.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::report::Results;
use crate::spec::{Phase, System};

const FONT: &str = "sans-serif";

/// Which phase of an outcome a panel shows.
type Pick = fn(&crate::spec::Outcome) -> Phase;

fn color(system: System) -> RGBColor {
    match system {
        System::Physical => RGBColor(90, 90, 90),
        System::Embedded => RGBColor(31, 119, 180),
        System::Http => RGBColor(44, 160, 44),
        System::Nats => RGBColor(214, 39, 40),
        System::Sqlite => RGBColor(255, 127, 14),
    }
}

/// Axis ticks of the log scale fall on powers of ten: decimal units.
fn size_label(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{:.0} MB", bytes / 1e6)
    } else if bytes >= 1e3 {
        format!("{:.0} kB", bytes / 1e3)
    } else {
        format!("{bytes:.0} B")
    }
}

fn points(results: &Results, system: System, pick: Pick) -> Vec<(f64, f64)> {
    results
        .sweep
        .iter()
        .filter(|(s, _, _)| *s == system)
        .filter_map(|(_, size, r)| {
            let phase = pick(&r.as_ref().ok()?.outcome);
            let mbps = phase.mb_per_sec();
            (mbps > 0.0).then_some((*size as f64, mbps))
        })
        .collect()
}

/// Draws the chart into `path`.
pub fn draw(path: &Path, results: &Results, subtitle: &str) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    // A second registration (same name) just replaces the font.
    plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded font did not load".to_owned())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    }
    let root = BitMapBackend::new(path, (1500, 680)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let root = root
        .titled(
            &format!("Durable throughput vs event size (one producer / one consumer) — {subtitle}"),
            (FONT, 24),
        )
        .map_err(|x| e(&x))?;
    let panels = root.split_evenly((1, 2));
    let picks: [(&str, Pick); 2] = [
        ("durable publish (batches ≤ 100, ≤ 1 MB)", |o| o.publish),
        ("receive + acknowledge (same batches)", |o| o.consume),
    ];
    let systems: Vec<System> = System::ALL
        .into_iter()
        .filter(|s| results.sweep.iter().any(|(x, _, _)| x == s))
        .collect();
    for (area, (title, pick)) in panels.iter().zip(picks) {
        let series: Vec<(System, Vec<(f64, f64)>)> = systems
            .iter()
            .map(|&s| (s, points(results, s, pick)))
            .collect();
        let all = series.iter().flat_map(|(_, p)| p.iter().map(|&(_, y)| y));
        let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
        let (lo, hi) = if lo <= hi {
            (lo / 2.0, hi * 2.0)
        } else {
            (0.1, 10.0)
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, (FONT, 20))
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d((180.0_f64..1.5e6_f64).log_scale(), (lo..hi).log_scale())
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_desc("event size (points: 256 B, 1 KiB, 4 KiB, 64 KiB, 1 MB)")
            .y_desc("MB/s (log)")
            .x_label_formatter(&|v| size_label(*v))
            .y_label_formatter(&|v| {
                if *v >= 10.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(|x| e(&x))?;
        for (system, pts) in series {
            if pts.is_empty() {
                continue;
            }
            let c = color(system);
            let style = c.stroke_width(if system == System::Physical { 2 } else { 3 });
            if system == System::Physical {
                chart
                    .draw_series(DashedLineSeries::new(pts.clone(), 8, 6, style))
                    .map_err(|x| e(&x))?
                    .label(system.label())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            } else {
                chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(|x| e(&x))?
                    .label(system.label())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            }
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, c.filled())))
                .map_err(|x| e(&x))?;
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 14))
            .border_style(BLACK)
            .background_style(WHITE.mix(0.85))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(|x| e(&x))?;
    }
    root.present().map_err(|x| e(&x))?;
    Ok(())
}
