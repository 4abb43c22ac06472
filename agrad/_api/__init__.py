"""agrad's Array API namespace functions, one module per category of the standard."""
