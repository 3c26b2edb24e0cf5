"""The performance benchmark of the checklists plugin (issue 7); run it with bench/run.py."""
