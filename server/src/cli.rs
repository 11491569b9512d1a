use crate::commands::{
    self, DeleteArgs, GcArgs, MigrateDbArgs, PromoteArgs, RetentionArgs, StorageArgs, TokenCommand,
    TrashCommand, UserCommand,
};
use clap::{Parser, Subcommand};
use regatta_core::config::{load_settings, ConfigError};
use std::{path::PathBuf, process::ExitCode};

/// Regatta: one dashboard for all your container registries.
#[derive(Debug, Parser)]
#[command(name = "regatta", version)]
pub struct Cli {
    /// The settings file (see regatta.example.toml).
    #[arg(long, global = true, default_value = "regatta.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web dashboard.
    Serve,
    /// Validate the settings file and exit (0 when valid, 2 when not).
    CheckConfig,
    /// Manage dashboard users.
    #[command(subcommand)]
    User(UserCommand),
    /// Promote a tag to an environment of the pipeline, as the dashboard's Promote button does.
    Promote(PromoteArgs),
    /// Storage used per registry (and environment, namespace or repository), from the index.
    Storage(StorageArgs),
    /// Delete tags as the dashboard does: siblings kept, the image with its last tag, the
    /// trash first. Shows the preview and asks (`--yes` for scripts).
    Delete(DeleteArgs),
    /// Deleted tags: list them, or restore one.
    #[command(subcommand)]
    Trash(TrashCommand),
    /// Retention policies: list them, preview one, or run one (preview and delete exactly that).
    Retention(RetentionArgs),
    /// Garbage collection: predict and run it (`--dry-run`, `--untagged`), or `gc history`.
    Gc(GcArgs),
    /// Write a consistent copy of the database to FILE while the server runs (see the README
    /// for restoring it).
    Backup { file: PathBuf },
    /// Copy a SQLite database (users, audit, history, index, snapshots) into an empty
    /// PostgreSQL database, to move an installation there.
    MigrateDb(MigrateDbArgs),
    /// Personal access tokens for the JSON API (/api/v1): create, list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Exit codes: 0 success, 1 the command failed, 2 the configuration is invalid.
pub async fn run(cli: Cli) -> ExitCode {
    let settings = match load_settings(&cli.config) {
        Ok(settings) => settings,
        Err(error) => return config_error(&error),
    };
    crate::telemetry::init(settings.log.format);
    let result = match cli.command {
        Command::CheckConfig => {
            println!("{}: ok", cli.config.display());
            Ok(())
        }
        Command::Serve => commands::serve(settings).await,
        Command::User(command) => commands::user(settings, command).await,
        Command::Promote(args) => commands::promote(settings, args).await,
        Command::Storage(args) => commands::storage(settings, args).await,
        Command::Delete(args) => commands::delete(settings, args).await,
        Command::Trash(command) => commands::trash(settings, command).await,
        Command::Retention(args) => commands::retention(settings, args).await,
        Command::Gc(args) => commands::gc(settings, args).await,
        Command::Token(command) => commands::token(settings, command).await,
        Command::Backup { file } => commands::backup(settings, &file).await,
        Command::MigrateDb(args) => commands::migrate_db(settings, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("regatta: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_error(error: &ConfigError) -> ExitCode {
    eprintln!("regatta: invalid configuration: {error}");
    ExitCode::from(2)
}
