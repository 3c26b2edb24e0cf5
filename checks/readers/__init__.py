"""Readers: parse target files into plain data, with no judgement."""
