//! Times are stored as RFC 3339 text on both backends (see `value.rs`). sqlx's SQLite driver reads
//! such text as an `OffsetDateTime`; its PostgreSQL driver reads one only from a TIMESTAMPTZ. Row
//! fields holding times say `#[sqlx(try_from = "crate::db::TextTime")]` (or `MaybeTextTime`)
//! so that both backends parse the text.

use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub struct TextTime(pub OffsetDateTime);

/// A time column that may be NULL.
pub struct MaybeTextTime(pub Option<OffsetDateTime>);

impl From<TextTime> for OffsetDateTime {
    fn from(time: TextTime) -> Self {
        time.0
    }
}

impl From<MaybeTextTime> for Option<OffsetDateTime> {
    fn from(time: MaybeTextTime) -> Self {
        time.0
    }
}

impl Type<Sqlite> for TextTime {
    fn type_info() -> SqliteTypeInfo {
        <OffsetDateTime as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <OffsetDateTime as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for TextTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        <OffsetDateTime as Decode<Sqlite>>::decode(value).map(TextTime)
    }
}

impl Type<Postgres> for TextTime {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for TextTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as Decode<Postgres>>::decode(value)?;
        Ok(TextTime(OffsetDateTime::parse(text, &Rfc3339)?))
    }
}

macro_rules! maybe {
    ($db:ty, $info:ty, $value:ty) => {
        impl Type<$db> for MaybeTextTime {
            fn type_info() -> $info {
                <TextTime as Type<$db>>::type_info()
            }
            fn compatible(ty: &$info) -> bool {
                <TextTime as Type<$db>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, $db> for MaybeTextTime {
            fn decode(value: $value) -> Result<Self, sqlx::error::BoxDynError> {
                <Option<TextTime> as Decode<$db>>::decode(value)
                    .map(|t| MaybeTextTime(t.map(|t| t.0)))
            }
        }
    };
}
maybe!(Sqlite, SqliteTypeInfo, SqliteValueRef<'r>);
maybe!(Postgres, PgTypeInfo, PgValueRef<'r>);
