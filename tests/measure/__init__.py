"""Tests of the measure command (plugins/checklists_measure) and its evidence reader."""
