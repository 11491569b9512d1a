//! `regatta backup FILE`: a consistent copy of the database, safe while the server runs.

use regatta_core::config::Settings;
use regatta_core::Services;
use std::path::Path;

pub async fn backup(settings: Settings, file: &Path) -> anyhow::Result<()> {
    let source = settings.database.clone();
    let services = Services::start(settings).await?;
    let bytes = regatta_core::backup::backup(&services, file).await?;
    println!(
        "backed up {} to {} ({bytes} bytes, integrity checked)",
        source,
        file.display()
    );
    Ok(())
}
