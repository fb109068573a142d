"""Meldpunt: software for running anonymous reporting points."""
