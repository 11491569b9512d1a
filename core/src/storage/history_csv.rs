//! The storage history as CSV, one row per scope and snapshot: what the storage page draws,
//! for a spreadsheet. Long format (`registry, kind, scope, taken_at, stored_bytes`) so every
//! series, whatever its name, is rows rather than a column. The estimated past (kind
//! `estimated`, one row a day before the first snapshot) comes first.

use super::accounting::Grouping;
use super::history::RegistryHistory;

pub fn history_csv(histories: &[RegistryHistory], by: Grouping) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |record: [&str; 5]| {
        out.write_record(record)
            .expect("writing to memory does not fail")
    };
    write(["registry", "kind", "scope", "taken_at", "stored_bytes"]);
    for history in histories {
        let registry = history.registry.as_str();
        for (day, bytes) in &history.estimated {
            write([registry, "estimated", registry, day, &bytes.to_string()]);
        }
        for (i, taken_at) in history.times.iter().enumerate() {
            write([
                registry,
                "registry",
                registry,
                taken_at,
                &history.stored[i].to_string(),
            ]);
            for (part, values) in &history.parts {
                write([
                    registry,
                    by.as_str(),
                    part,
                    taken_at,
                    &values[i].to_string(),
                ]);
            }
        }
    }
    let bytes = out.into_inner().expect("flushing to memory does not fail");
    String::from_utf8(bytes).expect("the fields are text")
}
