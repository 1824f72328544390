"""kanwu (刊物): print-ready typesetting for Chinese community bulletins."""

__version__ = "0.1.0"
