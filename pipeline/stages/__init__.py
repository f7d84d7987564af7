"""The stages: each a short shell that reads through ``artifacts``, calls pure code and writes
through ``artifacts``. A stage never imports another stage."""
