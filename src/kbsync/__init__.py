"""kbsync: the initdesk Help Center as code."""

__version__ = "0.1.0"
