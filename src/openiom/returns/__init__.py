"""Disclosure control for anything that leaves a scheme: national figures and returns."""
