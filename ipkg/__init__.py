"""ipkg: an open knowledge graph of Chinese national intellectual-property policy."""

__version__ = "0.1.0"
