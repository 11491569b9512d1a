use crate::startup::{AdminBootstrap, Application};
use regatta_core::config::Settings;
use secrecy::{ExposeSecret, SecretString};

/// Runs the dashboard until Ctrl-C or SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let admin = AdminBootstrap {
        username: std::env::var("REGATTA_ADMIN_USER").ok(),
        password: std::env::var("REGATTA_ADMIN_PASSWORD")
            .ok()
            .map(SecretString::from),
    };
    let application = Application::build(settings, admin).await?;
    if let Some(first) = application.first_admin() {
        announce_first_admin(&first.username, first.generated_password.as_ref());
    }
    // Tests and scripts read this line to learn the port when listening on port 0.
    println!("regatta listening on http://{}", application.local_addr());
    application.run_until_stopped().await
}

/// Printed to the terminal, once, never to the log.
fn announce_first_admin(username: &str, generated: Option<&SecretString>) {
    match generated {
        Some(password) => println!(
            "\nFirst start: created admin user `{username}` with password\n\n    {}\n\n\
             It is shown only this once. Change it with `regatta user passwd {username}`.\n",
            password.expose_secret()
        ),
        None => println!("First start: created admin user `{username}` with the password from REGATTA_ADMIN_PASSWORD."),
    }
}
