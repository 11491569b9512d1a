//! Managing users as an admin and one's own account: a generated one-time password logs in,
//! a role change and a disable take effect, the last admin cannot be locked out, a reset and
//! "end sessions" end the user's sessions, one's own password change needs the current one;
//! refusals are audited.

use end2end::SettingsFile;
use regatta_core::accounts::add_user;
use regatta_core::accounts_admin::{
    add_user_with_generated_password, change_own_password, change_role, end_sessions,
    reset_password, set_enabled,
};
use regatta_core::audit::Actor;
use regatta_core::auth::log_in;
use regatta_core::users::{find_by_name, Role, User};
use regatta_core::{DomainError, Services};
use secrecy::SecretString;

fn admin() -> Actor {
    Actor::new(User::not_stored("root", Role::Admin), "10.0.0.9")
}

async fn epoch_of(services: &Services, name: &str) -> i64 {
    find_by_name(&services.db, name)
        .await
        .unwrap()
        .unwrap()
        .session_epoch
}

#[tokio::test]
async fn an_admin_manages_users_and_cannot_lock_the_last_admin_out() {
    let (_dir, services) = crate::start_services(SettingsFile::new()).await;
    let boss: SecretString = "boss-password-2026".into();
    add_user(&services, &admin(), "boss", Role::Admin, &boss)
        .await
        .unwrap();
    let password = add_user_with_generated_password(&services, &admin(), "dana", Role::Developer)
        .await
        .unwrap();
    let dana = log_in(&services, "dana", password.clone(), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(dana.role, Role::Developer);

    change_role(&services, &admin(), "dana", Role::Maintainer)
        .await
        .unwrap();
    let dana = find_by_name(&services.db, "dana").await.unwrap().unwrap();
    assert_eq!(dana.role, Role::Maintainer);
    let as_dana = Actor::new(dana, "10.0.0.1");
    let refused = change_role(&services, &as_dana, "dana", Role::Admin)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DomainError::Forbidden { .. }),
        "{refused}"
    );

    let last = set_enabled(&services, &admin(), "boss", false)
        .await
        .unwrap_err();
    assert!(last.to_string().contains("last admin"), "{last}");
    let last = change_role(&services, &admin(), "boss", Role::Viewer)
        .await
        .unwrap_err();
    assert!(last.to_string().contains("last admin"), "{last}");

    set_enabled(&services, &admin(), "dana", false)
        .await
        .unwrap();
    assert!(log_in(&services, "dana", password.clone(), "10.0.0.1")
        .await
        .is_err());
    set_enabled(&services, &admin(), "dana", true)
        .await
        .unwrap();

    let before = epoch_of(&services, "dana").await;
    let fresh = reset_password(&services, &admin(), "dana").await.unwrap();
    assert!(log_in(&services, "dana", password, "10.0.0.1")
        .await
        .is_err());
    assert!(log_in(&services, "dana", fresh, "10.0.0.1").await.is_ok());
    assert!(epoch_of(&services, "dana").await > before, "sessions ended");
    let before = epoch_of(&services, "dana").await;
    end_sessions(&services, &admin(), "dana").await.unwrap();
    assert_eq!(epoch_of(&services, "dana").await, before + 1);

    let audited: Vec<String> = regatta_core::db::query_scalar(
        "SELECT action || ' ' || outcome FROM audit_log WHERE target = 'dana' OR target = 'boss'
         ORDER BY id",
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    for expected in [
        "user.role ok",
        "user.role denied",
        "user.disable denied",
        "user.disable ok",
        "user.enable ok",
        "user.passwd ok",
        "user.sessions.end ok",
    ] {
        assert!(
            audited.iter().any(|a| a == expected),
            "{expected}: {audited:?}"
        );
    }
}

