//! The exit-code contract every shipgate binary keeps (docs/exit-codes.md).

use std::process::ExitCode;

/// How a shipgate command ended. The numeric values are a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit {
    /// 0: ran and passed.
    Pass,
    /// 1: ran and the gate failed (findings over policy, signature did not verify, stale file).
    GateFailed,
    /// 2: bad input or usage (invalid spec, malformed report, unknown flag).
    BadInput,
    /// 3: environment (registry unreachable, auth refused, tool missing, timeout).
    Environment,
}

impl Exit {
    /// The process exit status for this outcome.
    pub const fn code(self) -> u8 {
        match self {
            Self::Pass => 0,
            Self::GateFailed => 1,
            Self::BadInput => 2,
            Self::Environment => 3,
        }
    }

    /// A one-line description, as printed in `--help` and docs/exit-codes.md.
    pub const fn meaning(self) -> &'static str {
        match self {
            Self::Pass => "ran and passed",
            Self::GateFailed => {
                "ran and the gate failed (findings over policy, signature did not verify, stale file)"
            }
            Self::BadInput => {
                "bad input or usage (invalid spec, malformed report or manifest, unknown flag)"
            }
            Self::Environment => {
                "environment (registry unreachable, auth refused, tool missing, timeout)"
            }
        }
    }

    /// Every outcome, in numeric order.
    pub const ALL: [Self; 4] = [
        Self::Pass,
        Self::GateFailed,
        Self::BadInput,
        Self::Environment,
    ];

    /// The exit-code table appended to every binary's `--help`.
    pub fn help_table() -> String {
        let mut out = String::from("Exit codes:\n");
        for exit in Self::ALL {
            out.push_str(&format!("  {}  {}\n", exit.code(), exit.meaning()));
        }
        out
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// An error that knows which exit code it ends the process with.
pub trait ExitStatus: miette::Diagnostic {
    /// The exit code for this error: 2 for bad input, 3 for the environment, and so on.
    fn exit(&self) -> Exit;
}

/// Ends a command: renders an error (with [`crate::diagnostic::render`]) on stderr and
/// turns the outcome into the process exit code. Binaries call this from `main`.
pub fn finish<E: ExitStatus>(result: Result<Exit, E>) -> ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            let text = crate::diagnostic::render(&error);
            #[allow(clippy::print_stderr)]
            {
                eprint!("{text}");
            }
            error.exit().into()
        }
    }
}

/// The error of a binary whose commands are not built yet: it ships its interface (name,
/// `--help`, exit-code contract) so actions and rendered workflows can refer to it.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{binary} is not implemented yet")]
#[diagnostic(
    code("not-implemented"),
    help("this release ships {binary}'s interface only; its commands come in a later release")
)]
pub struct NotBuiltYet {
    /// The binary's name.
    pub binary: &'static str,
}

impl ExitStatus for NotBuiltYet {
    fn exit(&self) -> Exit {
        Exit::Environment
    }
}
