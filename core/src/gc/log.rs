//! A run's log: every line of every step, kept up to a cap (a collection over a big registry
//! prints a line per manifest and blob; the counts are read from all of them regardless).

const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct RunLog {
    text: String,
    dropped_lines: u64,
}

impl RunLog {
    pub fn line(&mut self, line: &str) {
        if self.text.len() + line.len() + 1 > MAX_BYTES {
            self.dropped_lines += 1;
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// The log as stored: the lines kept, and how many were left out.
    pub fn text(&self) -> String {
        match self.dropped_lines {
            0 => self.text.clone(),
            n => format!(
                "{}… {n} more lines not kept (log cap {MAX_BYTES} bytes)\n",
                self.text
            ),
        }
    }
}
