//! Reading the audit trail: every filter returns exactly the matching rows, pages cover the
//! matches once each, maintainers do not see other users' logins, the keep_days purge deletes
//! only older rows, and rows cannot be changed.

use end2end::SettingsFile;
use regatta_core::audit::{
    self, audit_page, purge_old_audit_rows, Actor, AuditAction, AuditEvent, AuditFilter, Outcome,
};
use regatta_core::clock::{Clock, ManualClock};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};
use std::sync::Arc;
use time::macros::datetime;
use time::Duration;

/// (user, action, target, outcome) written an hour apart from 2026-01-01 00:00.
const EVENTS: &[(&str, AuditAction, &str, Outcome)] = &[
    ("ann", AuditAction::LoginSuccess, "", Outcome::Ok),
    ("bob", AuditAction::LoginFailure, "", Outcome::Denied),
    (
        "ann",
        AuditAction::Promotion,
        "local/staging/app:1",
        Outcome::Ok,
    ),
    (
        "bob",
        AuditAction::Promotion,
        "local/prod/app:1",
        Outcome::Denied,
    ),
    (
        "ann",
        AuditAction::TagDelete,
        "local/dev/app:2",
        Outcome::Ok,
    ),
    ("ann", AuditAction::GcRun, "local", Outcome::Ok),
    ("bob", AuditAction::GcScheduleSave, "local", Outcome::Denied),
    ("bob", AuditAction::LoginSuccess, "", Outcome::Ok),
    (
        "ann",
        AuditAction::TagRestore,
        "local/dev/app:2",
        Outcome::Error,
    ),
];

async fn trail() -> (tempfile::TempDir, Services, Arc<ManualClock>) {
    let (dir, mut services) = crate::start_services(SettingsFile::new()).await;
    let clock = Arc::new(ManualClock::new(datetime!(2026-01-01 00:00 UTC)));
    services.clock = clock.clone();
    for (user, action, target, outcome) in EVENTS {
        let actor = Actor::new(User::not_stored(*user, Role::Developer), "10.0.0.1");
        let mut event = AuditEvent::by(&actor, *action).outcome(*outcome);
        if !target.is_empty() {
            event = event.target(target);
        }
        audit::record(&services.db, clock.now(), &event)
            .await
            .unwrap();
        clock.advance(Duration::hours(1));
    }
    (dir, services, clock)
}

fn admin() -> User {
    User::not_stored("root", Role::Admin)
}

/// (actor, action) of the rows `filter` finds, newest first.
async fn found(services: &Services, user: &User, filter: AuditFilter) -> Vec<(String, String)> {
    audit_page(services, user, &filter, None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.actor.unwrap_or_default(), r.action))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn each_filter_returns_exactly_the_matching_rows() {
    let (_dir, services, _clock) = trail().await;
    let all = found(&services, &admin(), AuditFilter::default()).await;
    assert_eq!(all.len(), EVENTS.len());
    assert_eq!(
        all[0],
        ("ann".to_string(), "tag.restore".to_string()),
        "newest first"
    );

    let root = admin();
    let by = |filter: AuditFilter| found(&services, &root, filter);
    assert_eq!(
        by(AuditFilter {
            user: Some("bob".into()),
            ..Default::default()
        })
        .await,
        pairs(&[
            ("bob", "login.success"),
            ("bob", "gc.schedule.save"),
            ("bob", "promotion"),
            ("bob", "login.failure"),
        ])
    );
    assert_eq!(
        by(AuditFilter {
            action: Some("gc".into()),
            ..Default::default()
        })
        .await,
        pairs(&[("bob", "gc.schedule.save"), ("ann", "gc.run")]),
        "a family"
    );
    assert_eq!(
        by(AuditFilter {
            action: Some("login.success".into()),
            ..Default::default()
        })
        .await,
        pairs(&[("bob", "login.success"), ("ann", "login.success")])
    );
    assert_eq!(
        by(AuditFilter {
            target: Some("local/dev/".into()),
            ..Default::default()
        })
        .await,
        pairs(&[("ann", "tag.restore"), ("ann", "tag.delete")]),
        "a prefix"
    );
    assert_eq!(
        by(AuditFilter {
            result: Some("denied".into()),
            user: Some("bob".into()),
            ..Default::default()
        })
        .await,
        pairs(&[
            ("bob", "gc.schedule.save"),
            ("bob", "promotion"),
            ("bob", "login.failure")
        ])
    );
    // Rows 3 to 5 (02:00 to 04:59).
    assert_eq!(
        by(AuditFilter {
            from: Some(datetime!(2026-01-01 02:00 UTC)),
            until: Some(datetime!(2026-01-01 05:00 UTC)),
            ..Default::default()
        })
        .await,
        pairs(&[
            ("ann", "tag.delete"),
            ("bob", "promotion"),
            ("ann", "promotion")
        ])
    );
    let none = by(AuditFilter {
        from: Some(datetime!(2027-01-01 00:00 UTC)),
        ..Default::default()
    })
    .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn pages_cover_every_match_once_newest_first() {
    let (_dir, services, clock) = trail().await;
    let actor = Actor::new(User::not_stored("cy", Role::Developer), "10.0.0.2");
    for n in 0..120 {
        let target = format!("local/dev/app:{n}");
        let event = AuditEvent::by(&actor, AuditAction::TagDelete).target(&target);
        audit::record(&services.db, clock.now(), &event)
            .await
            .unwrap();
    }
    let filter = AuditFilter {
        user: Some("cy".into()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = audit_page(&services, &admin(), &filter, before)
            .await
            .unwrap();
        assert!(page.rows.len() <= 50);
        seen.extend(page.rows.iter().map(|r| r.target.clone().unwrap()));
        match page.older {
            Some(cursor) => before = Some(cursor),
            None => break,
        }
    }
    let expected: Vec<String> = (0..120)
        .rev()
        .map(|n| format!("local/dev/app:{n}"))
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_maintainer_sees_only_their_own_logins_and_a_developer_nothing() {
    let (_dir, services, _clock) = trail().await;
    let ann = User::not_stored("ann", Role::Maintainer);
    let seen = found(&services, &ann, AuditFilter::default()).await;
    assert!(seen.contains(&("ann".into(), "login.success".into())));
    assert!(
        !seen
            .iter()
            .any(|(user, action)| user == "bob" && action.starts_with("login")),
        "{seen:?}"
    );
    assert!(
        seen.contains(&("bob".into(), "promotion".into())),
        "other actions show"
    );
    let developer = User::not_stored("dev", Role::Developer);
    let refused = audit_page(&services, &developer, &AuditFilter::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(refused, DomainError::Forbidden { .. }));
}

#[tokio::test]
async fn the_keep_days_purge_deletes_only_older_rows_and_rows_cannot_change() {
    let (_dir, services, clock) = trail().await;
    // The clock stands at 09:00 after the 9 rows (00:00 to 08:00); 400 days (the default)
    // before the new time is 04:30: rows 1 to 5 are older.
    clock.advance(Duration::days(400) - Duration::minutes(270));
    let purged = purge_old_audit_rows(&services).await.unwrap();
    assert_eq!(purged, 5);
    let left = found(&services, &admin(), AuditFilter::default()).await;
    assert_eq!(left.len(), EVENTS.len() - 5);
    assert_eq!(
        left.last().unwrap(),
        &("ann".to_string(), "gc.run".to_string())
    );

    let changed = regatta_core::db::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(&services.db)
        .await
        .unwrap_err();
    assert!(
        changed.to_string().contains("audit rows cannot be changed"),
        "{changed}"
    );
}
