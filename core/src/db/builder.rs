//! SQL assembled piece by piece (search, lists of keys), with sqlx `QueryBuilder`'s methods.
//! It writes `?` placeholders, which [`super::query`] numbers for PostgreSQL.

use super::query::{FromRows, Query, QueryAs, QueryScalar};
use super::value::{Bind, Value};
use super::Decodes;
use std::borrow::Cow;
use std::fmt::Display;

/// SQL and its bound values, for one backend.
#[derive(Debug, Default, Clone)]
struct Side {
    sql: String,
    values: Vec<Value>,
}

/// Which side(s) pushes write to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Writing {
    #[default]
    Both,
    Sqlite,
    Postgres,
    /// Inside `on_sqlite` within `on_postgres` (or the reverse): neither.
    Neither,
}

#[derive(Debug, Default)]
pub struct QueryBuilder {
    sqlite: Side,
    /// Forked from `sqlite` at the first push meant for one backend only.
    postgres: Option<Side>,
    writing: Writing,
}

impl QueryBuilder {
    pub fn new(init: impl Into<String>) -> Self {
        QueryBuilder {
            sqlite: Side {
                sql: init.into(),
                values: Vec::new(),
            },
            ..Self::default()
        }
    }

    fn sides(&mut self) -> impl Iterator<Item = &mut Side> {
        let (sqlite, postgres) = match self.writing {
            Writing::Both => (Some(&mut self.sqlite), self.postgres.as_mut()),
            Writing::Sqlite => (Some(&mut self.sqlite), None),
            Writing::Postgres => (None, self.postgres.as_mut()),
            Writing::Neither => (None, None),
        };
        sqlite.into_iter().chain(postgres)
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        let text = sql.to_string();
        for side in self.sides() {
            side.sql.push_str(&text);
        }
        self
    }

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        let value = value.into_value();
        for side in self.sides() {
            side.sql.push('?');
            side.values.push(value.clone());
        }
        self
    }

    /// Pushes made by `write` go to the SQLite text only.
    pub fn on_sqlite(&mut self, write: impl FnOnce(&mut Self)) -> &mut Self {
        self.only(Writing::Sqlite, write)
    }

    /// Pushes made by `write` go to the PostgreSQL text only.
    pub fn on_postgres(&mut self, write: impl FnOnce(&mut Self)) -> &mut Self {
        self.only(Writing::Postgres, write)
    }

    fn only(&mut self, writing: Writing, write: impl FnOnce(&mut Self)) -> &mut Self {
        if self.postgres.is_none() {
            self.postgres = Some(self.sqlite.clone());
        }
        // A fork nested in the other backend's fork (a helper with its own forks, called from
        // one) writes to neither.
        let inner = match (self.writing, writing) {
            (Writing::Both, only) => only,
            (outer, only) if outer == only => only,
            _ => Writing::Neither,
        };
        let outer = std::mem::replace(&mut self.writing, inner);
        write(self);
        self.writing = outer;
        self
    }

    /// Pushes items with `separator` between them (the first without).
    pub fn separated<'b>(&'b mut self, separator: &'b str) -> Separated<'b> {
        Separated {
            builder: self,
            separator,
            first: true,
        }
    }

    /// The query so far, leaving the builder empty.
    pub fn build(&mut self) -> Query<'static> {
        let sqlite = std::mem::take(&mut self.sqlite);
        let query = Query::new(Cow::Owned(sqlite.sql))
            .with_values(sqlite.values)
            .not_persistent();
        match self.postgres.take() {
            Some(postgres) => query.on_postgres_with(postgres.sql, postgres.values),
            None => query,
        }
    }

    pub fn build_query_as<T: FromRows>(&mut self) -> QueryAs<'static, T> {
        QueryAs::from_query(self.build())
    }

    pub fn build_query_scalar<T: Decodes>(&mut self) -> QueryScalar<'static, T> {
        QueryScalar::from_query(self.build())
    }
}

pub struct Separated<'b> {
    builder: &'b mut QueryBuilder,
    separator: &'b str,
    first: bool,
}

impl Separated<'_> {
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.builder.push(self.separator);
        }
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        self.separate();
        self.builder.push(sql);
        self
    }

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.separate();
        self.builder.push_bind(value);
        self
    }

    pub fn push_unseparated(&mut self, sql: impl Display) -> &mut Self {
        self.builder.push(sql);
        self
    }

    pub fn push_bind_unseparated(&mut self, value: impl Bind) -> &mut Self {
        self.builder.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(builder: QueryBuilder) -> (String, Option<String>) {
        (builder.sqlite.sql, builder.postgres.map(|side| side.sql))
    }

    #[test]
    fn a_fork_nested_in_the_other_backends_fork_writes_nowhere() {
        let mut sql = QueryBuilder::new("a");
        sql.on_postgres(|sql| {
            sql.push(" pg");
            sql.on_sqlite(|sql| {
                sql.push(" lite-in-pg");
            });
            sql.on_postgres(|sql| {
                sql.push(" pg-in-pg");
            });
        });
        sql.on_sqlite(|sql| {
            sql.push(" lite");
        });
        sql.push(" z");
        assert_eq!(
            texts(sql),
            ("a lite z".to_string(), Some("a pg pg-in-pg z".to_string()))
        );
    }
}
