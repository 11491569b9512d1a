//! The PostgreSQL fixture itself (issue #17's test backend): a throw-away cluster starts, takes
//! a database per test, has the `pg_trgm` extension the search will rank with, and is gone
//! with its port once dropped.

use end2end::postgres::PgCluster;
use sqlx::Connection;

#[tokio::test]
async fn a_throw_away_cluster_serves_databases_with_trigram_search_and_goes_away() {
    let cluster = PgCluster::start().await.unwrap();
    let url = cluster.create_database("regatta_test").await.unwrap();
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE EXTENSION pg_trgm")
        .execute(&mut db)
        .await
        .unwrap();
    let similarity: f32 =
        sqlx::query_scalar("SELECT similarity('team-a/service', 'team-a/servcie')")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(similarity > 0.3 && similarity < 1.0, "{similarity}");
    let other = cluster.create_database("another").await.unwrap();
    assert_ne!(other, url, "a database per test");
    db.close().await.unwrap();

    let port = cluster.port;
    drop(cluster);
    let gone =
        sqlx::PgConnection::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
            .await;
    assert!(gone.is_err(), "the cluster stops with its fixture");
}
