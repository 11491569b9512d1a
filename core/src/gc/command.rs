//! The `command` driver's steps: a configured shell command run on Regatta's host, its output
//! read line by line into the run's log, stopped (its whole process group) at the timeout.

use super::log::RunLog;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// What a step's command is told: `{dry_run}` and `{registry}` in its text, and the
/// environment variables `REGATTA_GC_DRY_RUN` (1 or 0) and `REGATTA_REGISTRY`.
#[derive(Debug, Clone)]
pub struct StepContext {
    pub registry: String,
    pub dry_run: bool,
}

/// Runs `command` through `sh -c`; every output line goes to `log` and to `on_line`. Err says
/// how it failed (exit status, timeout, could not start).
pub async fn run_step(
    step: &str,
    command: &str,
    timeout: Duration,
    context: &StepContext,
    log: &mut RunLog,
    mut on_line: impl FnMut(&str),
) -> Result<(), String> {
    let expanded = expand(command, context);
    log.line(&format!("$ {expanded}    [{step}]"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&expanded)
        .env(
            "REGATTA_GC_DRY_RUN",
            if context.dry_run { "1" } else { "0" },
        )
        .env("REGATTA_REGISTRY", &context.registry)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so a timeout stops what the shell started too.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{step}: could not start `sh`: {e}"))?;
    let group = child.id();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
    ]
    .into_iter()
    .flatten()
    {
        let lines_tx = lines_tx.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    drop(lines_tx);
    let finished = tokio::time::timeout(timeout, async {
        while let Some(line) = lines.recv().await {
            log.line(&line);
            on_line(&line);
        }
        child.wait().await
    })
    .await;
    match finished {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("{step} failed ({status})")),
        Ok(Err(error)) => Err(format!("{step}: waiting for the command: {error}")),
        Err(_) => {
            if let Some(pid) = group {
                let group = nix::unistd::Pid::from_raw(pid as i32);
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            }
            let _ = child.wait().await;
            Err(format!("{step} timed out after {} s", timeout.as_secs()))
        }
    }
}

/// `{dry_run}` → `--dry-run` or nothing; `{registry}` → the registry's name, shell-quoted.
fn expand(command: &str, context: &StepContext) -> String {
    let dry_run = if context.dry_run { "--dry-run" } else { "" };
    command
        .replace("{dry_run}", dry_run)
        .replace("{registry}", &shell_quote(&context.registry))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(dry_run: bool) -> StepContext {
        StepContext {
            registry: "team's".into(),
            dry_run,
        }
    }

    #[test]
    fn placeholders_become_the_flag_and_the_quoted_name() {
        assert_eq!(
            expand("gc {dry_run} --name {registry}", &context(true)),
            r"gc --dry-run --name 'team'\''s'"
        );
        assert_eq!(expand("gc {dry_run} x", &context(false)), "gc  x");
    }

    #[tokio::test]
    async fn output_is_logged_and_a_failure_says_its_exit_status() {
        let mut log = RunLog::default();
        let mut seen = Vec::new();
        let result = run_step(
            "collect",
            "echo out; echo err >&2; echo \"$REGATTA_GC_DRY_RUN $REGATTA_REGISTRY\"; exit 3",
            Duration::from_secs(10),
            &context(true),
            &mut log,
            |line| seen.push(line.to_string()),
        )
        .await;
        assert!(result.unwrap_err().contains("exit status: 3"));
        seen.sort();
        assert_eq!(seen, ["1 team's", "err", "out"]);
        assert!(log.text().contains("$ echo out"));
    }

    #[tokio::test]
    async fn a_timeout_stops_the_command_and_what_it_started() {
        let mut log = RunLog::default();
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("late");
        let command = format!("(sleep 2; touch {}) & sleep 30", marker.display());
        let started = std::time::Instant::now();
        let result = run_step(
            "collect",
            &command,
            Duration::from_millis(300),
            &context(false),
            &mut log,
            |_| {},
        )
        .await;
        assert_eq!(result.unwrap_err(), "collect timed out after 0 s");
        assert!(started.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert!(!marker.exists(), "the background child was stopped too");
    }
}