#[tokio::test]
async fn ones_own_password_change_needs_the_current_one_and_keeps_this_session() {
    let (_dir, services) = crate::start_services(SettingsFile::new()).await;
    let old: SecretString = "dana-old-password".into();
    add_user(&services, &admin(), "dana", Role::Developer, &old)
        .await
        .unwrap();
    let dana = find_by_name(&services.db, "dana").await.unwrap().unwrap();
    let before = dana.session_epoch;
    let me = Actor::new(dana, "10.0.0.1");
    let wrong = change_own_password(&services, &me, &"not-the-password".into(), &"x".into())
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("current password"), "{wrong}");
    let common = change_own_password(&services, &me, &old, &"password1".into())
        .await
        .unwrap_err();
    assert!(common.to_string().contains("attacker"), "{common}");
    let epoch = change_own_password(&services, &me, &old, &"dana-new-passphrase".into())
        .await
        .unwrap();
    assert!(
        epoch > before,
        "other sessions end; this one takes the new epoch"
    );
    assert!(log_in(&services, "dana", old, "10.0.0.1").await.is_err());
    assert!(
        log_in(&services, "dana", "dana-new-passphrase".into(), "10.0.0.1")
            .await
            .is_ok()
    );
}

/// Grants: given, changed, revoked, each audited with the place and role; a maintainer may
/// not give one (refused and audited); the session's user carries the grants and a change is
/// seen at the next lookup (the cache is dropped).
#[tokio::test]
async fn grants_are_given_changed_and_revoked_by_admins_only_and_audited() {
    use regatta_core::accounts_admin::{grant, revoke};
    use regatta_core::auth::{role_in_registry, session_user, SessionClaims};
    use regatta_core::users::Place;
    let settings = SettingsFile::new().registry(end2end::settings::Registry::new(
        "team-a",
        "http://127.0.0.1:9",
    ));
    let (_dir, services) = crate::start_services(settings).await;
    let password: SecretString = "tess-password-2026".into();
    add_user(&services, &admin(), "tess", Role::NoAccess, &password)
        .await
        .unwrap();
    let tess = find_by_name(&services.db, "tess").await.unwrap().unwrap();
    let session = |services: &Services| {
        let (id, epoch) = (tess.id, tess.session_epoch);
        let services = services.clone();
        async move {
            let claims = SessionClaims {
                user_id: Some(id),
                epoch: Some(epoch),
                key: None,
            };
            session_user(&services, &claims).await.unwrap()
        }
    };
    assert_eq!(
        role_in_registry(&session(&services).await, "team-a"),
        Role::NoAccess
    );

    let team_a = || Place::Registry("team-a".into());
    grant(&services, &admin(), "tess", team_a(), Role::Developer)
        .await
        .unwrap();
    assert_eq!(
        role_in_registry(&session(&services).await, "team-a"),
        Role::Developer
    );
    grant(&services, &admin(), "tess", team_a(), Role::Maintainer)
        .await
        .unwrap();
    assert_eq!(
        role_in_registry(&session(&services).await, "team-a"),
        Role::Maintainer,
        "a second grant on the place changes its role"
    );
    let maintainer = Actor::new(User::not_stored("mia", Role::Maintainer), "10.0.0.2");
    let refused = grant(&services, &maintainer, "tess", team_a(), Role::Admin)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DomainError::Forbidden { .. }),
        "{refused}"
    );
    revoke(&services, &admin(), "tess", team_a()).await.unwrap();
    assert_eq!(
        role_in_registry(&session(&services).await, "team-a"),
        Role::NoAccess
    );

    let audited: Vec<String> = regatta_core::db::query_scalar(
        "SELECT actor || ' ' || action || ' ' || outcome || ' ' || COALESCE(detail, '')
         FROM audit_log WHERE target = 'tess' AND action LIKE 'user.%' ORDER BY id",
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    assert_eq!(
        audited[1..],
        [
            "root user.grant ok developer in registry:team-a",
            "root user.grant ok maintainer in registry:team-a",
            "mia user.grant denied Your role (maintainer) may not do this; it needs admin.",
            "root user.revoke ok registry:team-a",
        ],
        "{audited:?}"
    );
}
