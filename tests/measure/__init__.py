"""Tests of the measure command (checks/measure) and its evidence reader."""
