"""Version of the cxmetrics distribution."""

__version__ = "0.1.0.dev0"
