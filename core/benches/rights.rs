//! The rights check's figure (issue #15: < 0.1 ms per request): what every request does to
//! decide what its user may do — the session's user from the cache (the marker file read, the
//! session's row still alive, the cached user with its grants cloned), then the registries it may read and its role at one
//! repository — over 20 registries and 100 environments, for a user with no global role and
//! 25 grants. Also timed: the first lookup after a change (a grant given: the cache is
//! dropped, the user and grants read from SQLite), and that the change is seen at once.
//!
//! Run: `cargo bench -p regatta-core --bench rights`.

use regatta_core::audit::Actor;
use regatta_core::auth::{readable_registries, role_at, session_user, SessionClaims};
use regatta_core::config::parse_settings;
use regatta_core::users::{Place, Role};
use regatta_core::{accounts, accounts_admin, users, Services};
use std::fmt::Write;
use std::time::{Duration, Instant};

const REGISTRIES: usize = 20;
const ENVIRONMENTS_PER_REGISTRY: usize = 5;
const RUNS: usize = 20_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut text = format!(
        "database = \"{}\"\n",
        dir.path().join("rights.db").display()
    );
    for r in 0..REGISTRIES {
        let _ = write!(
            text,
            "[[registry]]\nname = \"reg{r}\"\nurl = \"http://127.0.0.1:{}\"\n",
            5000 + r
        );
        for e in 0..ENVIRONMENTS_PER_REGISTRY {
            let _ = write!(
                text,
                "[[environment]]\nname = \"env{r}-{e}\"\nregistry = \"reg{r}\"\nprefix = \"stage{e}/\"\n"
            );
        }
    }
    let services = Services::start(parse_settings("bench.toml", &text, &[])?).await?;
    let admin = Actor::system("bench");
    let password = users::generate_password();
    accounts::add_user(&services, &admin, "bench-user", Role::NoAccess, &password).await?;
    for r in 0..REGISTRIES / 4 {
        let place = Place::Registry(format!("reg{r}"));
        accounts_admin::grant(&services, &admin, "bench-user", place, Role::Developer).await?;
    }
    for r in 0..REGISTRIES {
        let place = Place::Environment(format!("env{r}-2"));
        accounts_admin::grant(&services, &admin, "bench-user", place, Role::Maintainer).await?;
    }
    let user = users::find_by_name(&services.db, "bench-user")
        .await?
        .expect("added");
    let key = regatta_core::sessions::start(&services, &user, "10.0.0.1", Some("bench")).await?;
    let claims = SessionClaims {
        user_id: Some(user.id),
        epoch: Some(user.session_epoch),
        key: Some(key),
    };

    // A request: who, what they may read, their role where the page points.
    let request = |n: usize| {
        let (services, claims) = (&services, &claims);
        async move {
            let user = session_user(services, claims).await.expect("a session");
            let readable = readable_registries(&user, &services.settings).len();
            let registry = format!("reg{}", n % REGISTRIES);
            let repository = format!("stage{}/app{n}", n % ENVIRONMENTS_PER_REGISTRY);
            let role = role_at(&user, &services.settings, &registry, &repository);
            (readable, role)
        }
    };

    let first = Instant::now();
    let (readable, _) = request(0).await;
    println!(
        "first request (user and 25 grants read from SQLite): {:?}; readable registries: {readable}",
        first.elapsed()
    );
    assert_eq!(readable, REGISTRIES / 4);

    let mut times = Vec::with_capacity(RUNS);
    for n in 0..RUNS {
        let started = Instant::now();
        let (_, role) = request(n).await;
        times.push(started.elapsed());
        std::hint::black_box(role);
    }
    report("cached rights check per request", &mut times);

    // A change: the grant shows at the very next request (the cache was dropped).
    let place = Place::Registry(format!("reg{}", REGISTRIES - 1));
    accounts_admin::grant(&services, &admin, "bench-user", place, Role::Viewer).await?;
    let started = Instant::now();
    let (readable, _) = request(0).await;
    println!(
        "first request after a grant: {:?}; readable registries now {readable}",
        started.elapsed()
    );
    assert_eq!(readable, REGISTRIES / 4 + 1, "the change is seen at once");
    Ok(())
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "{name}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {} runs (goal < 100 µs)",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6,
        times.len()
    );
}
