//! Bound values, owned and typed so one query can be sent to either backend.
//!
//! A NULL keeps the type it stands for: PostgreSQL checks a parameter's type against its
//! column, so a `None` meant for a BIGINT column must be sent as a BIGINT NULL, not a text one.
//! Times are bound as the RFC 3339 text sqlx writes for SQLite, on both backends: the schema
//! keeps timestamps as sortable text everywhere, so comparisons and `ORDER BY` agree.

use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteArguments;
use sqlx::Arguments;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The type of a bound value, kept for NULLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
    Blob,
    Bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Bool(bool),
}

/// What `.bind(…)` accepts.
pub trait Bind {
    const KIND: Kind;
    fn into_value(self) -> Value;
}

macro_rules! bind_int {
    ($($t:ty),*) => {$(
        impl Bind for $t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(self as i64)
            }
        }
        impl Bind for &$t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )*};
}
bind_int!(i64, i32, i16, i8, u32, u16, u8);

// Sizes and counts: never near i64::MAX; saturate rather than wrap if one ever were.
macro_rules! bind_wide_unsigned {
    ($($t:ty),*) => {$(
        impl Bind for $t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(i64::try_from(self).unwrap_or(i64::MAX))
            }
        }
        impl Bind for &$t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
bind_wide_unsigned!(u64, usize);

impl Bind for f64 {
    const KIND: Kind = Kind::Real;
    fn into_value(self) -> Value {
        Value::Real(self)
    }
}

impl Bind for bool {
    const KIND: Kind = Kind::Bool;
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl Bind for &bool {
    const KIND: Kind = Kind::Bool;
    fn into_value(self) -> Value {
        Value::Bool(*self)
    }
}

impl Bind for String {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}

impl Bind for &String {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.clone())
    }
}

impl Bind for &str {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl Bind for &&str {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text((*self).to_owned())
    }
}

impl Bind for std::borrow::Cow<'_, str> {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.into_owned())
    }
}

impl Bind for Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}

impl Bind for &Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self.clone())
    }
}

impl Bind for &[u8] {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl Bind for OffsetDateTime {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(rfc3339(self))
    }
}

impl Bind for &OffsetDateTime {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(rfc3339(*self))
    }
}

impl<T: Bind> Bind for Option<T> {
    const KIND: Kind = T::KIND;
    fn into_value(self) -> Value {
        match self {
            Some(value) => value.into_value(),
            None => Value::Null(T::KIND),
        }
    }
}

impl<'a, T> Bind for &'a Option<T>
where
    &'a T: Bind,
{
    const KIND: Kind = <&'a T as Bind>::KIND;
    fn into_value(self) -> Value {
        self.as_ref().into_value()
    }
}

/// The text sqlx's SQLite driver writes for a time (so both backends hold the same strings).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .expect("a valid time formats as RFC 3339")
}

pub(super) fn sqlite_arguments(values: Vec<Value>) -> SqliteArguments<'static> {
    let mut arguments = SqliteArguments::default();
    for value in values {
        // Adding an owned value to SQLite arguments cannot fail (it only stores it).
        let added = match value {
            Value::Null(_) => arguments.add(Option::<i64>::None),
            Value::Int(v) => arguments.add(v),
            Value::Real(v) => arguments.add(v),
            Value::Text(v) => arguments.add(v),
            Value::Blob(v) => arguments.add(v),
            Value::Bool(v) => arguments.add(v),
        };
        debug_assert!(added.is_ok());
    }
    arguments
}

pub(super) fn postgres_arguments(values: Vec<Value>) -> Result<PgArguments, sqlx::Error> {
    let mut arguments = PgArguments::default();
    for value in values {
        match value {
            Value::Null(Kind::Int) => arguments.add(Option::<i64>::None),
            Value::Null(Kind::Real) => arguments.add(Option::<f64>::None),
            Value::Null(Kind::Text) => arguments.add(Option::<String>::None),
            Value::Null(Kind::Blob) => arguments.add(Option::<Vec<u8>>::None),
            Value::Null(Kind::Bool) => arguments.add(Option::<bool>::None),
            Value::Int(v) => arguments.add(v),
            Value::Real(v) => arguments.add(v),
            Value::Text(v) => arguments.add(v),
            Value::Blob(v) => arguments.add(v),
            Value::Bool(v) => arguments.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}
