"""kbsync: the initdesk Help Center as code."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed distribution's version, which the build took from the git tag.
    __version__ = version("kbsync")
except PackageNotFoundError:  # the source tree on sys.path, never installed
    __version__ = "0+unknown"
