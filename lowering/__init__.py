"""Printers from the `ascendc` dialect to Ascend C kernel and host sources, and the CANN project writer."""
