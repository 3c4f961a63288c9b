//! Exit codes, documented in the README: 0 ok, 1 a limit/budget/alert was hit, 2 usage or
//! input error.

/// What a command concluded. Errors (exit 2) travel as `anyhow::Error` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything fit; exit 0.
    Success,
    /// A limit, budget or alert condition was hit; exit 1.
    LimitHit,
    /// Some input could not be read or parsed, but the rest was reported; exit 2.
    InputError,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::LimitHit => 1,
            ExitStatus::InputError => 2,
        }
    }

    /// The more serious of two outcomes (input error > limit hit > success).
    pub fn max(self, other: ExitStatus) -> ExitStatus {
        if other.code() > self.code() {
            other
        } else {
            self
        }
    }
}
