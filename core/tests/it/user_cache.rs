//! The users behind sessions are cached between requests, and a change to a user made by any
//! process on the database (here a second `Services`, as the `regatta user …` CLI is) ends the
//! trust in the cache at once.

use end2end::SettingsFile;
use regatta_core::audit::Actor;
use regatta_core::auth::{session_user, SessionClaims};
use regatta_core::config::parse_settings;
use regatta_core::users::{self, Role, User};
use regatta_core::{accounts, DomainError, Services};
use secrecy::SecretString;

async fn services_on(database: &std::path::Path) -> Services {
    let text = SettingsFile::new().database(database).to_toml();
    Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap()
}

/// Adds `name` and returns their id and session epoch, as a login would store them.
async fn add_user(services: &Services, name: &str, role: Role) -> (i64, Option<i64>) {
    let password = SecretString::from(format!("{name}-password-1"));
    accounts::add_user(services, &Actor::system("test"), name, role, &password)
        .await
        .unwrap();
    let user = users::find_by_name(&services.db, name)
        .await
        .unwrap()
        .unwrap();
    (user.id, Some(user.session_epoch))
}

fn claims(id: i64, epoch: Option<i64>) -> SessionClaims {
    SessionClaims {
        user_id: Some(id),
        epoch,
        key: None,
    }
}

#[tokio::test]
async fn a_user_disabled_by_another_process_loses_access_at_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("regatta.db");
    let server = services_on(&database).await;
    let cli = services_on(&database).await;
    let (dana, epoch) = add_user(&server, "dana", Role::Developer).await;
    let first = session_user(&server, &claims(dana, epoch)).await.unwrap();
    assert_eq!(first.role, Role::Developer);

    // An edit behind the domain's back is not signalled: the cached user answers.
    regatta_core::db::query("UPDATE users SET role = 'admin' WHERE id = ?")
        .bind(dana)
        .execute(&server.db)
        .await
        .unwrap();
    let cached = session_user(&server, &claims(dana, epoch)).await.unwrap();
    assert_eq!(cached.role, Role::Developer, "served from the cache");

    accounts::disable_user(&cli, &Actor::system("cli"), "dana")
        .await
        .unwrap();
    signal_delivered().await;
    let after = session_user(&server, &claims(dana, epoch)).await;
    assert!(
        matches!(after, Err(DomainError::Unauthenticated)),
        "{after:?}"
    );
}

#[tokio::test]
async fn a_password_changed_in_this_process_ends_the_cached_session_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = services_on(&dir.path().join("regatta.db")).await;
    let (erin, epoch) = add_user(&server, "erin", Role::Viewer).await;
    session_user(&server, &claims(erin, epoch)).await.unwrap();
    let new_password = SecretString::from("erin-password-2");
    accounts::change_password(&server, &Actor::system("test"), "erin", &new_password)
        .await
        .unwrap();
    signal_delivered().await;
    let after = session_user(&server, &claims(erin, epoch)).await;
    assert!(
        matches!(after, Err(DomainError::Unauthenticated)),
        "{after:?}"
    );
}

/// Sessions one by one: ending one (from another process, as an admin on the CLI would) ends it
/// at its next request while the user's other session goes on; the listing shows what counts.
#[tokio::test]
async fn one_session_ended_elsewhere_stops_at_its_next_request_and_the_other_goes_on() {
    use regatta_core::sessions;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("regatta.db");
    let server = services_on(&database).await;
    let cli = services_on(&database).await;
    let (fay, epoch) = add_user(&server, "fay", Role::Viewer).await;
    let user = users::find_by_id(&server.db, fay).await.unwrap().unwrap();
    let laptop = sessions::start(&server, &user, "10.0.0.1", Some("Firefox"))
        .await
        .unwrap();
    let phone = sessions::start(&server, &user, "10.0.0.2", Some("Safari"))
        .await
        .unwrap();
    let with_key = |key: &str| SessionClaims {
        key: Some(key.to_string()),
        ..claims(fay, epoch)
    };
    session_user(&server, &with_key(&laptop)).await.unwrap();
    session_user(&server, &with_key(&phone)).await.unwrap();
    let (listed, current) = sessions::own_sessions(&server, &user, Some(&phone))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let laptop_row = listed.iter().find(|s| s.source == "10.0.0.1").unwrap().id;
    assert!(current.is_some_and(|id| id != laptop_row));

    let stranger = Actor::new(User::not_stored("someone", Role::Maintainer), "10.0.0.3");
    let refused = sessions::end_session(&cli, &stranger, laptop_row)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DomainError::Forbidden { .. }),
        "{refused}"
    );
    let admin = Actor::new(User::not_stored("root", Role::Admin), "cli");
    sessions::end_session(&cli, &admin, laptop_row)
        .await
        .unwrap();

    signal_delivered().await;
    let after = session_user(&server, &with_key(&laptop)).await;
    assert!(
        matches!(after, Err(DomainError::Unauthenticated)),
        "{after:?}"
    );
    session_user(&server, &with_key(&phone)).await.unwrap();
    let (listed, _) = sessions::own_sessions(&server, &user, None).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.source.as_str()).collect::<Vec<_>>(),
        ["10.0.0.2"]
    );
}

/// On SQLite another process's change is seen through the marker file at once; on PostgreSQL
/// it arrives as a notification, milliseconds later.
async fn signal_delivered() {
    if end2end::postgres::tests_use_postgres() {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
