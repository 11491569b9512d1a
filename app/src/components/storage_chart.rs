//! A registry's stored bytes over time as an SVG drawn on the server: the parts (environments or
//! namespaces) stacked as areas, the registry's total as a line, a point per snapshot whose
//! title shows its moment and value on hover. Written by hand rather than with a plotting crate:
//! the chart is a few paths, its colours come from the page's CSS (so it follows light and dark
//! mode, which a library's baked-in colours would not), and no chart code reaches the WASM.
//! The SVG is one string rather than a view tree: a year of points is hundreds of nodes that
//! never change, and building them as reactive views costs far more than formatting text.

use crate::dto::{StorageChartData, When};
use crate::format;
use leptos::prelude::*;
use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// The chart with its legend and, as its text alternative, the same figures as a table.
#[component]
pub fn StorageChart(registry: String, chart: StorageChartData) -> impl IntoView {
    if chart.times.is_empty() {
        return view! {
            <p class="muted empty-chart">"No snapshot in this range yet. One is taken after every crawl and every hour."</p>
        }
        .into_any();
    }
    let label = describe(&registry, &chart);
    let svg = chart_svg(&chart, &label);
    let legend = chart
        .parts
        .iter()
        .enumerate()
        .map(|(i, part)| view! { <li><span class=format!("swatch part-{i}")></span>{part.name.clone()}</li> })
        .collect_view();
    let estimated = (!chart.estimated.is_empty()).then(|| {
        view! { <li><span class="swatch estimated"></span>"estimated from image build dates (before the first snapshot)"</li> }
    });
    view! {
        <div class="chart" data-range=chart.range.clone() inner_html=svg></div>
        <ul class="legend">
            <li><span class="swatch total"></span>"total"</li>
            {legend}
            {estimated}
        </ul>
        <details class="chart-table">
            <summary>"Show as a table"</summary>
            <ChartTable chart />
        </details>
    }
    .into_any()
}

/// The storage thresholds crossed now, on the dashboard and the storage page.
#[component]
pub fn StorageAlertBanner(alerts: Vec<crate::dto::AlertItem>) -> impl IntoView {
    (!alerts.is_empty()).then(|| {
        view! {
            <div class="banner warning" role="alert" aria-label="Storage alerts">
                <strong>"Storage: "</strong>
                <ul>
                    {alerts.iter().map(|a| view! { <li>{a.sentence()}</li> }).collect_view()}
                </ul>
                <a href=crate::routes::storage("", "")>"See storage"</a>
            </div>
        }
    })
}

/// A registry card's stored bytes over the last 7 days: a line, no axes; a link to the storage
/// page says what it is and where the numbers are.
#[component]
pub fn Sparkline(registry: String, values: Vec<u64>) -> impl IntoView {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return ().into_any();
    };
    let label = format!(
        "Stored bytes of {registry} over 7 days: {} then, {} now",
        format::human_size(*first),
        format::human_size(*last)
    );
    let svg = sparkline_svg(&values, &label);
    view! {
        <a class="sparkline" href=crate::routes::storage("", "7d") title=label.clone()>
            <span inner_html=svg></span>
            <span class="muted">{format!("stored {}", format::human_size(*last))}</span>
        </a>
    }
    .into_any()
}

