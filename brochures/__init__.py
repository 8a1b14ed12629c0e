"""brochures: print-ready, multilingual brochures from the Kreis Warendorf integration concept."""

__version__ = "0.1.0"
