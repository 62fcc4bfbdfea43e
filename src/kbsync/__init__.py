"""kbsync: the initdesk Help Center as code."""

__all__ = ["__version__"]

try:
    #: The version the build took from the git tag, written beside this file by
    #: setuptools-scm (``version_file``): reading it costs nothing at start-up.
    from kbsync._version import version as __version__
except ImportError:  # a source tree on sys.path, never built: ask the installed metadata
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("kbsync")
    except PackageNotFoundError:
        __version__ = "0+unknown"