/// A 120×24 line through `values`, scaled between their least and their most (a sparkline
/// shows the shape of a change, not its size).
pub fn sparkline_svg(values: &[u64], label: &str) -> String {
    let (low, high) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    let span = (high - low).max(1) as f64;
    let step = 120.0 / (values.len().max(2) - 1) as f64;
    let mut svg = format!(
        r#"<svg class="spark" viewBox="0 0 120 24" width="120" height="24" role="img" aria-label="{}"><path d=""#,
        escape(label)
    );
    let points = match values.len() {
        1 => vec![values[0], values[0]],
        _ => values.to_vec(),
    };
    for (i, value) in points.iter().enumerate() {
        let y = 22.0 - (value - low) as f64 / span * 20.0;
        let _ = write!(
            svg,
            "{}{:.1},{y:.1}",
            ["L", "M"][(i == 0) as usize],
            i as f64 * step
        );
    }
    svg.push_str(r#""/></svg>"#);
    svg
}

/// Rows of a chart's table at most: a week of hourly points would be 168, and the CSV download
/// has every one of them.
const TABLE_ROWS: usize = 31;

/// Of the table's rows, at most this many are estimated ones.
const ESTIMATED_ROWS: usize = 10;

#[component]
fn ChartTable(chart: StorageChartData) -> impl IntoView {
    let blanks = chart.parts.len();
    let estimated = sample(chart.estimated.len(), ESTIMATED_ROWS)
        .into_iter()
        .map(|i| {
            let (when, bytes) = chart.estimated[i];
            view! {
                <tr class="estimated">
                    <td class="nowrap">{format::date_time(when)}</td>
                    <td>{format!("{} (estimated)", format::human_size(bytes))}</td>
                    {(0..blanks).map(|_| view! { <td>"–"</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let rows = sample(chart.times.len(), TABLE_ROWS)
        .into_iter()
        .map(|i| {
            let when = &chart.times[i];
            let parts = chart
                .parts
                .iter()
                .map(|p| view! { <td>{format::human_size(p.values[i])}</td> })
                .collect_view();
            view! {
                <tr>
                    <td class="nowrap">{format::date_time(*when)}</td>
                    <td>{format::human_size(chart.total[i])}</td>
                    {parts}
                </tr>
            }
        })
        .collect_view();
    let heads = chart
        .parts
        .iter()
        .map(|p| view! { <th>{p.name.clone()}</th> })
        .collect_view();
    view! {
        <table>
            <thead><tr><th>"When"</th><th>"Total"</th>{heads}</tr></thead>
            <tbody>{estimated}{rows}</tbody>
        </table>
    }
}

/// At most `most` indexes of `0..len`, evenly spread, the first and the last among them.
fn sample(len: usize, most: usize) -> Vec<usize> {
    if len <= most {
        return (0..len).collect();
    }
    (0..most).map(|k| k * (len - 1) / (most - 1)).collect()
}

/// What a screen reader announces for the chart.
fn describe(registry: &str, chart: &StorageChartData) -> String {
    let first = chart.total.first().copied().unwrap_or(0);
    let last = chart.total.last().copied().unwrap_or(0);
    let estimated = match chart.estimated.first() {
        Some((_, bytes)) => format!(
            " (estimated {} before the first snapshot)",
            format::human_size(*bytes)
        ),
        None => String::new(),
    };
    format!(
        "Stored bytes of {registry} over {}: {} then, {} now{estimated}",
        chart.range,
        format::human_size(first),
        format::human_size(last)
    )
}

/// The SVG text. One snapshot draws a flat line across the chart.
pub fn chart_svg(chart: &StorageChartData, label: &str) -> String {
    let seconds: Vec<f64> = chart.times.iter().map(|w| w.unix_seconds as f64).collect();
    let estimated: Vec<(f64, u64)> = chart
        .estimated
        .iter()
        .map(|(w, bytes)| (w.unix_seconds as f64, *bytes))
        .collect();
    // The estimated past, when there is one, comes before the first snapshot on the same axis.
    let t0 = estimated
        .first()
        .map_or(seconds[0], |e| e.0.min(seconds[0]));
    let t1 = seconds[seconds.len() - 1];
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |t: f64| match t1 > t0 {
        true => LEFT + (t - t0) / (t1 - t0) * plot_w,
        false => LEFT + plot_w / 2.0,
    };
    let top = chart
        .total
        .iter()
        .chain(estimated.iter().map(|e| &e.1))
        .copied()
        .max()
        .unwrap_or(0);
    let stacked_top = (0..seconds.len())
        .map(|i| chart.parts.iter().map(|p| p.values[i]).sum::<u64>())
        .max()
        .unwrap_or(0);
    let y_max = nice_ceiling(top.max(stacked_top));
    let y = |v: u64| TOP + plot_h - v as f64 / y_max as f64 * plot_h;
    // With one snapshot, the same values hold across the whole width.
    let xs: Vec<f64> = match t1 > t0 {
        true => seconds.iter().map(|t| x(*t)).collect(),
        false => vec![LEFT, LEFT + plot_w],
    };
    let at = |values: &[u64], i: usize| values[i.min(values.len() - 1)];

    let mut svg = String::with_capacity(4096 + 160 * seconds.len());
    let _ = write!(
        svg,
        r#"<svg class="storage-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        escape(label)
    );
    for step in 0..=4 {
        let value = y_max / 4 * step;
        let gy = y(value);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{gy:.1}" y2="{gy:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            format::human_size(value)
        );
    }
    for step in 0..=3 {
        let t = t0 + (t1 - t0) * step as f64 / 3.0;
        let anchor = ["start", "middle", "middle", "end"][step];
        let when = When {
            unix_seconds: t as i64,
        };
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
            LEFT + plot_w * step as f64 / 3.0,
            HEIGHT - 8.0,
            axis_label(when, &chart.range)
        );
    }
    // Part k's band lies between the sum of the parts before it and the sum including it.
    // Each part is drawn from the baseline up to its sum, the highest first, so each path needs
    // only its top edge and the next one paints over all but the band.
    let mut sums: Vec<Vec<u64>> = Vec::with_capacity(chart.parts.len());
    for part in &chart.parts {
        let below = sums.last();
        let sum = (0..xs.len())
            .map(|i| below.map_or(0, |b| b[i]) + at(&part.values, i))
            .collect();
        sums.push(sum);
    }
    let baseline = y(0);
    for (k, part) in chart.parts.iter().enumerate().rev() {
        let _ = write!(
            svg,
            r#"<path class="area part-{k}" d="M{:.0},{baseline:.0}"#,
            xs[0]
        );
        for (i, px) in xs.iter().enumerate() {
            let _ = write!(svg, "L{px:.0},{:.0}", y(sums[k][i]));
        }
        let _ = write!(
            svg,
            r#"L{:.0},{baseline:.0}Z"><title>{}</title></path>"#,
            xs[xs.len() - 1],
            escape(&part.name)
        );
    }
    if !estimated.is_empty() {
        let _ = write!(svg, r#"<path class="estimated" d=""#);
        for (i, (t, bytes)) in estimated.iter().enumerate() {
            let _ = write!(
                svg,
                "{}{:.1},{:.1} ",
                ["L", "M"][(i == 0) as usize],
                x(*t),
                y(*bytes)
            );
        }
        let _ = write!(svg, r#"L{:.1},{:.1}"/>"#, xs[0], y(chart.total[0]));
        for ((t, bytes), (when, _)) in estimated.iter().zip(&chart.estimated) {
            let _ = write!(
                svg,
                r#"<circle class="point estimated" cx="{:.0}" cy="{:.0}"><title>{}: {} (estimated)</title></circle>"#,
                x(*t),
                y(*bytes),
                format::date_time(*when),
                format::human_size(*bytes)
            );
        }
    }
    let _ = write!(svg, r#"<path class="total" d=""#);
    for (i, px) in xs.iter().enumerate() {
        let _ = write!(
            svg,
            "{}{px:.1},{:.1} ",
            ["L", "M"][(i == 0) as usize],
            y(at(&chart.total, i))
        );
    }
    svg.push_str(r#""/>"#);
    for (i, t) in seconds.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<circle class="point" cx="{:.0}" cy="{:.0}"><title>{}: {}</title></circle>"#,
            x(*t),
            y(chart.total[i]),
            format::date_time(chart.times[i]),
            format::human_size(chart.total[i])
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The smallest 1, 2 or 5 times a power of 10 at or above `bytes` (at least 1 kB), so the four
/// grid lines fall on round sizes.
fn nice_ceiling(bytes: u64) -> u64 {
    let mut scale: u64 = 1000;
    loop {
        for step in [1, 2, 5] {
            if step * scale >= bytes {
                return step * scale;
            }
        }
        scale = scale.saturating_mul(10);
        if scale == u64::MAX {
            return u64::MAX;
        }
    }
}

/// `08:00` on a day's chart, `12-03` on a week's or month's, `2026-12` on a year's.
fn axis_label(when: When, range: &str) -> String {
    let text = format::date_time(when);
    match range {
        "24h" => text[11..16].to_string(),
        "1y" => text[..7].to_string(),
        _ => text[5..10].to_string(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::ChartPart;

    fn chart(times: &[i64], total: &[u64], parts: &[(&str, &[u64])]) -> StorageChartData {
        StorageChartData {
            range: "30d".into(),
            times: times
                .iter()
                .map(|&unix_seconds| When { unix_seconds })
                .collect(),
            total: total.to_vec(),
            parts: parts
                .iter()
                .map(|(name, values)| ChartPart {
                    name: name.to_string(),
                    values: values.to_vec(),
                })
                .collect(),
            estimated: Vec::new(),
        }
    }

    #[test]
    fn a_long_table_keeps_its_ends_and_spreads_the_rest() {
        assert_eq!(sample(3, 31), [0, 1, 2]);
        let rows = sample(168, 31);
        assert_eq!((rows.len(), rows[0], rows[30]), (31, 0, 167));
    }

    #[test]
    fn a_sparkline_spans_its_range_and_one_value_is_flat() {
        let svg = sparkline_svg(&[10, 20, 30], "x");
        assert!(
            svg.contains(r#"d="M0.0,22.0L60.0,12.0L120.0,2.0""#),
            "{svg}"
        );
        let flat = sparkline_svg(&[7], "x");
        assert!(flat.contains(r#"d="M0.0,22.0L120.0,22.0""#), "{flat}");
    }

    #[test]
    fn grid_lines_fall_on_round_sizes() {
        assert_eq!(nice_ceiling(0), 1000);
        assert_eq!(nice_ceiling(1001), 2000);
        assert_eq!(nice_ceiling(4_200_000), 5_000_000);
        assert_eq!(nice_ceiling(6_000_000_000), 10_000_000_000);
    }

    #[test]
    fn each_snapshot_is_a_point_and_each_part_an_area() {
        let day = 86_400;
        let svg = chart_svg(
            &chart(
                &[0, day, 2 * day],
                &[10, 20, 30],
                &[("dev", &[5, 10, 15]), ("prod", &[5, 10, 15])],
            ),
            "label <&>",
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches(r#"class="area part-"#).count(), 2);
        assert!(svg.contains(r#"aria-label="label &lt;&amp;&gt;""#), "{svg}");
        // The last point of the stack is at the top: y = TOP + plot height * (1 - 30/1000).
        assert!(svg.contains(&format!(
            "{:.1},{:.1}",
            WIDTH - RIGHT,
            TOP + (HEIGHT - TOP - BOTTOM) * 0.97
        )));
    }

    #[test]
    fn one_snapshot_draws_a_flat_line_across() {
        let svg = chart_svg(&chart(&[0], &[500], &[]), "x");
        let flat_y = TOP + (HEIGHT - TOP - BOTTOM) * 0.5;
        assert!(
            svg.contains(&format!(
                "M{LEFT:.1},{flat_y:.1} L{:.1},{flat_y:.1}",
                WIDTH - RIGHT
            )),
            "{svg}"
        );
    }

    #[test]
    fn the_estimated_past_is_dashed_and_leads_into_the_first_snapshot() {
        let day = 86_400;
        let mut data = chart(&[2 * day], &[1000], &[]);
        data.estimated = vec![
            (When { unix_seconds: 0 }, 250),
            (When { unix_seconds: day }, 500),
        ];
        let svg = chart_svg(&data, "x");
        let plot_h = HEIGHT - TOP - BOTTOM;
        // Estimates start the axis; the snapshot ends it; the dashed path joins them.
        assert!(
            svg.contains(&format!(
                r#"<path class="estimated" d="M{LEFT:.1},{:.1} "#,
                TOP + plot_h * 0.75
            )),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("L{:.1},{:.1}\"/>", WIDTH - RIGHT, TOP)),
            "into the snapshot's point: {svg}"
        );
        assert_eq!(svg.matches(r#"class="point estimated""#).count(), 2);
        assert!(svg.contains("(estimated)</title>"));
        assert_eq!(
            svg.matches(r#"<circle class="point""#).count(),
            1,
            "one snapshot"
        );
    }
}
