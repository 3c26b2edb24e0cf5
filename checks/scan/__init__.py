"""Checks that read security scan reports."""
