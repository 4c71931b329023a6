"""OpenIOM: Integrated Offender Management for police, probation and partner agencies."""

__version__ = "0.1.0"
