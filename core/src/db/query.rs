//! `query`, `query_as` and `query_scalar` with sqlx's shape (`.bind(…)`, `.fetch_all(db)`),
//! runnable on either backend: the SQL is written once with `?` placeholders; a query whose SQL
//! must differ on PostgreSQL says so with `.on_postgres(…)` beside its SQLite text.

use super::dialect;
use super::executor::{Executor, Target};
use super::value::{postgres_arguments, sqlite_arguments, Bind, Value};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, FromRow, Postgres, Sqlite, Type};
use std::borrow::Cow;
use std::marker::PhantomData;

/// A row type both backends can decode.
pub trait FromRows:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromRows for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A column type both backends can decode.
pub trait Decodes:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> Decodes for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// A row read by [`query`], for code that picks its columns by name.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub fn try_get<'r, T, I>(&'r self, index: I) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>,
        I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>,
    {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(row) => row.try_get(index),
            Row::Postgres(row) => row.try_get(index),
        }
    }
}

/// What a statement changed.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

#[must_use = "a query does nothing until it is run"]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    postgres: Option<Cow<'q, str>>,
    values: Vec<Value>,
    /// PostgreSQL's own values, when its text binds others than SQLite's (a built query).
    postgres_values: Option<Vec<Value>>,
    /// Kept as a prepared statement per connection (sqlx's default). Built queries are not:
    /// their texts vary, and PostgreSQL plans an unnamed statement with the values bound —
    /// search needs that (a generic plan guesses 500 tags for an environment of 33,000).
    persistent: bool,
}

pub fn query(sql: &str) -> Query<'_> {
    Query::new(Cow::Borrowed(sql))
}

pub fn query_as<T>(sql: &str) -> QueryAs<'_, T> {
    QueryAs(Query::new(Cow::Borrowed(sql)), PhantomData)
}

pub fn query_scalar<T>(sql: &str) -> QueryScalar<'_, T> {
    QueryScalar(Query::new(Cow::Borrowed(sql)), PhantomData)
}

/// Runs `$query` with sqlx's constructor `$make` (`query_with`, `query_as_with::<_, T, _>`, …)
/// and its method `$fetch` on whichever backend `$on` is, mapping the result with `$sqlite` or
/// `$postgres`. Each arm is its own expansion, so `$make`'s database is inferred per backend.
macro_rules! run {
    ($query:expr, $on:expr, $make:expr, $fetch:ident) => {
        run!($query, $on, $make, $fetch, |r| r, |r| r)
    };
    ($query:expr, $on:expr, $make:expr, $fetch:ident, $sqlite:expr, $postgres:expr) => {{
        let query = $query;
        let persistent = query.persistent;
        match $on.target() {
            Target::SqlitePool(pool) => ($make)(&query.sql, sqlite_arguments(query.values))
                .persistent(persistent)
                .$fetch(pool)
                .await
                .map($sqlite),
            Target::Sqlite(conn) => ($make)(&query.sql, sqlite_arguments(query.values))
                .persistent(persistent)
                .$fetch(conn)
                .await
                .map($sqlite),
            Target::PostgresPool(pool) => {
                let (sql, values) = query.into_postgres();
                ($make)(&sql, postgres_arguments(values)?)
                    .persistent(persistent)
                    .$fetch(pool)
                    .await
                    .map($postgres)
            }
            Target::Postgres(conn) => {
                let (sql, values) = query.into_postgres();
                ($make)(&sql, postgres_arguments(values)?)
                    .persistent(persistent)
                    .$fetch(conn)
                    .await
                    .map($postgres)
            }
        }
    }};
}

impl<'q> Query<'q> {
    pub(super) fn new(sql: Cow<'q, str>) -> Self {
        Query {
            sql,
            postgres: None,
            values: Vec::new(),
            postgres_values: None,
            persistent: true,
        }
    }

    /// Not kept as a prepared statement (see the field).
    pub(super) fn not_persistent(mut self) -> Self {
        self.persistent = false;
        self
    }

    pub(super) fn with_values(mut self, values: Vec<Value>) -> Self {
        self.values = values;
        self
    }

    pub fn bind(mut self, value: impl Bind) -> Self {
        let value = value.into_value();
        if let Some(values) = &mut self.postgres_values {
            values.push(value.clone());
        }
        self.values.push(value);
        self
    }

    pub(super) fn on_postgres_with(mut self, sql: String, values: Vec<Value>) -> Self {
        self.postgres = Some(Cow::Owned(sql));
        self.postgres_values = Some(values);
        self
    }

