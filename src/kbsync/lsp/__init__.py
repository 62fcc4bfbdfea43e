"""``kbsync lsp``: the Help Center's rules inside the writer's editor, over the Language
Server Protocol (pygls and lsprotocol).

The server checks with the engine's workspace, the one ``validate`` and ``watch`` use:
it hands the workspace the open buffers' texts and re-checks only what a change can
affect, so the editor shows what ``validate`` would say, as the writer types. It adds
no rule of its own: its modules turn the engine's answers into the protocol's shapes.

- ``session``: one knowledge base open in the editor (its workspace, open texts, checks);
- ``server``: the pygls server, its handlers, and the thread the workspace lives on;
- ``diagnostics``, ``completion``, ``hover``, ``navigation`` (definition, references),
  ``rename`` (headings, files), ``actions`` (quick fixes, Open preview): one feature
  each; ``positions``: the engine's 1-based columns <-> the protocol's ranges;
- ``preview``: the ``kbsync watch`` process "Open preview" starts; ``spawned``: how
  the server starts kbsync's own programs (never from the editor's folder);
- ``firstlook``: the helper process that takes the first look at the knowledge base on
  another core while the server loads the protocol;
- ``stdio``: the editor's messages, read so that Ctrl-C and SIGTERM stop the server;
- ``report``: ``kbsync lsp --check``, what the server would say about a folder.

It never imports the command line, a command or the console: it reports, the face
prints (design.md's layers).
"""
