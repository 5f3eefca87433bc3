//! Colour, applied only when enabled (`--color`, `CARGO_TERM_COLOR`, `NO_COLOR`).

use crate::model::findings::Level;
use crate::model::policy::Status;
use owo_colors::{OwoColorize, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    pub const PLAIN: Paint = Paint { enabled: false };

    pub fn style(&self, text: &str, style: Style) -> String {
        if self.enabled {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.style(text, Style::new().bold())
    }

    pub fn dim(&self, text: &str) -> String {
        self.style(text, Style::new().dimmed())
    }

    pub fn status(&self, status: Status, text: &str) -> String {
        let style = match status {
            Status::Supported => Style::new().green().bold(),
            Status::Eol => Style::new().red().bold(),
            Status::Unreleased => Style::new().yellow().bold(),
        };
        self.style(text, style)
    }

    pub fn level(&self, level: Level, text: &str) -> String {
        let style = match level {
            Level::Error => Style::new().red().bold(),
            Level::Warning => Style::new().yellow().bold(),
            Level::Note => Style::new().cyan().bold(),
        };
        self.style(text, style)
    }
}
