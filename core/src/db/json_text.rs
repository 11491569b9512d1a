//! JSON built by the query (`json_group_array`, see `dialect.rs`) arrives as text on both
//! backends; sqlx's `#[sqlx(json)]` reads PostgreSQL JSON only from JSON/JSONB columns. Fields
//! say `#[sqlx(try_from = "crate::db::JsonText<T>")]` instead, with `json_text!(T)` once per `T`.

use serde::de::DeserializeOwned;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type};

pub struct JsonText<T>(pub T);

macro_rules! backend {
    ($db:ty, $info:ty, $value:ty) => {
        impl<T> Type<$db> for JsonText<T> {
            fn type_info() -> $info {
                <&str as Type<$db>>::type_info()
            }
            fn compatible(ty: &$info) -> bool {
                <&str as Type<$db>>::compatible(ty)
            }
        }

        impl<'r, T: DeserializeOwned> Decode<'r, $db> for JsonText<T> {
            fn decode(value: $value) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as Decode<$db>>::decode(value)?;
                Ok(JsonText(serde_json::from_str(text)?))
            }
        }
    };
}
backend!(Sqlite, SqliteTypeInfo, SqliteValueRef<'r>);
backend!(Postgres, PgTypeInfo, PgValueRef<'r>);

/// `impl From<JsonText<T>> for T` for one concrete `T` (a blanket impl is not allowed).
#[macro_export]
macro_rules! json_text {
    ($t:ty) => {
        impl From<$crate::db::JsonText<$t>> for $t {
            fn from(json: $crate::db::JsonText<$t>) -> Self {
                json.0
            }
        }
    };
}

json_text!(Vec<String>);
json_text!(Vec<(String, i64)>);
