//! When scheduled work (retention policies, garbage collection) is due: `daily 03:00`,
//! `sun 03:00` (weekly; UTC) or `every 6h`.

use time::{Duration, OffsetDateTime, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    Daily { hour: u8, minute: u8 },
    Weekly { day: Weekday, hour: u8, minute: u8 },
    EveryHours(u32),
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl Schedule {
    pub fn parse(text: &str) -> Result<Self, String> {
        let refuse = || {
            format!(
                "`{text}` is not a schedule: use `daily 03:00`, `sun 03:00` (UTC) or `every 6h`"
            )
        };
        let text = text.trim();
        let at = |time: &str| -> Result<(u8, u8), String> {
            let (hour, minute) = time.trim().split_once(':').ok_or_else(refuse)?;
            let (hour, minute): (u8, u8) = (
                hour.parse().map_err(|_| refuse())?,
                minute.parse().map_err(|_| refuse())?,
            );
            match hour < 24 && minute < 60 {
                true => Ok((hour, minute)),
                false => Err(refuse()),
            }
        };
        if let Some(time) = text.strip_prefix("daily ") {
            let (hour, minute) = at(time)?;
            return Ok(Schedule::Daily { hour, minute });
        }
        if let Some((day, time)) = text.split_once(' ') {
            let day = day.to_ascii_lowercase();
            if let Some((_, weekday)) = DAYS.iter().find(|(short, weekday)| {
                day == *short || day == weekday.to_string().to_ascii_lowercase()
            }) {
                let (hour, minute) = at(time)?;
                return Ok(Schedule::Weekly {
                    day: *weekday,
                    hour,
                    minute,
                });
            }
        }
        let hours = text
            .strip_prefix("every ")
            .and_then(|h| h.trim().strip_suffix('h'))
            .and_then(|h| h.parse::<u32>().ok())
            .filter(|h| (1..=168).contains(h))
            .ok_or_else(refuse)?;
        Ok(Schedule::EveryHours(hours))
    }

    /// Whether a run is due at `now`, the last one having been at `last`.
    pub fn is_due(self, last: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        let now = now.to_offset(time::UtcOffset::UTC);
        let at = |hour: u8, minute: u8| {
            now.replace_time(time::Time::from_hms(hour, minute, 0).expect("checked at parse"))
        };
        match self {
            Schedule::EveryHours(hours) => {
                last.is_none_or(|last| now - last >= Duration::hours(hours.into()))
            }
            Schedule::Daily { hour, minute } => {
                let today = at(hour, minute);
                now >= today && last.is_none_or(|last| last < today)
            }
            Schedule::Weekly { day, hour, minute } => {
                let days_since = (now.weekday().number_days_from_monday() + 7
                    - day.number_days_from_monday())
                    % 7;
                let this_week = at(hour, minute) - Duration::days(days_since.into());
                now >= this_week && last.is_none_or(|last| last < this_week)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_three_forms_parse_and_others_are_refused() {
        assert_eq!(
            Schedule::parse("sun 03:00"),
            Ok(Schedule::Weekly {
                day: Weekday::Sunday,
                hour: 3,
                minute: 0
            })
        );
        assert_eq!(
            Schedule::parse("Sunday 03:00"),
            Schedule::parse("sun 03:00")
        );
        assert_eq!(
            Schedule::parse("daily 23:59"),
            Ok(Schedule::Daily {
                hour: 23,
                minute: 59
            })
        );
        assert_eq!(Schedule::parse("every 6h"), Ok(Schedule::EveryHours(6)));
        for bad in ["sun 25:00", "funday 03:00", "weekly", "every 0h", "daily 3"] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_weekly_schedule_is_due_once_after_its_moment() {
        let sunday = Schedule::parse("sun 03:00").unwrap();
        // 2026-12-06 is a Sunday.
        let before = datetime!(2026-12-06 02:59 UTC);
        let after = datetime!(2026-12-06 03:01 UTC);
        let tuesday = datetime!(2026-12-08 10:00 UTC);
        assert!(!sunday.is_due(Some(datetime!(2026-11-29 03:00 UTC)), before));
        assert!(sunday.is_due(Some(datetime!(2026-11-29 03:00 UTC)), after));
        assert!(!sunday.is_due(Some(after), tuesday), "ran this week");
        assert!(
            sunday.is_due(None, tuesday),
            "never ran: the missed run goes now"
        );
    }
}