    fn into_postgres(self) -> (std::sync::Arc<str>, Vec<Value>) {
        let sql = self.postgres_sql();
        (sql, self.postgres_values.unwrap_or(self.values))
    }

    /// The text to run instead on PostgreSQL (same placeholders, in the same order).
    pub fn on_postgres(mut self, sql: impl Into<Cow<'q, str>>) -> Self {
        self.postgres = Some(sql.into());
        self
    }

    fn postgres_sql(&self) -> std::sync::Arc<str> {
        dialect::to_postgres(self.postgres.as_deref().unwrap_or(&self.sql))
    }

    pub async fn execute<'c>(self, on: impl Executor<'c>) -> Result<Done, sqlx::Error> {
        let done = |rows_affected| Done { rows_affected };
        run!(
            self,
            on,
            sqlx::query_with,
            execute,
            |r| done(r.rows_affected()),
            |r| done(r.rows_affected())
        )
    }

    pub async fn fetch_all<'c>(self, on: impl Executor<'c>) -> Result<Vec<Row>, sqlx::Error> {
        run!(
            self,
            on,
            sqlx::query_with,
            fetch_all,
            |rows| rows.into_iter().map(Row::Sqlite).collect(),
            |rows| rows.into_iter().map(Row::Postgres).collect()
        )
    }

    pub async fn fetch_optional<'c>(
        self,
        on: impl Executor<'c>,
    ) -> Result<Option<Row>, sqlx::Error> {
        run!(
            self,
            on,
            sqlx::query_with,
            fetch_optional,
            |row| row.map(Row::Sqlite),
            |row| row.map(Row::Postgres)
        )
    }

    pub async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<Row, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

/// [`query_as`]: rows decoded into `T` (a `FromRow` struct or a tuple).
#[must_use = "a query does nothing until it is run"]
pub struct QueryAs<'q, T>(Query<'q>, PhantomData<fn() -> T>);

impl<'q, T: FromRows> QueryAs<'q, T> {
    pub(super) fn from_query(query: Query<'q>) -> Self {
        QueryAs(query, PhantomData)
    }

    pub fn bind(self, value: impl Bind) -> Self {
        QueryAs(self.0.bind(value), PhantomData)
    }

    pub fn on_postgres(self, sql: impl Into<Cow<'q, str>>) -> Self {
        QueryAs(self.0.on_postgres(sql), PhantomData)
    }

    pub async fn fetch_all<'c>(self, on: impl Executor<'c>) -> Result<Vec<T>, sqlx::Error> {
        run!(self.0, on, sqlx::query_as_with::<_, T, _>, fetch_all)
    }

    pub async fn fetch_optional<'c>(self, on: impl Executor<'c>) -> Result<Option<T>, sqlx::Error> {
        run!(self.0, on, sqlx::query_as_with::<_, T, _>, fetch_optional)
    }

    pub async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<T, sqlx::Error> {
        run!(self.0, on, sqlx::query_as_with::<_, T, _>, fetch_one)
    }
}

/// [`query_scalar`]: the first column of each row, decoded into `T`.
#[must_use = "a query does nothing until it is run"]
pub struct QueryScalar<'q, T>(Query<'q>, PhantomData<fn() -> T>);

impl<'q, T: Decodes> QueryScalar<'q, T> {
    pub(super) fn from_query(query: Query<'q>) -> Self {
        QueryScalar(query, PhantomData)
    }

    pub fn bind(self, value: impl Bind) -> Self {
        QueryScalar(self.0.bind(value), PhantomData)
    }

    pub fn on_postgres(self, sql: impl Into<Cow<'q, str>>) -> Self {
        QueryScalar(self.0.on_postgres(sql), PhantomData)
    }

    pub async fn fetch_all<'c>(self, on: impl Executor<'c>) -> Result<Vec<T>, sqlx::Error> {
        run!(self.0, on, sqlx::query_scalar_with::<_, T, _>, fetch_all)
    }

    pub async fn fetch_optional<'c>(self, on: impl Executor<'c>) -> Result<Option<T>, sqlx::Error> {
        run!(
            self.0,
            on,
            sqlx::query_scalar_with::<_, T, _>,
            fetch_optional
        )
    }

    pub async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<T, sqlx::Error> {
        run!(self.0, on, sqlx::query_scalar_with::<_, T, _>, fetch_one)
    }
}
