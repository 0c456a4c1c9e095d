"""ironbridge: a self-hosted unified API for ERP, CMMS and EAM systems."""

__version__ = "0.1.0"

__all__ = ["__version__"]
