//! Starts `kbsync lsp` (found on the worktree's PATH) for Markdown files.

use zed_extension_api::{self as zed, LanguageServerId, Result};

struct Kbsync;

impl zed::Extension for Kbsync {
    fn new() -> Self {
        Kbsync
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let kbsync = worktree
            .which("kbsync")
            .ok_or_else(|| "kbsync is not on PATH: install it (pip install kbsync)".to_string())?;
        Ok(zed::Command {
            command: kbsync,
            args: vec!["lsp".to_string()],
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(Kbsync);
