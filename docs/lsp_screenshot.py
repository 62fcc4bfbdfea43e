"""Take docs/lsp.png: ``kbsync lsp`` in a real editor, Neovim's built-in LSP client.

    python docs/lsp_screenshot.py

There is no GUI editor on the machine that makes the pictures, so this runs Debian's
Neovim (``apt-get install neovim tmux``) in a tmux terminal on a copy of example-kb
with two mistakes typed in (an unknown key, a broken link), waits for the server's
diagnostics, types a link and asks for completion (Ctrl-X Ctrl-O, the LSP omnifunc),
then captures the terminal with its colours and renders that text, cell for cell, as
HTML for headless Chromium to photograph (as docs/preview_screenshot.py does). Nothing
is drawn by hand: what the picture shows is what Neovim showed.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chromium import chromium  # docs/ is the script's folder

HERE = Path(__file__).resolve().parent
SIZE = (132, 30)  # the terminal's columns and lines
#: Neovim 0.7 (Debian bookworm's): the README's configuration for 0.8+ calls
#: vim.lsp.start, which 0.7 lacks; start_client and buf_attach_client are its parts.
INIT_LUA = """
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = "yes"
vim.o.completeopt = "menuone,noinsert"
vim.o.pumheight = 8
vim.o.swapfile = false
vim.cmd("colorscheme slate")
vim.cmd("highlight Pmenu guibg=#3a3a3a guifg=#e4e4e4")
vim.cmd("highlight PmenuSel guibg=#5f87af guifg=#ffffff")
vim.cmd("highlight SignColumn guibg=NONE")
vim.api.nvim_create_autocmd("FileType", {
  pattern = "markdown",
  callback = function(args)
    local path = vim.api.nvim_buf_get_name(args.buf)
    local toml = vim.fn.findfile("kbsync.toml", vim.fn.fnamemodify(path, ":h") .. ";")
    if toml == "" then return end
    local id = vim.lsp.start_client({
      name = "kbsync", cmd = { KBSYNC, "-m", "kbsync", "lsp" },
      root_dir = vim.fn.fnamemodify(toml, ":p:h"),
    })
    vim.lsp.buf_attach_client(args.buf, id)
    vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc"
  end,
})
"""
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "example-kb"
        shutil.copytree(HERE.parent / "example-kb", root,
                        ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
        article = root / "billing/refunds.md"
        text = article.read_text()
        text = text.replace("reviewed: 2026-10-01\n", "reviewed: 2026-10-01\nstatsu: draft\n")
        text = text.replace("get the postage back.", "get the postage back\n"
                            "(see [printing labels](../shipping/print-shiping-labels.md)).")
        article.write_text(text)
        init = Path(tmp) / "init.lua"
        init.write_text(f"KBSYNC = {sys.executable!r}\n{INIT_LUA}")
        screen = run_neovim(init, article)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "screen.html"
        page.write_text(as_html(screen))
        photograph(page, HERE / "lsp.png", Path(tmp))
    print(HERE / "lsp.png")


def run_neovim(init: Path, article: Path) -> str:
    """The terminal, with its colours, once the diagnostics and the completion show."""
    session = "kbsync-lsp-shot"
    tmux = ["tmux", "-L", session]
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y",
                    str(SIZE[1]), f"nvim -n -u {init} {article}"], check=True,
                   cwd=article.parent)
    try:
        wait_for(tmux, "broken link")
        subprocess.run([*tmux, "send-keys", "-t", session, "17G", "o",
                        "See also [pickups]("], check=True)
        time.sleep(1)
        subprocess.run([*tmux, "send-keys", "-t", session, "C-x", "C-o"], check=True)
        wait_for(tmux, "cancel-your-subscription.md")
        return capture(tmux, colours=True)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)


def capture(tmux: list[str], *, colours: bool = False) -> str:
    return subprocess.run([*tmux, "capture-pane", "-p", *(["-e"] if colours else [])],
                          check=True, capture_output=True, text=True).stdout


def wait_for(tmux: list[str], text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in capture(tmux):
        if time.monotonic() > deadline:
            raise SystemExit(f"Neovim never showed {text!r}:\n{capture(tmux)}")
        time.sleep(0.2)


def as_html(screen: str) -> str:
    """The terminal's text with its 24-bit colours (SGR 38/48/58;2, bold, underline)."""
    rows = []
    for line in screen.splitlines():
        out, style = [], State()
        position = 0
        for found in SGR.finditer(line):
            out.append(style.span(line[position:found.start()]))
            style.apply(found.group(1))
            position = found.end()
        out.append(style.span(line[position:]))
        rows.append("".join(out))
    body = "\n".join(rows)
    return ("<!doctype html><meta charset=utf-8><style>body{margin:0;background:#262626}"
            "pre{display:inline-block;margin:0;padding:10px 12px;"
            "font:13px/1.35 'DejaVu Sans Mono',monospace;"
            f"color:#fff;background:#262626}}</style><pre>{body}</pre>")


class State:
    """The current SGR attributes."""

    def __init__(self) -> None:
        self.fg = self.bg = self.underline_colour = ""
        self.bold = self.underline = self.reverse = False

    def apply(self, codes: str) -> None:
        parts = [int(p) if p else 0 for p in codes.replace(":", ";").split(";")]
        while parts:
            code = parts.pop(0)
            if code in (38, 48, 58) and parts and parts[0] == 2:
                r, g, b = parts[1:4]
                del parts[:4]
                colour = f"rgb({r},{g},{b})"
                if code == 38:
                    self.fg = colour
                elif code == 48:
                    self.bg = colour
                else:
                    self.underline_colour = colour
            elif code == 0:
                self.__init__()  # type: ignore[misc]
            elif code == 1:
                self.bold = True
            elif code == 22:
                self.bold = False
            elif code in (4, 21):
                self.underline = True
            elif code == 24:
                self.underline = False
            elif code == 7:
                self.reverse = True
            elif code == 27:
                self.reverse = False
            elif code == 39:
                self.fg = ""
            elif code == 49:
                self.bg = ""
            elif code == 59:
                self.underline_colour = ""

    def span(self, text: str) -> str:
        if not text:
            return ""
        fg, bg = (self.bg, self.fg) if self.reverse else (self.fg, self.bg)
        css = [f"color:{fg}" if fg else "", f"background:{bg}" if bg else "",
               "font-weight:bold" if self.bold else ""]
        if self.underline:
            css.append("text-decoration:underline wavy "
                       f"{self.underline_colour or 'currentColor'}")
        style = ";".join(c for c in css if c)
        escaped = html.escape(text)
        return f'<span style="{style}">{escaped}</span>' if style else escaped


def photograph(page: Path, target: Path, tmp: Path) -> None:
    with chromium(tmp / "profile", (1600, 900)) as driver:
        driver.get(page.as_uri())
        driver.find_element("tag name", "pre").screenshot(str(target))


if __name__ == "__main__":
    main()
