use crate::commands;
use clap::{Parser, Subcommand};
use regatta_core::config::{load_settings, ConfigError};
use regatta_core::users::Role;
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
    Promote {
        /// REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0
        image: String,
        /// The environment to promote into.
        #[arg(long)]
        to: String,
        /// The tag to write there (default: the same tag).
        #[arg(long = "as")]
        target_tag: Option<String>,
        /// Leave the digest's signatures, attestations and SBOMs behind.
        #[arg(long)]
        without_attachments: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from stdin when it is not a terminal, else prompted.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a user's password (read like `add`).
    Passwd { name: String },
    /// List users with their roles.
    List,
    /// Disable a user: their sessions stop working at the next request.
    Disable { name: String },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
}

/// Exit codes: 0 success, 1 the command failed, 2 the configuration is invalid.
pub async fn run(cli: Cli) -> ExitCode {
    let settings = match load_settings(&cli.config) {
        Ok(settings) => settings,
        Err(error) => return config_error(&error),
    };
    let result = match cli.command {
        Command::CheckConfig => {
            println!("{}: ok", cli.config.display());
            Ok(())
        }
        Command::Serve => commands::serve(settings).await,
        Command::User(command) => commands::user(settings, command).await,
        Command::Promote {
            image,
            to,
            target_tag,
            without_attachments,
        } => commands::promote(settings, image, to, target_tag, !without_attachments).await,
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
