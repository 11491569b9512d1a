//! SQL assembled piece by piece (search, lists of keys), with sqlx `QueryBuilder`'s methods.
//! It writes `?` placeholders, which [`super::query`] numbers for PostgreSQL.

use super::query::{FromRows, Query, QueryAs, QueryScalar};
use super::value::{Bind, Value};
use super::Decodes;
use std::borrow::Cow;
use std::fmt::Display;

#[derive(Debug, Default)]
pub struct QueryBuilder {
    sql: String,
    values: Vec<Value>,
}

impl QueryBuilder {
    pub fn new(init: impl Into<String>) -> Self {
        QueryBuilder {
            sql: init.into(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        use std::fmt::Write;
        write!(self.sql, "{sql}").expect("writing to a String cannot fail");
        self
    }

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.sql.push('?');
        self.values.push(value.into_value());
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

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The query so far, leaving the builder empty.
    pub fn build(&mut self) -> Query<'static> {
        let sql = std::mem::take(&mut self.sql);
        Query::new(Cow::Owned(sql)).with_values(std::mem::take(&mut self.values))
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
            self.builder.sql.push_str(self.separator);
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
