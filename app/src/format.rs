//! How values read on every page, the same on the server and in the browser (no `time` or
//! other big crates in the WASM: a few lines of arithmetic do).

use crate::dto::When;

/// Sizes as people read them: 1,000-based like registries and `docker images` show them.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `2026-12-03 08:04 UTC`: the one way a moment is shown.
pub fn date_time(when: When) -> String {
    let (date, hour, minute, _) = civil(when);
    format!("{date} {hour:02}:{minute:02} UTC")
}

/// `2026-12-03T08:04:05Z`: the exact moment, for the hover title.
pub fn exact(when: When) -> String {
    let (date, hour, minute, second) = civil(when);
    format!("{date}T{hour:02}:{minute:02}:{second:02}Z")
}

/// `850 ms`, `2.4 s`, `3 min 5 s`.
pub fn duration_ms(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms} ms"),
        1_000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// The first 12 hex digits, as `docker images` shows an image id.
pub fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

/// `1 tag`, `3 tags`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// (`YYYY-MM-DD`, hour, minute, second) in UTC, by Howard Hinnant's `civil_from_days`.
fn civil(when: When) -> (String, i64, i64, i64) {
    let seconds = when.unix_seconds;
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_the_same_everywhere() {
        let when = When {
            unix_seconds: 1_796_285_045,
        };
        assert_eq!(date_time(when), "2026-12-03 08:04 UTC");
        assert_eq!(exact(when), "2026-12-03T08:04:05Z");
        assert_eq!(date_time(When { unix_seconds: 0 }), "1970-01-01 00:00 UTC");
        assert_eq!(
            exact(When {
                unix_seconds: 951_825_600
            }),
            "2000-02-29T12:00:00Z"
        );
        assert_eq!(exact(When { unix_seconds: -1 }), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn sizes_durations_and_digests() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_500_000), "1.5 MB");
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(2_400), "2.4 s");
        assert_eq!(duration_ms(185_000), "3 min 5 s");
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(count(1, "tag", "tags"), "1 tag");
    }
}
