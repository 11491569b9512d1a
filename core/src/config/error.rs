use std::path::PathBuf;

/// A configuration problem, worded as one line that names the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

impl ConfigError {
    pub fn invalid(file: &str, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            file: file.to_string(),
            key: key.into(),
            message: message.into(),
        }
    }
}
