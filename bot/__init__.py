"""News-alert bot: statements, fighting updates and casualty figures from articles, in chat."""

__version__ = "0.1.0"
