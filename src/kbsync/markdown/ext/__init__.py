"""One module per extension of the Markdown dialect; ``kbsync.markdown.registry`` lists them."""
