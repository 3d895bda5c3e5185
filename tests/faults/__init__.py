"""Fault-injection plugins for negative rehearsals: `pytest suites -p tests.faults.<name>`.

Each module implements one or more hooks of fixtures/hookspecs.py and injects exactly the
fault one runbook check exists to catch. None of them is loaded in a normal run.
"""
