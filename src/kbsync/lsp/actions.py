"""Code actions: the quick fix of each "did you mean" finding (a link, an anchor, a
key: the engine's suggestion, carried by the diagnostic), and "Open preview", which
starts ``kbsync watch`` and shows the article's page."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from kbsync.lsp.diagnostics import SOURCE

__all__ = ["OPEN_PREVIEW", "STOP_PREVIEW", "code_actions"]

OPEN_PREVIEW = "kbsync.openPreview"
STOP_PREVIEW = "kbsync.stopPreview"


def code_actions(uri: str, key: str, context: types.CodeActionContext) -> list[types.CodeAction]:
    actions = [fix for diagnostic in context.diagnostics
               if (fix := _fix(uri, diagnostic)) is not None]
    wanted = context.only
    if key.endswith(".md") and (not wanted or types.CodeActionKind.Source in wanted):
        actions.append(types.CodeAction(
            "Open preview", kind=types.CodeActionKind.Source,
            command=types.Command(title="Open preview", command=OPEN_PREVIEW,
                                  arguments=[uri])))
    return actions


def _fix(uri: str, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    data: Any = diagnostic.data
    suggestion = data.get("suggestion") if isinstance(data, dict) else None
    if diagnostic.source != SOURCE or not isinstance(suggestion, str):
        return None
    edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(diagnostic.range, suggestion)]})
    return types.CodeAction(f"Change to {suggestion}", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic], is_preferred=True, edit=edit)
