"""The instructor's side of the course kit: release, sandboxed grading, feedback and export.

See docs/GRADING_DESIGN.md for how points are decided and docs/ARCHITECTURE.md for the flow.
"""
